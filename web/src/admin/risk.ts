/** Admins: players by anti-cheat risk with the recorded evidence, and their held coupons
 * released or refused (the `/admin/v1/anticheat` API, docs/anti-cheat.md). A server without it
 * answers 404: the section then says so and moderation works from the player list alone. */

import { ApiError } from "../common/api";
import type { Context } from "./main";
import { h, when } from "./dom";

interface Evidence {
  at: string;
  kind: string;
  score: number;
  evidence: Record<string, unknown>;
}
interface HeldCoupon {
  code: string;
  template: string;
  state: string;
  hold_reason: string | null;
}
export interface PlayerRisk {
  player_id: string;
  display_name: string | null;
  risk: number;
  records: number;
  last_at: string;
  threshold: number;
  evidence: Evidence[];
  held_coupons: HeldCoupon[];
}

function couponRow(ctx: Context, coupon: HeldCoupon, done: (text: string) => void, fail: (e: unknown) => void): HTMLElement {
  const { i18n, session } = ctx;
  const note = h("input", { maxlength: 500, autocomplete: "off", "aria-label": i18n.t("risk.note", { code: coupon.code }) });
  const decide = (what: "release" | "refuse") =>
    session.call<HeldCoupon>(`/admin/v1/anticheat/coupons/${coupon.code}/${what}`, { body: { note: note.value } }).then(
      () => done(i18n.t(`risk.${what}d`, { code: coupon.code })),
      fail,
    );
  const buttons = coupon.state === "held"
    ? [h("button", { type: "button", class: "secondary", onclick: () => void decide("release") }, i18n.t("risk.release")),
       h("button", { type: "button", class: "danger", onclick: () => void decide("refuse") }, i18n.t("risk.refuse"))]
    : [];
  const state = i18n.t(`risk.state.${coupon.state}`);
  return h("li", { "data-coupon": coupon.code }, h("span", { class: "code" }, coupon.code),
    ` ${coupon.template} · ${state === `risk.state.${coupon.state}` ? coupon.state : state}`,
    coupon.hold_reason ? ` · ${coupon.hold_reason}` : "", " ", ...(buttons.length ? [note, ...buttons] : []));
}

/** The riskiest players first; null when the server has no anti-cheat API. */
export async function riskPanel(ctx: Context, refresh: () => void, message: HTMLElement): Promise<HTMLElement | null> {
  const { i18n, session } = ctx;
  let players: PlayerRisk[];
  try {
    players = await session.call<PlayerRisk[]>("/admin/v1/anticheat/players?limit=50");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
  const done = (text: string) => {
    message.className = "outcome good";
    message.textContent = text;
    refresh();
  };
  const fail = (error: unknown) => ctx.fail(message, error);
  const rows = players.map((p) =>
    h("tr", { "data-risk-player": p.player_id },
      h("td", {}, p.display_name ?? "—", h("br"), h("small", { class: "code" }, p.player_id)),
      h("td", { class: p.risk >= p.threshold ? "bad" : "" }, i18n.t("risk.score", { risk: p.risk.toFixed(1), threshold: p.threshold, records: p.records })),
      h("td", {}, h("ul", {}, ...p.evidence.map((e) => h("li", {}, `${when(e.at, i18n.language)} · ${e.kind} (+${e.score}) `, h("code", {}, JSON.stringify(e.evidence)))))),
      h("td", {}, p.held_coupons.length ? h("ul", {}, ...p.held_coupons.map((c) => couponRow(ctx, c, done, fail))) : "—")));
  return h("div", { id: "risk" },
    h("h3", {}, i18n.t("risk.title")),
    players.length === 0 ? h("p", {}, i18n.t("risk.none")) : h("div", { class: "scroll" }, h("table", { id: "risk-table" },
      h("caption", { class: "sr-only" }, i18n.t("risk.title")),
      h("thead", {}, h("tr", {}, ...["col.player", "risk.col.score", "risk.col.evidence", "risk.col.held"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
      h("tbody", {}, ...rows))));
}
