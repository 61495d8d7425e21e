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
  return i18n.t(`event.${event.kind}`, values);
}
