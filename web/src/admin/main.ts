/** The staff console (`/admin/`): each section asks for the role the API's matrix gives it. */

import "../common/staff.css";
import "./console.css";
import { ApiError, request, speak } from "../common/api";
import { I18n } from "../common/i18n";
import { auditSection } from "./audit";
import { contentSection } from "./content";
import { districtSection } from "./district";
import { h } from "./dom";
import { MESSAGES } from "./messages";
import { merchantsSection, staffSection } from "./people";
import { moderationSection } from "./moderation";
import { StaffSession, type Me, type Role } from "./session";

export interface Section {
  id: string;
  role: Role;
  render(container: HTMLElement, context: Context): void | Promise<void>;
}

export interface Context {
  i18n: I18n;
  session: StaffSession;
  /** The comune the console works on (the picker in the header): content, shops, staff
   * grants and the audit log are scoped to it. */
  city(): string;
  /** Its name, for headings and messages. */
  cityName(): string;
  /** Its time zone (IANA): its days and hours are the comune's, not the browser's. */
  cityTimezone(): string;
  /** Show an API failure where the section's messages go. */
  fail(target: HTMLElement, error: unknown): void;
}

const SECTIONS: Section[] = [contentSection, staffSection, merchantsSection, moderationSection, districtSection, auditSection];
const EMAIL_SLOT = "lupiae.staff.email";
const CITY_SLOT = "lupiae.staff.city";

interface City {
  slug: string;
  name: string;
  timezone?: string;
}

const i18n = new I18n(MESSAGES);
speak(() => i18n.language);
const session = new StaffSession();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let role: Role | null = null;
let cities: City[] = [];

const context: Context = {
  i18n,
  session,
  city: () => $<HTMLSelectElement>("city").value || cities[0]?.slug || "lecce",
  cityName: () => cities.find((c) => c.slug === context.city())?.name ?? context.city(),
  cityTimezone: () => cities.find((c) => c.slug === context.city())?.timezone ?? "Europe/Rome",
  fail(target, error) {
    target.className = "outcome bad";
    target.textContent =
      error instanceof ApiError
        ? i18n.t("error", { status: error.status, detail: error.message })
        : String(error instanceof Error ? error.message : error);
  },
};

function allowed(section: Section): boolean {
  return role === "admin" || section.role === role;
}

/** The first section the role may open (a district manager's is the district). */
function home(): string {
  return SECTIONS.find(allowed)?.id ?? "content";
}

function renderNav(): void {
  const nav = $("nav");
  nav.setAttribute("aria-label", i18n.t("nav"));
  const current = location.hash.slice(1) || home();
  nav.replaceChildren(
    ...SECTIONS.filter(allowed).map((section) =>
      h("a", { href: `#${section.id}`, "aria-current": section.id === current ? "page" : undefined }, i18n.t(`nav.${section.id}`)),
    ),
  );
}

async function route(): Promise<void> {
  if (!role) return;
  renderNav();
  const id = location.hash.slice(1) || home();
  const section = SECTIONS.find((s) => s.id === id) ?? SECTIONS[0];
  const view = $("view");
  view.replaceChildren();
  const denied = $("denied");
  denied.hidden = allowed(section);
  if (!allowed(section)) {
    denied.textContent = i18n.t("denied", { role: i18n.t(`role.${role}`) });
    return;
  }
  await section.render(view, context);
}

/** The comuni this account works on: those it holds a role on (every served comune for a
 * token without grants), named as GET /v1/cities names them; a granted comune with no content
 * published yet is listed by its slug (its curator publishes the first version from here). */
async function loadCities(grants: Me["grants"]): Promise<City[]> {
  const served = await request<City[]>("/v1/cities").catch(() => [] as City[]);
  const names = new Map(served.map((c) => [c.slug, c.name]));
  const slugs = grants === null ? served.map((c) => c.slug) : Object.keys(grants);
  return slugs
    .map((slug) => ({ slug, name: names.get(slug) ?? slug }))
    .sort((a, b) => a.name.localeCompare(b.name, i18n.language));
}

function renderCities(): void {
  const select = $<HTMLSelectElement>("city");
  const kept = sessionStorage.getItem(CITY_SLOT);
  select.replaceChildren(...cities.map((c) => h("option", { value: c.slug }, c.name)));
  select.value = cities.some((c) => c.slug === kept) ? kept! : (cities[0]?.slug ?? "");
  select.disabled = cities.length < 2;
  $("city-picker").hidden = cities.length === 0;
}

async function start(): Promise<void> {
  let me: Me;
  try {
    me = await session.me();
    role = me.role;
  } catch {
    showSignIn();
    return;
  }
  cities = await loadCities(me.grants ?? null);
  renderCities();
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = i18n.t("who", { email: sessionStorage.getItem(EMAIL_SLOT) ?? "", role: i18n.t(`role.${role}`) });
  await route();
}

function showSignIn(message = ""): void {
  role = null;
  $("signin").hidden = false;
  $("nav").hidden = true;
  $("signout").hidden = true;
  $("city-picker").hidden = true;
  $("denied").hidden = true;
  $("who").textContent = "";
  $("view").replaceChildren();
  $("signin-error").textContent = message;
}

async function signIn(event: Event): Promise<void> {
  event.preventDefault();
  const email = $<HTMLInputElement>("email").value.trim();
  try {
    await session.signIn(email, $<HTMLInputElement>("password").value);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 0;
    $("signin-error").textContent =
      status === 401 ? i18n.t("signin.bad")
      : status === 429 ? i18n.t("signin.throttled")
      : error instanceof ApiError ? i18n.t("error", { status, detail: error.message })
      : String(error instanceof Error ? error.message : error);
    return;
  }
  $<HTMLInputElement>("password").value = "";
  sessionStorage.setItem(EMAIL_SLOT, email);
  await start();
}

function applyLanguage(): void {
  i18n.apply(document);
  $("lang").textContent = i18n.language === "it" ? "EN" : "IT";
  $("lang").setAttribute("aria-label", i18n.language === "it" ? "EN: English" : "IT: Italiano");
  void start();
}

session.onExpired = () => showSignIn(i18n.t("signin.expired"));
$("signin-form").addEventListener("submit", (e) => void signIn(e));
$("lang").addEventListener("click", () => i18n.set(i18n.language === "it" ? "en" : "it"));
$("signout").addEventListener("click", () => {
  session.signOut();
  sessionStorage.removeItem(EMAIL_SLOT);
  sessionStorage.removeItem(CITY_SLOT);
  showSignIn();
});
window.addEventListener("hashchange", () => void route());
$("city").addEventListener("change", () => {
  sessionStorage.setItem(CITY_SLOT, context.city());
  void route();
});
i18n.onChange(applyLanguage);
i18n.apply(document);
$("lang").textContent = i18n.language === "it" ? "EN" : "IT";
if (session.token()) void start();
