/** The shop's page at the till (`/merchant/`): sign in, scan or type, verify, redeem once. */

import "../common/staff.css";
import { ApiError, speak } from "../common/api";
import { I18n } from "../common/i18n";
import { checkTyped, display } from "./codes";
import { MESSAGES } from "./messages";
import { publicKeys, verifyPayload } from "./qr";
import { Redeemer, type Outcome } from "./redeem";
import { Scanner } from "./scanner";
import { ShopApi, today, type Shop } from "./shop";
import { renderHistory } from "./history";

const i18n = new I18n(MESSAGES);
speak(() => i18n.language);
const api = new ShopApi();
const redeemer = new Redeemer(sessionStorage, () => api.apiKey());
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let shop: Shop | null = null;
let keys: Uint8Array[] = [];
let current: string | null = null; // the code ready to redeem

function when(iso: unknown): string {
  const date = new Date(String(iso));
  return date.toLocaleString(i18n.language === "it" ? "it-IT" : "en-GB", {
    timeZone: "Europe/Rome",
    dateStyle: "medium",
    timeStyle: "short",
  });
}

function offerText(offer: unknown): string {
  const texts = (offer ?? {}) as Record<string, string>;
  return texts[i18n.language] ?? texts.it ?? "";
}

function say(id: "verdict" | "outcome", text: string, tone: "good" | "bad" | "" = ""): void {
  const element = $(id);
  element.textContent = text;
  element.className = `${id} ${tone}`;
  element.hidden = !text;
}

function online(): boolean {
  return navigator.onLine;
}

function showNet(): void {
  $("net").textContent = i18n.t(online() ? "net.online" : "net.offline");
}

// ---- signing in ------------------------------------------------------------------------

/** The shop's own figures: coupons issued, redeemed, voided, time to redeem, its street. */
async function showFigures(): Promise<void> {
  const end = today();
  const start = new Date(Date.parse(end) - 29 * 86_400_000).toISOString().slice(0, 10);
  const f = await api.figures(start, end);
  const rate = f.redemption_rate === null ? "—" : `${Math.round(f.redemption_rate * 100)} %`;
  const h = f.median_hours_to_redeem;
  // Under an hour in minutes ("0 ore" read as never); above, hours to a tenth.
  const hours = h === null ? "—"
    : h < 1 ? i18n.t("figures.minutes", { minutes: h < 1 / 60 ? "< 1" : String(Math.round(h * 60)) })
    : i18n.t("figures.hours", { hours: h.toLocaleString(i18n.language, { maximumFractionDigits: 1 }) });
  const rows: [string, string][] = [
    ["figures.issued", String(f.issued)],
    ["figures.redeemed", String(f.redeemed)],
    ["figures.voided", String(f.voided)],
    ["figures.rate", rate],
    ["figures.time", hours],
  ];
  $("figures").replaceChildren(...rows.flatMap(([key, value]) => {
    const term = document.createElement("dt");
    term.textContent = i18n.t(key);
    const data = document.createElement("dd");
    data.textContent = value;
    data.dataset.figure = key.split(".")[1];
    return [term, data];
  }));
  const lang = i18n.language === "it" ? "it" : "en";
  $("figures-street").textContent = f.streets
    .map((s) => i18n.t(s.players === null ? "figures.street.few" : "figures.street", { street: s.name[lang], players: String(s.players ?? ""), k: f.k }))
    .join(" ");
}

async function enter(key: string): Promise<void> {
  const totals = await api.signIn(key);
  shop = totals.merchant;
  keys = publicKeys(await api.publicKeys());
  $("shop-name").textContent = shop.name;
  $("signin").hidden = true;
  $("till").hidden = false;
  $("signout").hidden = false;
  $<HTMLInputElement>("export-from").value = today();
  $<HTMLInputElement>("export-to").value = today();
  await refreshToday();
  const pending = redeemer.pending();
  if (pending) {
    say("verdict", i18n.t("sale.resuming", { code: display(pending.code) }));
    await settle(redeemer.resume());
  }
}

async function signIn(event: Event): Promise<void> {
  event.preventDefault();
  const key = $<HTMLInputElement>("api-key").value.trim();
  $("signin-error").textContent = "";
  try {
    await enter(key);
  } catch (error) {
    $("signin-error").textContent =
      !(error instanceof ApiError) ? i18n.t("signin.offline")
      : error.status === 401 ? i18n.t("signin.bad")
      : problemText(error.status, error.body);
  }
}

