/** Admins: staff accounts, and shops (onboarding with the key shown once, key rotation). */

import type { Context, Section } from "./main";
import { field, h, when } from "./dom";

interface Account {
  id: string;
  email: string;
  role: string;
  grants: Record<string, string>;
  last_login_at: string | null;
  disabled_at: string | null;
}
interface Shop {
  slug: string;
  name: string;
  street: string;
  category: string;
  city: string;
}

function table(ctx: Context, id: string, caption: string, columns: string[], rows: HTMLElement[]): HTMLElement {
  return h("div", { class: "scroll" }, h("table", { id },
    h("caption", { class: "sr-only" }, caption),
    h("thead", {}, h("tr", {}, ...columns.map((k) => h("th", { scope: "col" }, ctx.i18n.t(k))))),
    h("tbody", {}, ...rows)));
}

async function renderStaff(container: HTMLElement, ctx: Context): Promise<void> {
  const { i18n, session } = ctx;
  const message = h("div", { role: "status", "aria-live": "polite" });
  const list = h("div");
  const email = h("input", { type: "email", required: true, autocomplete: "off" });
  const password = h("input", { type: "password", required: true, minlength: 12, autocomplete: "new-password" });
  const role = h("select", {}, h("option", { value: "curator" }, i18n.t("role.curator")), h("option", { value: "admin" }, i18n.t("role.admin")));
  const form = h("form", { class: "stack", id: "staff-form" },
    field("staff-email", i18n.t("col.email"), email), field("staff-password", i18n.t("signin.password"), password),
    field("staff-role", i18n.t("staff.role"), role), h("button", { type: "submit", class: "primary" }, i18n.t("staff.add")));
  const city = ctx.city();
  const load = async () => {
    const accounts = (await session.call<Account[]>("/admin/v1/staff")).filter((a) => a.grants[city]);
    list.replaceChildren(table(ctx, "staff-table", i18n.t("staff.title"), ["col.email", "col.role", "col.lastlogin", "col.actions"],
      accounts.map((a) => h("tr", {}, h("td", {}, a.email), h("td", {}, i18n.t(`role.${a.grants[city]}`)), h("td", {}, when(a.last_login_at, i18n.language)),
        h("td", {}, a.disabled_at ? i18n.t("staff.disabled") : h("button", { type: "button", class: "danger",
          "aria-label": i18n.t("staff.disable.label", { email: a.email }),
          onclick: () => void session.call(`/admin/v1/staff/${a.id}/disable`, { method: "POST" }).then(load, (e) => ctx.fail(message, e)) },
          i18n.t("staff.disable")))))));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void session.call<Account>("/admin/v1/staff", { body: { email: email.value, role: role.value, password: password.value, cities: [city] } }).then(
      (created) => {
        message.className = "outcome good";
        message.textContent = i18n.t("staff.created", { email: created.email });
        form.reset();
        return load();
      },
      (error) => ctx.fail(message, error),
    );
  });
  container.append(h("section", { class: "panel", "aria-labelledby": "staff-title" },
    h("h2", { id: "staff-title" }, i18n.t("staff.title")),
    h("p", { class: "hint", id: "staff-scope" }, i18n.t("staff.scope", { city: ctx.cityName() })), list, h("h3", {}, i18n.t("staff.create")), form, message));
  await load().catch((e) => ctx.fail(message, e));
}

function keyOnce(ctx: Context, slug: string, key: string): HTMLElement {
  return h("div", { role: "alert" }, h("p", {}, ctx.i18n.t("merchants.key", { slug })), h("p", { class: "key-once", id: "key-once" }, key));
}

async function renderMerchants(container: HTMLElement, ctx: Context): Promise<void> {
  const { i18n, session } = ctx;
  const message = h("div", { "aria-live": "polite" });
  const list = h("div");
  const inputs = {
    slug: h("input", { required: true, pattern: "[a-z0-9][a-z0-9_\\-]{1,79}", autocomplete: "off" }),
    name: h("input", { required: true, autocomplete: "off" }),
    category: h("input", { required: true, value: "cafe", autocomplete: "off" }),
    street: h("input", { required: true, autocomplete: "off" }),
    lat: h("input", { required: true, type: "number", step: "any", inputmode: "decimal" }),
    lon: h("input", { required: true, type: "number", step: "any", inputmode: "decimal" }),
  };
  const grace = h("input", { type: "number", min: 0, max: 604800, value: 0 });
  const form = h("form", { class: "stack", id: "merchant-form" },
    ...Object.entries(inputs).map(([name, input]) => field(`merchant-${name}`, i18n.t(`merchants.${name}`), input)),
    h("button", { type: "submit", class: "primary" }, i18n.t("merchants.add")));
  const rotate = (slug: string) =>
    session.call<{ api_key: string }>(`/admin/v1/merchants/${slug}/keys/rotate`, { body: { grace_s: Number(grace.value) || 0 } }).then(
      (issued) => message.replaceChildren(keyOnce(ctx, slug, issued.api_key)),
      (error) => ctx.fail(message, error),
    );
  const city = ctx.city();
  const load = async () => {
    const shops = (await session.call<Shop[]>("/admin/v1/merchants")).filter((s) => s.city === city);
    list.replaceChildren(table(ctx, "merchants-table", i18n.t("merchants.title"), ["col.shop", "col.street", "col.actions"],
      shops.map((s) => h("tr", {}, h("td", {}, `${s.name} (${s.slug})`), h("td", {}, s.street),
        h("td", {}, h("button", { type: "button", class: "secondary", "aria-label": i18n.t("merchants.rotate.label", { slug: s.slug }),
          onclick: () => void rotate(s.slug) }, i18n.t("merchants.rotate")))))));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      ...Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, k === "lat" || k === "lon" ? Number(input.value) : input.value])),
      city,
    };
    void session.call<{ api_key: string; merchant: Shop }>("/admin/v1/merchants", { body }).then(
      (created) => {
        message.replaceChildren(keyOnce(ctx, created.merchant.slug, created.api_key));
        form.reset();
        return load();
      },
      (error) => ctx.fail(message, error),
    );
  });
  container.append(h("section", { class: "panel", "aria-labelledby": "merchants-title" },
    h("h2", { id: "merchants-title" }, i18n.t("merchants.title")),
    h("p", { class: "hint", id: "merchants-scope" }, i18n.t("merchants.scope", { city: ctx.cityName() })), message, list,
    field("merchant-grace", i18n.t("merchants.grace"), grace),
    h("h3", {}, i18n.t("merchants.onboard")), form));
  await load().catch((e) => ctx.fail(message, e));
}

export const staffSection: Section = { id: "staff", role: "admin", render: renderStaff };
export const merchantsSection: Section = { id: "merchants", role: "admin", render: renderMerchants };
