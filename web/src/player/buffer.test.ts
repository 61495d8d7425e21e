import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { openStore } from "../common/store";
import { FixBuffer, MAX_BATCH, frameFor } from "./buffer";

let n = 0;
const fresh = () => openStore(`test-${++n}`);
const fix = (ts: number) => ({ lat: 40.35 + ts / 1e9, lon: 18.17, accuracy: 8, ts });

describe("the fix buffer", () => {
  it("keeps fixes across a reload (a new buffer on the same database)", async () => {
    const name = `reload-${++n}`;
    const first = new FixBuffer(await openStore(name));
    for (let ts = 1_000; ts <= 5_000; ts += 1_000) await first.add(fix(ts));
    const again = new FixBuffer(await openStore(name));
    expect((await again.pending()).map((f) => f.ts)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(await again.add(fix(5_500))).toBe(false); // remembers the newest fix's time
    expect(await again.add(fix(6_000))).toBe(true);
  });

  it("drops fixes closer than a second to the previous one", async () => {
    const buffer = new FixBuffer(await fresh());
    expect(await buffer.add(fix(10_000))).toBe(true);
    expect(await buffer.add(fix(10_400))).toBe(false);
    expect(await buffer.add(fix(11_000))).toBe(true);
    expect(await buffer.count()).toBe(2);
  });

  it("forgets only what was acknowledged, in order", async () => {
    const buffer = new FixBuffer(await fresh());
    for (let ts = 1_000; ts <= 4_000; ts += 1_000) await buffer.add(fix(ts));
    const batch = await buffer.pending(2);
    expect(batch.map((f) => f.ts)).toEqual([1_000, 2_000]);
    await buffer.add(fix(5_000)); // taken while the batch was on its way
    await buffer.ack(batch[1].id);
    expect((await buffer.pending()).map((f) => f.ts)).toEqual([3_000, 4_000, 5_000]);
  });

  it("sends at most one server batch at a time", async () => {
    const buffer = new FixBuffer(await fresh());
    for (let i = 0; i < MAX_BATCH + 5; i++) await buffer.add(fix(1_000 * (i + 1)));
    expect((await buffer.pending()).length).toBe(MAX_BATCH);
  });

  it("frames one fix as `position`, several as one `positions` batch, ids stripped", () => {
    expect(frameFor([{ ...fix(1_000), id: 1 } as never])).toEqual({ type: "position", ...fix(1_000) });
    const batch = frameFor([fix(1_000), fix(2_000)]);
    expect(batch).toEqual({ type: "positions", fixes: [fix(1_000), fix(2_000)] });
  });
});
