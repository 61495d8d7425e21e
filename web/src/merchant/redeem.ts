/** Redeem exactly once. An attempt (code, reference and a fresh Idempotency-Key) is written to
 * sessionStorage before the first request and removed only when the server has answered; a
 * double tap joins the request in flight, and a retry or a reload sends the same key again, so
 * the server replays its first answer instead of redeeming twice (docs/merchants.md). */

import { apiHeaders } from "../common/api";

export interface Attempt {
  key: string;
  code: string;
  reference: string | null;
  startedAt: number;
}

export interface Outcome {
  status: number;
  replayed: boolean;
  body: Record<string, unknown>;
}

const SLOT = "lupiae.merchant.attempt";

export class Redeemer {
  private inFlight: Promise<Outcome> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly apiKey: () => string,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  /** The attempt left unanswered (e.g. by a reload), to be sent again. */
  pending(): Attempt | null {
    const raw = this.storage.getItem(SLOT);
    return raw ? (JSON.parse(raw) as Attempt) : null;
  }

  /** Start an attempt for this code, or join the one already pending for it. */
  redeem(code: string, reference: string | null): Promise<Outcome> {
    if (this.inFlight) return this.inFlight;
    let attempt = this.pending();
    if (!attempt || attempt.code !== code || attempt.reference !== reference) {
      attempt = { key: crypto.randomUUID(), code, reference, startedAt: Date.now() };
      this.storage.setItem(SLOT, JSON.stringify(attempt));
    }
    return this.send(attempt);
  }

  /** Send the pending attempt again (after a timeout, a lost network or a reload). */
  resume(): Promise<Outcome> | null {
    if (this.inFlight) return this.inFlight;
    const attempt = this.pending();
    return attempt ? this.send(attempt) : null;
  }

  /** The cashier gives up on an unanswered attempt (a new sale gets a new key). */
  abandon(): void {
    this.storage.removeItem(SLOT);
  }

  private send(attempt: Attempt): Promise<Outcome> {
    this.inFlight = this.post(attempt).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async post(attempt: Attempt): Promise<Outcome> {
    const body: Record<string, string> = { code: attempt.code };
    if (attempt.reference) body.reference = attempt.reference;
    const response = await this.fetcher("/merchant/v1/redemptions", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${this.apiKey()}`,
        "Idempotency-Key": attempt.key,
        "Content-Type": "application/json",
        Accept: "application/json",
        ...apiHeaders(),
      },
      body: JSON.stringify(body),
    });
    const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    // In flight elsewhere (another tab, a request cut by a reload): keep the key and retry.
    const settled = response.status !== 409 || !String(data.type ?? "").endsWith("idempotency-in-flight");
    if (settled && response.status < 500 && response.status !== 429) this.storage.removeItem(SLOT);
    return { status: response.status, replayed: response.headers.get("Idempotency-Replayed") === "true", body: data };
  }
}
