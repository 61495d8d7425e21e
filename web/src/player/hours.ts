/** Opening hours of a site: windows of local time in Europe/Rome (content/model.py TimeWindow). */

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export interface TimeWindow {
  days: Weekday[];
  start: string; // "HH:MM"
  end: string; // earlier than start: past midnight
}

const DAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const parts = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Rome",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** Day of week and "HH:MM" in Lecce at `at`. */
export function lecceTime(at: Date): { day: Weekday; time: string } {
  const values = Object.fromEntries(parts.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: values.weekday.slice(0, 3).toLowerCase() as Weekday, time: `${values.hour}:${values.minute}` };
}

export function isOpen(windows: TimeWindow[] | null | undefined, at: Date): boolean | null {
  if (!windows?.length) return null; // not known
  const { day, time } = lecceTime(at);
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7];
  return windows.some((w) => {
    if (w.end > w.start) return w.days.includes(day) && time >= w.start && time < w.end;
    return (w.days.includes(day) && time >= w.start) || (w.days.includes(yesterday) && time < w.end);
  });
}

/** "mon–fri 09:00–13:00" style lines, day names from `dayName`. */
export function describe(windows: TimeWindow[], dayName: (day: Weekday) => string): string[] {
  return windows.map((w) => `${w.days.map(dayName).join(", ")} ${w.start}–${w.end}`);
}