// ---- checking a coupon -----------------------------------------------------------------

function ready(code: string | null): void {
  current = code;
  $("sale").hidden = code === null;
  $<HTMLButtonElement>("redeem").disabled = code === null || !online();
}

async function scanned(payload: string): Promise<void> {
  const verdict = verifyPayload(payload, keys, shop?.slug ?? "", new Date());
  say("outcome", "");
  if (!verdict.ok) {
    const key = { "not-lupiae": "qr.notlupiae", "bad-signature": "qr.bad", "no-key": "qr.nokey" }[verdict.reason];
    say("verdict", i18n.t(key), "bad");
    ready(null);
    return;
  }
  const values = { code: display(verdict.code), shop: verdict.merchant, expiry: verdict.expiresAt ? when(verdict.expiresAt) : "" };
  if (!verdict.ours || verdict.expired) {
    say("verdict", i18n.t(verdict.ours ? "qr.expired" : "qr.other", values), "bad");
    ready(null);
    return;
  }
  say("verdict", i18n.t(verdict.expiresAt ? "qr.valid" : "qr.valid.noexpiry", { ...values, shop: shop?.name ?? "" }), "good");
  await checkOnline(verdict.code);
}

async function checkOnline(code: string): Promise<void> {
  ready(code);
  if (!online()) {
    say("outcome", i18n.t("offline.cannot"), "bad");
    return;
  }
  try {
    const check = await api.check(code);
    if (check.state === "redeemable") say("outcome", i18n.t("online.redeemable", { offer: offerText(check.offer) }), "good");
    else if (check.state === "redeemed") say("outcome", i18n.t("online.redeemed", { when: when(check.redeemed_at) }), "bad");
    else if (check.state === "held" || check.state === "refused") say("outcome", i18n.t(`online.${check.state}`), "bad");
    else say("outcome", i18n.t("online.expired", { when: when(check.expires_at) }), "bad");
  } catch (error) {
    failed(error);
  }
}

function typed(): void {
  const check = checkTyped($<HTMLInputElement>("code").value);
  const texts: Record<string, string> = {
    empty: "",
    partial: i18n.t("code.partial", { typed: check.state === "partial" ? check.typed : 0 }),
    foreign: i18n.t("code.foreign", { characters: check.state === "foreign" ? check.characters : "" }),
    "too-long": i18n.t("code.toolong"),
    typo: i18n.t("code.typo"),
    valid: i18n.t("code.valid", { code: check.state === "valid" ? display(check.code) : "" }),
  };
  const hint = $("code-check");
  hint.textContent = texts[check.state];
  hint.className = `hint ${["foreign", "too-long", "typo"].includes(check.state) ? "bad" : check.state === "valid" ? "good" : ""}`;
  $<HTMLInputElement>("code").setAttribute("aria-invalid", String(hint.classList.contains("bad")));
  $<HTMLButtonElement>("check").disabled = check.state !== "valid";
}

async function checkTypedCode(event: Event): Promise<void> {
  event.preventDefault();
  const check = checkTyped($<HTMLInputElement>("code").value);
  if (check.state !== "valid") return;
  say("verdict", "");
  say("outcome", "");
  await checkOnline(check.code);
}

// ---- redeeming -------------------------------------------------------------------------

function failed(error: unknown): void {
  if (!(error instanceof ApiError)) {
    say("outcome", i18n.t(online() ? "err.network" : "offline.cannot"), "bad");
    return;
  }
  say("outcome", problemText(error.status, error.body), "bad");
}

function problemText(status: number, body: Record<string, unknown>): string {
  const slug = String(body.type ?? "").split("/").pop();
  const merchant = body.merchant as { name?: string } | undefined;
  switch (slug) {
    case "coupon-spent":
      return body.redeemed_at
        ? i18n.t("err.spent", { when: when(body.redeemed_at), shop: merchant?.name ?? "" })
        : i18n.t("err.spent.short");
    case "coupon-expired":
      return i18n.t("err.expired", { when: when(body.expired_at) });
    case "coupon-voided":
      return i18n.t("err.voided");
    case "coupon-held":
      return i18n.t("err.held");
    case "coupon-other-merchant":
      return i18n.t("err.other");
    case "coupon-unknown":
      return i18n.t("err.unknown");
    case "rate-limited":
      return i18n.t("err.ratelimited", { seconds: String(body.retry_after ?? "60") });
    case "idempotency-in-flight":
      return i18n.t("err.inflight");
    default:
      return i18n.t("err.generic", { status, detail: String(body.detail ?? "") });
  }
}

