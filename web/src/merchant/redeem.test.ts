import { describe, expect, it } from "vitest";
import { Redeemer } from "./redeem";

class MemoryStorage implements Storage {
  private data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear() {
    this.data.clear();
  }
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  key(index: number) {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
}

/** A server that redeems a code once and replays by Idempotency-Key, like the real one. */
function server() {
  const seen = new Map<string, Response>();
  const keys: string[] = [];
  let redeemed = 0;
  let failNext = false;
  const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const key = (init?.headers as Record<string, string>)["Idempotency-Key"];
    keys.push(key);
    if (failNext) {
      failNext = false;
      redeemed += 1; // the server did the work, the answer was lost on the way
      seen.set(key, new Response(JSON.stringify({ id: "r1" }), { status: 201 }));
      throw new TypeError("network down");
    }
    const stored = seen.get(key);
    if (stored) return new Response(await stored.clone().text(), { status: 201, headers: { "Idempotency-Replayed": "true" } });
    redeemed += 1;
    const response = new Response(JSON.stringify({ id: "r1" }), { status: 201 });
    seen.set(key, response.clone());
    return response;
  }) as typeof fetch;
  return { fetcher, keys, redeemed: () => redeemed, loseNextAnswer: () => (failNext = true) };
}

describe("redeeming exactly once", () => {
  it("a double tap sends one request", async () => {
    const api = server();
    const redeemer = new Redeemer(new MemoryStorage(), () => "lpm_x", api.fetcher);
    const [a, b] = await Promise.all([redeemer.redeem("K7QM4XPRW", null), redeemer.redeem("K7QM4XPRW", null)]);
    expect(a).toBe(b);
    expect(api.keys).toHaveLength(1);
    expect(redeemer.pending()).toBeNull();
  });

  it("a lost answer is retried with the same key, even after a reload", async () => {
    const api = server();
    const storage = new MemoryStorage();
    const first = new Redeemer(storage, () => "lpm_x", api.fetcher);
    api.loseNextAnswer();
    await expect(first.redeem("K7QM4XPRW", "R-1")).rejects.toThrow("network down");
    expect(first.pending()?.code).toBe("K7QM4XPRW");

    const afterReload = new Redeemer(storage, () => "lpm_x", api.fetcher);
    const outcome = await afterReload.resume();
    expect(outcome).toMatchObject({ status: 201, replayed: true });
    expect(api.keys[0]).toBe(api.keys[1]);
    expect(api.redeemed()).toBe(1);
    expect(afterReload.pending()).toBeNull();
  });

  it("a new sale gets a new key", async () => {
    const api = server();
    const redeemer = new Redeemer(new MemoryStorage(), () => "lpm_x", api.fetcher);
    await redeemer.redeem("K7QM4XPRW", null);
    await redeemer.redeem("K7QM4XPRW", null);
    expect(new Set(api.keys).size).toBe(2);
  });
});
