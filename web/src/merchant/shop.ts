/** The shop's session and its calls to the merchant API. The API key lives in sessionStorage
 * only (gone with the tab); the public keys that verify QR codes are not secret and are kept
 * in localStorage so that a reload without network can still check a signature. */

import { apiHeaders, problem, request } from "../common/api";
import type { Jwk } from "./qr";

const KEY_SLOT = "lupiae.merchant.key";
const JWKS_SLOT = "lupiae.merchant.jwks";

export interface Shop {
  slug: string;
  name: string;
}

export interface Redemption {
  id: string;
  code: string;
  template: string;
  offer: { it: string; en: string };
  reference: string | null;
  redeemed_at: string;
  voided_at: string | null;
  void_until: string;
}

export interface Totals {
  merchant: Shop;
  redeemed: number;
  voided: number;
}

export interface CouponCheck {
  code: string;
  state: "redeemable" | "redeemed" | "expired" | "held" | "refused";
  offer: { it: string; en: string };
  expires_at: string | null;
  redeemed_at: string | null;
}

/** Today in Lecce (the API reads a bare date as that whole day, Lecce time). */
export function today(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(now);
}

export class ShopApi {
  apiKey(): string {
    return sessionStorage.getItem(KEY_SLOT) ?? "";
  }

  signedIn(): boolean {
    return this.apiKey() !== "";
  }

  /** Check the key by reading today's totals (they name the shop); keep it if it works. */
  async signIn(key: string): Promise<Totals> {
    const totals = await request<Totals>(`/merchant/v1/totals?from=${today()}&to=${today()}`, { token: key });
    sessionStorage.setItem(KEY_SLOT, key);
    return totals;
  }

  signOut(): void {
    sessionStorage.clear();
  }

  totals(): Promise<Totals> {
    return request<Totals>(`/merchant/v1/totals?from=${today()}&to=${today()}`, { token: this.apiKey() });
  }

  async history(): Promise<Redemption[]> {
    const page = await request<{ items: Redemption[] }>(
      `/merchant/v1/redemptions?from=${today()}&to=${today()}&limit=500`,
      { token: this.apiKey() },
    );
    return page.items;
  }

  check(code: string): Promise<CouponCheck> {
    return request<CouponCheck>(`/merchant/v1/coupons/${encodeURIComponent(code)}`, { token: this.apiKey() });
  }

  void(id: string): Promise<Redemption> {
    return request<Redemption>(`/merchant/v1/redemptions/${id}/void`, { method: "POST", token: this.apiKey() });
  }

  async csv(from: string, to: string): Promise<Blob> {
    const response = await fetch(`/merchant/v1/redemptions?from=${from}&to=${to}&format=csv`, {
      headers: { Authorization: `Bearer ${this.apiKey()}`, ...apiHeaders() },
    });
    if (!response.ok) {
      const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      throw problem(response.status, response.statusText, data);
    }
    return response.blob();
  }

  /** The published public keys, fetched when online and remembered for offline checks. */
  /** This shop's own figures over the last 30 days (GET /merchant/v1/figures). */
  async figures(from: string, to: string): Promise<Figures> {
    return request<Figures>(`/merchant/v1/figures?from=${from}&to=${to}`, { token: this.apiKey() });
  }

  async publicKeys(): Promise<Jwk[]> {
    try {
      const jwks = await request<{ keys: Jwk[] }>("/merchant/v1/keys");
      localStorage.setItem(JWKS_SLOT, JSON.stringify(jwks.keys));
      return jwks.keys;
    } catch {
      return JSON.parse(localStorage.getItem(JWKS_SLOT) ?? "[]") as Jwk[];
    }
  }
}

export interface Figures {
  merchant: string;
  issued: number;
  redeemed: number;
  voided: number;
  expired: number;
  redemption_rate: number | null;
  median_hours_to_redeem: number | null;
  k: number;
  streets: { slug: string; name: { it: string; en: string }; players: number | null; baseline_players: number | null }[];
}