async function settle(attempt: Promise<Outcome> | null): Promise<void> {
  if (!attempt) return;
  const button = $<HTMLButtonElement>("redeem");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  say("outcome", i18n.t("sale.sending"));
  try {
    const outcome = await attempt;
    if (outcome.status === 201) {
      const key = outcome.replayed ? "ok.replayed" : "ok.redeemed";
      say("outcome", i18n.t(key, { offer: offerText(outcome.body.offer) }), "good");
      ready(null);
    } else {
      say("outcome", problemText(outcome.status, outcome.body), "bad");
    }
    await refreshToday();
  } catch (error) {
    failed(error);
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = current === null || !online();
  }
}

function redeem(): void {
  if (!current) return;
  if (!online()) {
    say("outcome", i18n.t("offline.cannot"), "bad");
    return;
  }
  const reference = $<HTMLInputElement>("reference").value.trim() || null;
  void settle(redeemer.redeem(current, reference));
}

// ---- today, voids, CSV -----------------------------------------------------------------

async function refreshToday(): Promise<void> {
  if (!online()) return;
  try {
    const [totals, items] = await Promise.all([api.totals(), api.history()]);
    $("totals").textContent = i18n.t("today.totals", { redeemed: totals.redeemed, voided: totals.voided });
    renderHistory($("history").querySelector("tbody")!, items, i18n, voidOne);
  } catch (error) {
    failed(error);
  }
  // With today's list, so a redemption or a void shows in the figures too (they were read at
  // sign-in only: "Riscattati 0" under a coupon just redeemed). A bonus: the till works without.
  await showFigures().catch(() => undefined);
}

async function voidOne(id: string, code: string): Promise<void> {
  try {
    await api.void(id);
    say("outcome", i18n.t("void.done", { code: display(code) }), "good");
  } catch (error) {
    if (error instanceof ApiError && error.slug === "void-window-closed") say("outcome", i18n.t("void.closed"), "bad");
    else failed(error);
  }
  await refreshToday();
}

async function exportCsv(event: Event): Promise<void> {
  event.preventDefault();
  const from = $<HTMLInputElement>("export-from").value;
  const to = $<HTMLInputElement>("export-to").value;
  $("export-error").textContent = "";
  try {
    const blob = await api.csv(from, to);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `lupiae-${shop?.slug ?? "shop"}-${from}-${to}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    $("export-error").textContent = error instanceof Error ? error.message : String(error);
  }
}

// ---- wiring ----------------------------------------------------------------------------

function applyLanguage(): void {
  i18n.apply(document);
  $("lang").textContent = i18n.language === "it" ? "EN" : "IT";
  $("lang").setAttribute("aria-label", i18n.language === "it" ? "EN: English" : "IT: Italiano");
  showNet();
  typed();
}

function wire(): void {
  const scanner = new Scanner($<HTMLVideoElement>("camera"), $("scan"), $("scan-stop"), (text) => void scanned(text), () =>
    say("verdict", i18n.t("scan.nocamera"), "bad"),
  );
  $("signin-form").addEventListener("submit", (e) => void signIn(e));
  $("scan").addEventListener("click", () => void scanner.start());
  $("scan-stop").addEventListener("click", () => scanner.stop());
  $("code").addEventListener("input", typed);
  $("code-form").addEventListener("submit", (e) => void checkTypedCode(e));
  $("redeem").addEventListener("click", redeem);
  $("export-form").addEventListener("submit", (e) => void exportCsv(e));
  $("lang").addEventListener("click", () => i18n.set(i18n.language === "it" ? "en" : "it"));
  $("signout").addEventListener("click", () => {
    api.signOut();
    location.reload();
  });
  i18n.onChange(applyLanguage);
  for (const name of ["online", "offline"]) window.addEventListener(name, () => {
    showNet();
    ready(current);
    if (online()) void settle(redeemer.resume()).then(refreshToday);
  });
}

wire();
applyLanguage();
if (api.signedIn()) void enter(api.apiKey()).catch(() => ($("signin").hidden = false));
