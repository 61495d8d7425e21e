/** Admins: players (newest first, by name or id, banned or not), ban with a reason, unban. */

import type { Context, Section } from "./main";
import { field, h, when } from "./dom";
import { riskPanel } from "./risk";

interface PlayerRead {
  player_id: string;
  display_name: string;
  created_at: string;
  banned_at: string | null;
  ban_reason: string | null;
  sockets_closed: boolean | null;
}

async function render(container: HTMLElement, ctx: Context): Promise<void> {
  const { i18n, session } = ctx;
  const message = h("div", { role: "status", "aria-live": "polite", id: "moderation-message" });
  const list = h("div");
  const query = h("input", { type: "search", maxlength: 40, autocomplete: "off" });
  const bannedOnly = h("input", { type: "checkbox" });
  const search = h("form", { class: "row wrap", role: "search" },
    field("player-query", i18n.t("moderation.search"), query),
    h("label", {}, bannedOnly, " ", i18n.t("moderation.banned")),
    h("button", { type: "submit", class: "secondary" }, i18n.t("moderation.find")));

  const act = async (player: PlayerRead, reason: HTMLInputElement | null) => {
    try {
      if (reason) {
        const done = await session.call<PlayerRead>(`/admin/v1/players/${player.player_id}/ban`, { body: { reason: reason.value } });
        message.className = "outcome good";
        message.textContent = i18n.t(done.sockets_closed === false ? "moderation.done.ban.open" : "moderation.done.ban", { name: done.display_name });
      } else {
        const done = await session.call<PlayerRead>(`/admin/v1/players/${player.player_id}/unban`, { method: "POST" });
        message.className = "outcome good";
        message.textContent = i18n.t("moderation.done.unban", { name: done.display_name });
      }
      await load();
    } catch (error) {
      ctx.fail(message, error);
    }
  };

  const actions = (player: PlayerRead): HTMLElement => {
    if (player.banned_at) {
      return h("button", { type: "button", class: "secondary", onclick: () => void act(player, null) }, i18n.t("moderation.unban"));
    }
    const reason = h("input", { required: true, minlength: 3, maxlength: 500, autocomplete: "off" });
    const form = h("form", { class: "row wrap", "data-player": player.player_id },
      field(`reason-${player.player_id}`, i18n.t("moderation.reason", { name: player.display_name }), reason),
      h("button", { type: "submit", class: "danger" }, i18n.t("moderation.ban")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void act(player, reason);
    });
    return form;
  };

  const load = async () => {
    const params = new URLSearchParams({ limit: "50" });
    if (query.value.trim()) params.set("q", query.value.trim());
    if (bannedOnly.checked) params.set("banned", "true");
    const players = await session.call<PlayerRead[]>(`/admin/v1/players?${params}`);
    list.replaceChildren(h("div", { class: "scroll" }, h("table", { id: "players-table", "data-query": params.get("q") ?? "" },
      h("caption", { class: "sr-only" }, i18n.t("moderation.title")),
      h("thead", {}, h("tr", {}, ...["col.player", "col.joined", "col.status", "col.actions"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
      h("tbody", {}, ...players.map((p) => h("tr", { "data-player": p.player_id },
        h("td", {}, p.display_name, h("br"), h("small", { class: "code" }, p.player_id)),
        h("td", {}, when(p.created_at, i18n.language)),
        h("td", {}, p.banned_at ? i18n.t("moderation.banned.at", { when: when(p.banned_at, i18n.language), reason: p.ban_reason ?? "" }) : i18n.t("moderation.active")),
        h("td", {}, actions(p))))))));
  };
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    void load().catch((e) => ctx.fail(message, e));
  });
  const risk = h("div");
  const loadRisk = async () => {
    const panel = await riskPanel(ctx, () => void loadRisk().catch((e) => ctx.fail(message, e)), message);
    risk.replaceChildren(panel ?? h("p", { class: "hint", id: "no-risk" }, i18n.t("moderation.norisk")));
  };
  container.append(h("section", { class: "panel", "aria-labelledby": "moderation-title" },
    h("h2", { id: "moderation-title" }, i18n.t("moderation.title")), message, risk, search, list));
  await Promise.all([load(), loadRisk()]).catch((e) => ctx.fail(message, e));
}

export const moderationSection: Section = { id: "moderation", role: "admin", render };
