import { h } from "../../common/dom";
import type { Ctx, Site } from "../context";
import { describe, isOpen, type Weekday } from "../hours";
import { openDialog } from "./dialog";

export function kindName(ctx: Ctx, kind: string): string {
  const key = `kind.${kind}`;
  const text = ctx.i18n.t(key);
  return text === key ? kind : text;
}

function openBadge(ctx: Ctx, site: Site): HTMLElement {
  const open = isOpen(site.opening_hours, new Date());
  const key = open === null ? "site.hours_unknown" : open ? "site.open" : "site.closed";
  return h("span", { className: `open-state ${open === null ? "is-unknown" : open ? "is-open" : ""}` }, ctx.i18n.t(key));
}

export function renderSites(ctx: Ctx, root: HTMLElement): void {
  const items = [...ctx.sites.values()].sort((a, b) => a.name.localeCompare(b.name));
  root.replaceChildren(
    h("h2", {}, ctx.i18n.t("sites.title")),
    h(
      "ul",
      { className: "cards" },
      items.map((site) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", className: "card", onclick: () => showSite(ctx, site.slug), dataset: { site: site.slug } },
            h("strong", {}, site.name),
            h("span", { className: "muted" }, kindName(ctx, site.kind)),
            openBadge(ctx, site),
          ),
        ),
      ),
    ),
  );
}

export function showSite(ctx: Ctx, slug: string): void {
  const site = ctx.sites.get(slug);
  if (!site) return;
  const t = ctx.i18n.t.bind(ctx.i18n);
  const hours = site.opening_hours?.length
    ? h("ul", {}, describe(site.opening_hours, (d: Weekday) => t(`day.${d}`)).map((line) => h("li", {}, line)))
    : null;
  openDialog(site.name, t("close"), [
    h("p", { className: "muted" }, kindName(ctx, site.kind), site.outside_walls ? ` · ${t("site.outside")}` : ""),
    h("p", {}, site.description),
    h("h3", {}, t("site.hours")),
    openBadge(ctx, site),
    hours ?? "",
  ]);
}
