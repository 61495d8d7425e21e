import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth, REFRESH_MARGIN_MS, refreshDelay, type Session, type SessionStore, type TokenPair } from "./auth";

function memoryStore(initial: Session | null = null): SessionStore & { value: Session | null } {
  return {
    value: initial,
    async load() {
      return this.value ? { ...this.value } : null;
    },
    async save(session) {
      this.value = session ? { ...session } : null;
    },
  };
}

let counter = 0;
function pair(expiresIn = 900): TokenPair {
  counter += 1;
  return { player_id: "p1", access_token: `access-${counter}`, refresh_token: `refresh-${counter}`, expires_in: expiresIn };
}

const noLock = <T>(_: string, work: () => Promise<T>) => work();

describe("token refresh", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("refreshes a 15-minute token one minute before it expires, then again", async () => {
    const refresher = vi.fn(async () => pair());
    const auth = new Auth(memoryStore(), refresher, Date.now, noLock);
    await auth.adopt(pair());
    await vi.advanceTimersByTimeAsync(900_000 - REFRESH_MARGIN_MS - 1);
    expect(refresher).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresher).toHaveBeenCalledTimes(1);
    expect(refresher).toHaveBeenCalledWith("refresh-1");
    expect(auth.session?.accessToken).toBe("access-2");
    await vi.advanceTimersByTimeAsync(900_000 - REFRESH_MARGIN_MS);
    expect(refresher).toHaveBeenCalledTimes(2);
    expect(refresher).toHaveBeenLastCalledWith("refresh-2");
  });

  it("never sends a refresh token twice: a token rotated by another tab is adopted", async () => {
    const store = memoryStore();
    const refresher = vi.fn(async () => pair());
    const auth = new Auth(store, refresher, Date.now, noLock);
    await auth.adopt(pair());
    store.value = { ...store.value!, refreshToken: "from-other-tab", accessToken: "other-access", accessExpiresAt: Date.now() + 900_000 };
    await auth.refresh();
    expect(refresher).not.toHaveBeenCalled();
    expect(auth.session?.accessToken).toBe("other-access");
  });

  it("a token already expired at restore is refreshed before use", async () => {
    const store = memoryStore({ playerId: "p1", refreshToken: "old", accessToken: "stale", accessExpiresAt: Date.now() - 1 });
    const refresher = vi.fn(async () => pair());
    const auth = new Auth(store, refresher, Date.now, noLock);
    await auth.restore();
    expect(refresher).toHaveBeenCalledWith("old");
    expect(await auth.token()).toMatch(/^access-/);
    expect(store.value?.refreshToken).toMatch(/^refresh-/);
  });

  it("a refused refresh signs out; a network failure keeps the session and retries", async () => {
    const store = memoryStore();
    const refresher = vi.fn(async (): Promise<TokenPair> => {
      throw new TypeError("network down");
    });
    const auth = new Auth(store, refresher, Date.now, noLock);
    await auth.adopt(pair(120));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(refresher).toHaveBeenCalledTimes(1);
    expect(auth.session).not.toBeNull();
    refresher.mockImplementation(async () => {
      throw Object.assign(new Error("revoked"), { status: 401 });
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(refresher).toHaveBeenCalledTimes(2);
    expect(auth.session).toBeNull();
    expect(store.value).toBeNull();
  });

  it("an expired token restored without network keeps the session and retries later", async () => {
    const store = memoryStore({ playerId: "p1", refreshToken: "old", accessToken: "stale", accessExpiresAt: Date.now() - 1 });
    const refresher = vi.fn(async (): Promise<TokenPair> => {
      throw new TypeError("Failed to fetch");
    });
    const auth = new Auth(store, refresher, Date.now, noLock);
    expect((await auth.restore())?.playerId).toBe("p1");
    refresher.mockImplementation(async () => pair());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(refresher).toHaveBeenCalledTimes(2);
    expect(store.value?.refreshToken).toMatch(/^refresh-/);
  });

  it("refreshes at half the remaining life of a short token, at once when expired", () => {
    const session: Session = { playerId: "p", refreshToken: "r", accessToken: "a", accessExpiresAt: 900_000 };
    expect(refreshDelay(session, 0)).toBe(840_000);
    expect(refreshDelay({ ...session, accessExpiresAt: 100_000 }, 0)).toBe(50_000);
    expect(refreshDelay({ ...session, accessExpiresAt: 30_000 }, 0)).toBe(15_000);
    expect(refreshDelay({ ...session, accessExpiresAt: -1 }, 0)).toBe(0);
  });
});
