/** The coupon QR's signed payload, verified in the page (no network) with the published key.
 *
 * `LUP1.<code>.<merchant slug>.<expiry, Unix s, 0 = none>.<Ed25519 signature, base64url>`; the
 * signature covers everything before its dot (rewards/signing.py). A valid signature proves the
 * coupon was issued by Lupiae for that shop and expiry, not that it is unspent. */

import { ed25519 } from "@noble/curves/ed25519.js";

export interface Jwk {
  kty: string;
  crv?: string;
  x?: string;
}

export type QrVerdict =
  | { ok: true; code: string; merchant: string; expiresAt: Date | null; expired: boolean; ours: boolean }
  | { ok: false; reason: "not-lupiae" | "bad-signature" | "no-key" };

export function base64url(text: string): Uint8Array {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function publicKeys(keys: Jwk[]): Uint8Array[] {
  return keys.filter((k) => k.kty === "OKP" && k.crv === "Ed25519" && k.x).map((k) => base64url(k.x ?? ""));
}

function signatureOk(keys: Uint8Array[], message: string, signature: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = base64url(signature);
  } catch {
    return false;
  }
  const data = new TextEncoder().encode(message);
  return keys.some((key) => {
    try {
      return ed25519.verify(bytes, data, key);
    } catch {
      return false;
    }
  });
}

export function verifyPayload(payload: string, keys: Uint8Array[], mySlug: string, now: Date): QrVerdict {
  const cut = payload.lastIndexOf(".");
  const message = payload.slice(0, Math.max(cut, 0));
  const parts = message.split(".");
  if (cut < 0 || parts.length !== 4 || parts[0] !== "LUP1" || !/^\d+$/.test(parts[3])) {
    return { ok: false, reason: "not-lupiae" };
  }
  if (keys.length === 0) return { ok: false, reason: "no-key" };
  if (!signatureOk(keys, message, payload.slice(cut + 1))) return { ok: false, reason: "bad-signature" };
  const expiry = Number(parts[3]);
  const expiresAt = expiry ? new Date(expiry * 1000) : null;
  return {
    ok: true,
    code: parts[1],
    merchant: parts[2],
    expiresAt,
    expired: expiresAt !== null && expiresAt <= now,
    ours: parts[2] === mySlug,
  };
}
