import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { I18n } from "../common/i18n";
import { describeEvent } from "./events";
import { messages } from "./messages";
import type { PlayEvent } from "./play";

/** The event kinds the server sends, as the AsyncAPI document lists them. */
function documentedKinds(): string[] {
  const asyncapi = readFileSync(new URL("../../../docs/asyncapi.yaml", import.meta.url), "utf8");
  const found = /kind:\s*\n\s*type: string\s*\n\s*enum: \[([^\]]+)\]/.exec(asyncapi);
  if (!found) throw new Error("no event kind enum in docs/asyncapi.yaml");
  return found[1].split(",").map((kind) => kind.trim());
}

const memory = () => {
  const values = new Map<string, string>();
  return { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) } as unknown as Storage;
};

function read(kind: string, data: Record<string, unknown>, language: "it" | "en" = "it"): string {
  const i18n = new I18n(messages, memory());
  i18n.set(language);
  const event = { seq: 1, kind, data } as unknown as PlayEvent;
  return describeEvent(event, i18n, (slug) => `site:${slug}`, (slug) => `quest:${slug}`);
}

describe("game events as the player reads them", () => {
  it("every kind the server sends has words in both languages", () => {
    const kinds = documentedKinds();
    expect(kinds).toContain("coupon.withheld");
    for (const kind of kinds) {
      expect(messages.it[`event.${kind}`], `${kind} in Italian`).toBeTruthy();
      expect(messages.en[`event.${kind}`], `${kind} in English`).toBeTruthy();
    }
  });

  it("a coupon issued held says it is being checked", () => {
    const offer = { it: "Un caffè", en: "A coffee" };
    expect(read("coupon.issued", { offer, code: "K7QM-4XPR-W" })).toBe("Nuovo buono: Un caffè");
    expect(read("coupon.issued", { offer, state: "held", hold_reason: "risk score 12 ≥ 10: a moderator checks" })).toBe(
      "Nuovo buono, in verifica: Un caffè",
    );
    expect(read("coupon.issued", { offer, state: "held" }, "en")).toBe("New coupon, being checked: A coffee");
  });

  it("a withheld coupon says why in the player's words, not the server's record", () => {
    const data = { template: "caffe", quest: "porte", run: 1, reason: "napoli → rudiae took 40 s in server time; a walk needs 300 s" };
    expect(read("coupon.withheld", data)).toBe(
      "Nessun buono per quest:porte: le tappe risultano più veloci di una camminata.",
    );
    expect(read("coupon.withheld", data, "en")).toBe("No coupon for quest:porte: the steps were faster than a walk.");
  });
});
