/** The audit log (staff and merchant actions in one stream) with filters. */

import type { Context, Section } from "./main";
import { field, h, when } from "./dom";

interface Entry {
  source: string;
  at: string;
  actor: string;
  actor_email: string | null;
  role: string | null;
  action: string;
  target: string | null;
  status: number;
  detail: Record<string, unknown> | null;
}

function utc(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

async function render(container: HTMLElement, ctx: Context): Promise<void> {
  const { i18n, session } = ctx;
  const message = h("div", { role: "status", "aria-live": "polite" });
  const list = h("div");
  const actor = h("input", { autocomplete: "off", maxlength: 254 });
  const action = h("input", { autocomplete: "off", maxlength: 41 });
  const source = h("select", {}, h("option", { value: "" }, i18n.t("audit.source.all")), h("option", { value: "staff" }, "staff"), h("option", { value: "merchant" }, "merchant"));
  const from = h("input", { type: "datetime-local" });
  const to = h("input", { type: "datetime-local" });
  const city = h("select", {},
    h("option", { value: ctx.city() }, ctx.cityName()),
    h("option", { value: "" }, i18n.t("audit.city.all")));
  const form = h("form", { class: "row wrap", id: "audit-form" },
    field("audit-actor", i18n.t("audit.actor"), actor), field("audit-action", i18n.t("audit.action"), action),
    field("audit-city", i18n.t("audit.city"), city), field("audit-source", i18n.t("audit.source"), source), field("audit-from", i18n.t("audit.from"), from),
    field("audit-to", i18n.t("audit.to"), to), h("button", { type: "submit", class: "secondary" }, i18n.t("audit.filter")));

  const load = async () => {
    const params = new URLSearchParams({ limit: "200" });
    for (const [name, value] of [["actor", actor.value.trim()], ["action", action.value.trim()], ["source", source.value], ["city", city.value], ["from", utc(from.value)], ["to", utc(to.value)]]) {
      if (value) params.set(name as string, value);
    }
    const entries = await session.call<Entry[]>(`/admin/v1/audit?${params}`);
    list.replaceChildren(entries.length === 0 ? h("p", {}, i18n.t("audit.empty")) : h("div", { class: "scroll" }, h("table", { id: "audit-table" },
      h("caption", { class: "sr-only" }, i18n.t("audit.title")),
      h("thead", {}, h("tr", {}, ...["col.when", "col.who", "col.action", "col.target", "col.status", "col.detail"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
      h("tbody", {}, ...entries.map((e) => h("tr", { "data-action": e.action },
        h("td", {}, when(e.at, i18n.language)),
        h("td", {}, e.actor_email ?? e.actor, e.role ? ` (${e.role})` : ""),
        h("td", { class: "code" }, e.action),
        h("td", { class: "code" }, e.target ?? ""),
        h("td", {}, String(e.status)),
        h("td", {}, h("pre", { class: "code" }, e.detail ? JSON.stringify(e.detail) : ""))))))));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load().catch((e) => ctx.fail(message, e));
  });
  container.append(h("section", { class: "panel", "aria-labelledby": "audit-title" },
    h("h2", { id: "audit-title" }, i18n.t("audit.title")), form, message, list));
  await load().catch((e) => ctx.fail(message, e));
}

export const auditSection: Section = { id: "audit", role: "admin", render };
