import { describe, expect, it } from "vitest";
import { publicKeys, verifyPayload } from "./qr";

// Made by rewards/signing.py with a test secret: the page must accept exactly what it signs.
const JWK = { kty: "OKP", crv: "Ed25519", x: "LVxX6-xgzuYuJp1wUYH6qwL6MqPL56qOYMlgcY_Wlgw" };
const PAYLOAD =
  "LUP1.K7QM4XPRW.bar-della-piazza-demo.1893456000." +
  "6VbVbVs1LitvZ_9nuLdSOTz1j1SEfxncv_9sEadFXo96S7apBqSyrpIf0gSxTpCSzzw3qry43VMdxqp1URTiAg";
const KEYS = publicKeys([JWK]);
const NOW = new Date("2026-11-30T12:00:00Z");

describe("the coupon QR's signature", () => {
  it("verifies a payload signed by the server", () => {
    expect(verifyPayload(PAYLOAD, KEYS, "bar-della-piazza-demo", NOW)).toEqual({
      ok: true,
      code: "K7QM4XPRW",
      merchant: "bar-della-piazza-demo",
      expiresAt: new Date(1893456000 * 1000),
      expired: false,
      ours: true,
    });
  });

  it("says another shop's and expired coupons apart", () => {
    const other = verifyPayload(PAYLOAD, KEYS, "libreria", NOW);
    expect(other.ok && other.ours).toBe(false);
    const later = verifyPayload(PAYLOAD, KEYS, "bar-della-piazza-demo", new Date("2031-01-01"));
    expect(later.ok && later.expired).toBe(true);
  });

  it("refuses a forged or altered payload", () => {
    const forged = PAYLOAD.replace("bar-della-piazza-demo", "caffe-alvino");
    expect(verifyPayload(forged, KEYS, "caffe-alvino", NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyPayload(PAYLOAD.slice(0, -3) + "AAA", KEYS, "x", NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyPayload("hello", KEYS, "x", NOW)).toEqual({ ok: false, reason: "not-lupiae" });
    expect(verifyPayload(PAYLOAD, [], "x", NOW)).toEqual({ ok: false, reason: "no-key" });
  });
});
