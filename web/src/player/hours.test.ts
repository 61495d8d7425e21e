import { describe as group, expect, it } from "vitest";
import { isOpen, lecceTime, type TimeWindow } from "./hours";

const morning: TimeWindow = { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "13:00" };
const night: TimeWindow = { days: ["sat"], start: "21:00", end: "02:00" };

group("opening hours", () => {
  it("reads the time in Lecce, not the device's zone", () => {
    // 2026-07-06 is a Monday; 07:30 UTC is 09:30 in Lecce (CEST).
    expect(lecceTime(new Date("2026-07-06T07:30:00Z"))).toEqual({ day: "mon", time: "09:30" });
  });

  it("open inside a window, closed outside, unknown without hours", () => {
    expect(isOpen([morning], new Date("2026-07-06T07:30:00Z"))).toBe(true);
    expect(isOpen([morning], new Date("2026-07-06T11:00:00Z"))).toBe(false); // 13:00 closes
    expect(isOpen([morning], new Date("2026-07-05T07:30:00Z"))).toBe(false); // Sunday
    expect(isOpen(null, new Date())).toBeNull();
  });

  it("a window past midnight belongs to the day it started", () => {
    expect(isOpen([night], new Date("2026-07-11T22:00:00Z"))).toBe(true); // sun 00:00, saturday night
    expect(isOpen([night], new Date("2026-07-11T23:30:00Z"))).toBe(true); // sun 01:30, still saturday night
    expect(isOpen([night], new Date("2026-07-12T00:30:00Z"))).toBe(false); // sun 02:30
    expect(isOpen([night], new Date("2026-07-12T22:00:00Z"))).toBe(false); // sun→mon 00:00
  });
});
