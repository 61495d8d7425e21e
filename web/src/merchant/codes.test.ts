import { describe, expect, it } from "vitest";
import { ALPHABET, checkTyped, display, isValid } from "./codes";

// Made by rewards/codes.py (check_character("K7QM4XPR") == "W").
const CODE = "K7QM4XPRW";

describe("coupon codes", () => {
  it("accepts the server's code however it is typed", () => {
    expect(isValid(CODE)).toBe(true);
    expect(checkTyped("k7qm-4xpr-w")).toEqual({ state: "valid", code: CODE });
    expect(display(CODE)).toBe("K7QM-4XPR-W");
  });

  it("catches every single wrong character and every swap of neighbours", () => {
    for (let i = 0; i < CODE.length; i++) {
      for (const c of ALPHABET) {
        if (c === CODE[i]) continue;
        expect(isValid(CODE.slice(0, i) + c + CODE.slice(i + 1))).toBe(false);
      }
      if (i + 1 < CODE.length && CODE[i] !== CODE[i + 1]) {
        expect(isValid(CODE.slice(0, i) + CODE[i + 1] + CODE[i] + CODE.slice(i + 2))).toBe(false);
      }
    }
  });

  it("says what is wrong while typing", () => {
    expect(checkTyped("")).toEqual({ state: "empty" });
    expect(checkTyped("K7Q")).toEqual({ state: "partial", typed: 3 });
    expect(checkTyped("K7Q0")).toEqual({ state: "foreign", characters: "0" });
    expect(checkTyped("K7QM4XPRX")).toEqual({ state: "typo" });
    expect(checkTyped("K7QM4XPRWW")).toEqual({ state: "too-long" });
  });
});
