/** The player's session: tokens kept in IndexedDB, the access token refreshed before it expires.
 *
 * Refresh tokens rotate and a reused one revokes the whole family, so two tabs must never
 * refresh the same token: refreshing runs under a Web Lock (when the browser has them), and
 * re-reads the stored session first — another tab may have refreshed it already.
 */

export interface TokenPair {
  player_id: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface Session {
  playerId: string;
  refreshToken: string;
  accessToken: string;
  accessExpiresAt: number;
}

export interface SessionStore {
  load(): Promise<Session | null>;
  save(session: Session | null): Promise<void>;
}

export type Refresher = (refreshToken: string) => Promise<TokenPair>;
export type Locker = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/** Refresh this long before the access token expires (at half its remaining life when that
 * is later: a token with 100 s left is refreshed after 50 s, not 40). */
export const REFRESH_MARGIN_MS = 60_000;

export function sessionFrom(pair: TokenPair, now: number): Session {
  return {
    playerId: pair.player_id,
    refreshToken: pair.refresh_token,
    accessToken: pair.access_token,
    accessExpiresAt: now + pair.expires_in * 1000,
  };
}

export function refreshDelay(session: Session, now: number): number {
  const left = session.accessExpiresAt - now;
  return left <= 0 ? 0 : Math.max(left - REFRESH_MARGIN_MS, left / 2);
}

const webLock: Locker = (name, work) =>
  globalThis.navigator?.locks ? globalThis.navigator.locks.request(name, work) : work();

export class Auth {
  session: Session | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners: Array<(session: Session | null) => void> = [];

  constructor(
    private readonly store: SessionStore,
    private readonly refresher: Refresher,
    private readonly clock: () => number = Date.now,
    private readonly lock: Locker = webLock,
  ) {}

  /** The stored session; kept when the network is away (refreshed when it is back). */
  async restore(): Promise<Session | null> {
    this.session = await this.store.load();
    if (this.session) await this.ensureFresh().catch(() => this.retryLater());
    return this.session;
  }

  async adopt(pair: TokenPair): Promise<Session> {
    const session = sessionFrom(pair, this.clock());
    await this.store.save(session);
    this.set(session);
    return session;
  }

  async signOut(): Promise<void> {
    await this.store.save(null);
    this.set(null);
  }

  onChange(listener: (session: Session | null) => void): void {
    this.listeners.push(listener);
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async token(): Promise<string | null> {
    await this.ensureFresh();
    return this.session?.accessToken ?? null;
  }

  async ensureFresh(): Promise<void> {
    if (this.session && refreshDelay(this.session, this.clock()) <= 0) await this.refresh();
    else this.schedule();
  }

  async refresh(): Promise<void> {
    const used = this.session?.refreshToken;
    if (!used) return;
    await this.lock("lupiae-refresh", async () => {
      const stored = await this.store.load();
      if (stored && stored.refreshToken !== used && refreshDelay(stored, this.clock()) > 0) {
        this.set(stored); // another tab refreshed it
        return;
      }
      try {
        const pair = await this.refresher(used);
        const session = sessionFrom(pair, this.clock());
        await this.store.save(session);
        this.set(session);
      } catch (error) {
        if (isRefused(error)) {
          await this.store.save(null); // revoked or expired: sign in again
          this.set(null);
        } else throw error;
      }
    });
  }

  private set(session: Session | null): void {
    this.session = session;
    this.schedule();
    for (const listener of this.listeners) listener(session);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.session) return;
    this.timer = setTimeout(() => {
      this.refresh().catch(() => this.retryLater());
    }, refreshDelay(this.session, this.clock()));
  }

  private retryLater(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh().catch(() => this.retryLater()), 5_000);
  }
}

function isRefused(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status === 401 || status === 403;
}
