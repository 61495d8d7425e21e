"""When a quest is playable and a site is open: local time in Europe/Rome.

A window's `days` name the day it starts on: `{days: [fri], start: "22:00", end: "02:00"}`
covers Friday 22:00 to Saturday 02:00. `end == start` means the whole day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from content.model import Bundle, Schedule, TimeWindow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROME = "Europe/Rome"


@lru_cache(maxsize=8)
def zone(name: str = ROME) -> ZoneInfo:
    return ZoneInfo(name)


def local(at: datetime, timezone: str = ROME) -> datetime:
    if at.tzinfo is None:
        raise ValueError("an aware datetime is needed to find the local time")
    return at.astimezone(zone(timezone))


def local_day(at: datetime, timezone: str = ROME) -> date:
    return local(at, timezone).date()


def play_day(bundle: Bundle, city: str, at: datetime) -> tuple[str, date]:
    """The play day `at` adds: comune `city` and its local date (a distinct-days badge counts
    the days of its own comune, in that comune's time zone)."""
    found = bundle.city(city)
    return city, local_day(at, found.timezone if found is not None else bundle.timezone)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    # "24:00" is a common way to write midnight at the end of a day.
    return time(0, 0) if hours == "24" else time(int(hours), int(minutes))


def window_contains(window: TimeWindow, moment: datetime) -> bool:
    """Whether the local `moment` falls in `window` (which may cross midnight)."""
    start, end = _clock(window.start), _clock(window.end)
    clock = moment.time().replace(tzinfo=None)
    today = WEEKDAYS[moment.weekday()]
    yesterday = WEEKDAYS[(moment.weekday() - 1) % 7]
    if start < end:
        return today in window.days and start <= clock < end
    if start == end:
        return today in window.days
    # Crosses midnight: the evening part belongs to today, the small hours to yesterday.
    return (today in window.days and clock >= start) or (yesterday in window.days and clock < end)


def any_window_contains(windows: list[TimeWindow], at: datetime, timezone: str = ROME) -> bool:
    moment = local(at, timezone)
    return any(window_contains(window, moment) for window in windows)


def schedule_allows(schedule: Schedule | None, at: datetime) -> bool:
    """Date range (inclusive, local dates) and hours of a quest's schedule."""
    if schedule is None:
        return True
    day = local_day(at, schedule.timezone)
    if schedule.from_date is not None and day < schedule.from_date:
        return False
    if schedule.until_date is not None and day > schedule.until_date:
        return False
    return schedule.hours is None or any_window_contains(schedule.hours, at, schedule.timezone)


def next_opening(windows: list[TimeWindow], at: datetime, timezone: str = ROME) -> datetime | None:
    """The next local minute (within a week) at which one of `windows` is open, as UTC-aware."""
    moment = local(at, timezone).replace(second=0, microsecond=0)
    starts = [
        datetime.combine(moment.date() + timedelta(days=offset), _clock(w.start), moment.tzinfo)
        for offset in range(8)
        for w in windows
        if WEEKDAYS[(moment.weekday() + offset) % 7] in w.days
    ]
    future = sorted(s for s in starts if s > moment)
    return future[0] if future else None
