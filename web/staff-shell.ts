/**
 * The staff pages' shared shell (the shop's till, `merchant/index.html`, and the console,
 * `admin/index.html`): the head's common tags, the skip link and the top bar with its status,
 * language and sign-out buttons. A page writes, where its bar goes,
 *
 *     <staff-bar status="net"></staff-bar>
 *
 * with its own controls, if any, inside (they sit between the status and the language button);
 * the bar's heading is the page's <title>. Vite puts the shell in (`transformIndexHtml`, at
 * build and in the dev server), so the pages stay static HTML: the bar is there before any
 * script runs, and main.ts finds it by id as before.
 */

import type { HtmlTagDescriptor, Plugin } from "vite";

const BAR = /<staff-bar status="([\w-]+)">([\s\S]*?)<\/staff-bar>/;

const HEAD: HtmlTagDescriptor[] = [
  { tag: "meta", attrs: { charset: "utf-8" }, injectTo: "head-prepend" },
  { tag: "meta", attrs: { name: "viewport", content: "width=device-width, initial-scale=1" }, injectTo: "head-prepend" },
  { tag: "meta", attrs: { name: "theme-color", content: "#7a3b12" }, injectTo: "head-prepend" },
  { tag: "link", attrs: { rel: "icon", href: "/icons/icon.svg", type: "image/svg+xml" }, injectTo: "head" },
];

/** The skip link and the top bar, with the page's own controls (`own`) after its status. */
export function staffBar(title: string, status: string, own: string): string {
  const controls = own.trim() ? `\n        ${own.trim()}` : "";
  return `<a class="skip" href="#main" data-i18n="skip">Vai al contenuto</a>
    <header class="bar">
      <h1 data-i18n="title">${title}</h1>
      <div class="bar-actions">
        <span id="${status}" class="status" role="status" aria-live="polite"></span>${controls}
        <button id="lang" type="button" class="chip">EN</button>
        <button id="signout" type="button" class="chip" data-i18n="signout" hidden>Esci</button>
      </div>
    </header>`;
}

export function staffShell(): Plugin {
  return {
    name: "lupiae-staff-shell",
    transformIndexHtml: {
      order: "pre",
      handler(html, { filename }) {
        const bar = BAR.exec(html);
        if (!bar) return html; // the player app has its own page
        const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
        if (!title) throw new Error(`${filename}: a page with <staff-bar> needs a <title> (the bar's heading)`);
        return { html: html.replace(BAR, () => staffBar(title, bar[1], bar[2])), tags: HEAD };
      },
    },
  };
}
