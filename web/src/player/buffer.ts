/** Fixes waiting to reach the server, persisted in IndexedDB so that a reload keeps them.
 *
 * Every fix goes through here, online or not: it is stored, sent, and deleted only once the
 * server has answered a `ping` sent after it (frames are handled in order, so the `pong` means
 * the fixes before it were evaluated and their events stored). A socket lost in between leaves
 * them here, and they go again, as one `positions` batch, after reconnecting.
 */

import type { Database, Fix } from "../common/store";

export type { Fix };
export type StoredFix = Fix & { id: number };

/** The server evaluates at most this many fixes per `positions` frame. */
export const MAX_BATCH = 600;
/** The server ignores fixes closer than this in device time (LUPIAE_MIN_FIX_INTERVAL_S). */
export const MIN_INTERVAL_MS = 1_000;
/** Oldest fixes are dropped beyond this many (about three hours at one fix per second). */
export const MAX_KEPT = 10_000;

export class FixBuffer {
  private lastTs = -Infinity;

  constructor(private readonly db: Database) {}

  /** Keep a fix; false when it adds nothing (too close in time to the previous one). */
  async add(fix: Fix): Promise<boolean> {
    if (this.lastTs === -Infinity) this.lastTs = (await this.newest())?.ts ?? -Infinity;
    if (fix.ts - this.lastTs < MIN_INTERVAL_MS) return false;
    this.lastTs = fix.ts;
    const clean: Fix = { lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, ts: Math.round(fix.ts) };
    await this.db.add("fixes", clean);
    await this.trim();
    return true;
  }

  /** The oldest fixes, at most one batch. */
  async pending(limit = MAX_BATCH): Promise<StoredFix[]> {
    return (await this.db.getAll("fixes", undefined, limit)) as StoredFix[];
  }

  /** Forget every fix up to and including `id` (the server has them). */
  async ack(id: number): Promise<void> {
    await this.db.delete("fixes", IDBKeyRange.upperBound(id));
  }

  count(): Promise<number> {
    return this.db.count("fixes");
  }

  private async newest(): Promise<StoredFix | null> {
    const cursor = await this.db.transaction("fixes").store.openCursor(null, "prev");
    return (cursor?.value as StoredFix | undefined) ?? null;
  }

  private async trim(): Promise<void> {
    const extra = (await this.count()) - MAX_KEPT;
    if (extra <= 0) return;
    const oldest = (await this.db.getAllKeys("fixes", undefined, extra)).at(-1);
    if (oldest !== undefined) await this.ack(oldest);
  }
}

/** The frame for a batch: one `position`, or one `positions` for several. */
export function frameFor(fixes: Fix[]): Record<string, unknown> {
  const plain = fixes.map(({ lat, lon, accuracy, ts }) => ({ lat, lon, accuracy, ts }));
  return plain.length === 1 ? { type: "position", ...plain[0] } : { type: "positions", fixes: plain };
}
