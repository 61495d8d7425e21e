/** How a game event reads to the player. */

import type { I18n } from "../common/i18n";
import type { PlayEvent } from "./play";

type Local = { it?: string; en?: string } | undefined;

export function describeEvent(
  event: PlayEvent,
  i18n: I18n,
  siteName: (slug: string) => string,
  questTitle: (slug: string) => string,
): string {
  const d = event.data;
  const local = (value: unknown) => (value as Local)?.[i18n.language] ?? "";
  const values: Record<string, string | number> = {
    site: siteName(String(d.poi ?? "")),
    quest: questTitle(String(d.quest ?? "")),
    reason: String(d.reason ?? ""),
    badge: local(d.name) || String(d.badge ?? ""),
    coupon: local(d.offer) || String(d.code ?? ""),
    xp: Number(d.xp ?? 0),
  };
  // A held coupon is not good at the till yet: say so (its reason is under Premi, in the
  // player's language). A withheld one's reason is the server's record, in English: the
  // message says it in the player's words instead.
  const kind = event.kind === "coupon.issued" && d.state === "held" ? "coupon.issued.held" : event.kind;
  return i18n.t(`event.${kind}`, values);
}
