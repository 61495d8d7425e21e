import { ApiError } from "../../common/api";
import { h } from "../../common/dom";
import type { Ctx } from "../context";

interface Standing {
  rank: number;
  display_name: string;
  score: number;
  /** The caller's own standing: boards carry no player ids (docs/security.md). */
  me?: boolean;
  team_id?: string;
}
interface Board {
  board: string;
  top: Standing[];
  me: { rank: number; score: number } | null;
  around_me: Standing[];
}
interface Team {
  name: string;
  join_code: string;
  member_count: number;
  max_members: number;
  members: Array<{ display_name: string }>;
}
interface Friend {
  player_id: string;
  display_name: string;
}

const BOARDS = ["players-weekly", "players-alltime", "friends-weekly", "teams-weekly"];
let board = BOARDS[0];

export async function renderRanks(ctx: Ctx, root: HTMLElement): Promise<void> {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const view = await ctx.api<Board>(`/v1/leaderboards/${board}?limit=20&around=2`);
  const select = h(
    "select",
    { id: "board", onchange: () => ((board = select.value), ctx.rerender()) },
    BOARDS.map((b) => h("option", { value: b, selected: b === board }, t(`board.${b}`))),
  );
  const rows = (list: Standing[]) =>
    list.map((s) =>
      h("li", { className: s.me ? "me" : "", value: s.rank }, `${s.display_name} — ${s.score} XP`),
    );
  root.replaceChildren(
    h("h2", {}, t("ranks.title")),
    h("label", { htmlFor: "board" }, t("ranks.board")),
    select,
    h("p", { className: "my-rank", role: "status" }, view.me ? t("ranks.you", { rank: view.me.rank, score: view.me.score }) : t("ranks.unranked")),
    h("ol", { className: "board" }, rows(view.top)),
  );
}

function form(id: string, label: string, button: string, submit: (value: string) => Promise<void>): HTMLElement {
  const input = h("input", { id, required: true, autocomplete: "off", maxLength: 60 });
  return h(
    "form",
    {
      className: "inline-form",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        await submit(input.value.trim());
      },
    },
    h("label", { htmlFor: id }, label),
    input,
    h("button", { type: "submit", className: "secondary" }, button),
  );
}

async function attempt(ctx: Ctx, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.toast(error instanceof ApiError ? error.message : String(error));
  }
  ctx.rerender();
}

export async function renderTeam(ctx: Ctx, root: HTMLElement): Promise<void> {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const [team, invite, friends] = await Promise.all([
    ctx.api<Team>("/v1/me/team").catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
    ctx.api<{ code: string }>("/v1/me/invite-code"),
    ctx.api<{ friends: Friend[] }>("/v1/friends"),
  ]);
  const teamPart = team
    ? [
        h("p", {}, h("strong", { dataset: { team: team.name } }, team.name), " · ", t("team.members", { count: team.member_count, max: team.max_members })),
        h("p", {}, t("team.share", { code: team.join_code })),
        h("ul", {}, team.members.map((m) => h("li", {}, m.display_name))),
        h("button", { type: "button", className: "secondary", onclick: () => attempt(ctx, () => ctx.api("/v1/teams/leave", { method: "POST", body: {} })) }, t("team.leave")),
      ]
    : [
        h("p", {}, t("team.none")),
        form("team-name", t("team.name"), t("team.create"), (name) => attempt(ctx, () => ctx.api("/v1/teams", { body: { name } }))),
        form("team-code", t("team.code"), t("team.join"), (code) => attempt(ctx, () => ctx.api("/v1/teams/join", { body: { code } }))),
      ];
  const share = async () => {
    const text = t("friends.invite", { code: invite.code });
    if (navigator.share) await navigator.share({ title: "Lupiae", text, url: location.origin }).catch(() => undefined);
    else await navigator.clipboard?.writeText(invite.code).catch(() => undefined);
  };
  root.replaceChildren(
    h("h2", {}, t("team.title")),
    ...teamPart,
    h("h2", {}, t("friends.title")),
    h("p", { className: "invite", dataset: { code: invite.code } }, t("friends.invite", { code: invite.code })),
    h("button", { type: "button", className: "secondary", onclick: share }, t("friends.share")),
    form("friend-code", t("friends.code"), t("friends.add"), (code) => attempt(ctx, () => ctx.api("/v1/friends", { body: { code } }))),
    friends.friends.length
      ? h("ul", { className: "friends" }, friends.friends.map((f) => h("li", {}, f.display_name)))
      : h("p", { className: "muted" }, t("friends.none")),
  );
}
