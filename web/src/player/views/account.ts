import { h } from "../../common/dom";
import type { Ctx } from "../context";
import { createPasskey } from "../passkey";

interface Me {
  player_id: string;
  display_name: string;
}
interface Progress {
  xp: number;
  level: number;
  quests_completed: number;
  badges: number;
  sites_visited: number;
}

export async function renderAccount(ctx: Ctx, root: HTMLElement, signOut: () => void): Promise<void> {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const [me, progress, passkeys] = await Promise.all([
    ctx.api<Me>("/v1/me"),
    ctx.api<Progress>("/v1/me/progress"),
    ctx.api<Array<{ id: string }>>("/v1/me/passkeys"),
  ]);
  const result = h("p", { role: "status", className: "passkey-result" });
  const create = async () => {
    try {
      await createPasskey(ctx);
      ctx.toast(t("account.passkey_done"));
      ctx.rerender();
    } catch (error) {
      result.textContent = t("passkey.failed", { message: (error as Error).message });
    }
  };
  root.replaceChildren(
    h("h2", {}, t("account.title")),
    h("p", { className: "player-name", dataset: { player: me.player_id } }, h("strong", {}, me.display_name)),
    h("p", {}, t("account.level", { level: progress.level, xp: progress.xp })),
    h("h3", {}, t("account.keep")),
    h("p", {}, t("account.keep_text")),
    h("p", { className: "passkey-count" }, t("account.passkeys", { count: passkeys.length })),
    h("button", { type: "button", className: "primary", onclick: create }, t("account.passkey_create")),
    result,
    h("hr"),
    h("button", { type: "button", className: "secondary", onclick: signOut }, t("account.signout")),
  );
}
