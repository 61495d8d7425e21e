"""Street footfall from live play, counted as aggregates only (docs/district.md).

For each comune, shopping street and UTC hour the backend (Redis in production) keeps:
- a HyperLogLog of the players seen on the street in that hour (PFADD; distinct players,
  0.81 % standard error), which holds registers, never player ids;
- the number of passes (a player walking onto the street) and their total dwell in seconds
  (INCRBY), so that the mean dwell of a pass is total / passes.

The socket remembers only the street the player is on now and since when (in memory, gone
when the socket closes); nothing about a player's path is written anywhere. The backend is
touched only when a player steps onto a street or off it (or the hour turns), with every
command of the frame in one pipelined round trip. The keys expire after `KEY_TTL_S`; the
`district_footfall` job copies the hours into the database (`street_footfall`) well before.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from game_server.district.streets import StreetIndex
from game_server.kit.pubsub import Backend, BackendUnavailable

log = logging.getLogger(__name__)

HOUR_MS = 3_600_000
KEY_TTL_S = 8 * 24 * 3600.0  # the flush job runs every few minutes; a week of outage is lost
MAX_DWELL_S = 30 * 60  # one pass counts at most half an hour (a phone left on a table)
GAP_MS = 5 * 60_000  # no fix for five minutes: the pass ended at the last fix


def hour_of(ts_ms: int) -> int:
    """The epoch hour (UTC) of a time in ms."""
    return ts_ms // HOUR_MS


def keys(city: str, street: str, hour: int) -> tuple[str, str, str]:
    """The distinct-players, passes and dwell keys of one street and epoch hour."""
    base = f"lupiae:footfall:{city}:{street}:{hour}"
    return f"{base}:players", f"{base}:passes", f"{base}:dwell"


@dataclass(slots=True)
class OnStreet:
    """Where one socket's player is now: the street, the hour counted, the pass's times."""

    city: str
    street: str
    hour: int
    since_ms: int
    last_ms: int


@dataclass(slots=True)
class Tally:
    """What one frame adds to the backend (sent in one round trip)."""

    distinct: list[tuple[str, str]]
    increments: list[tuple[str, int]]

    def __bool__(self) -> bool:
        return bool(self.distinct or self.increments)


def step(
    index: StreetIndex,
    player_id: uuid.UUID,
    current: OnStreet | None,
    lat: float,
    lon: float,
    ts_ms: int,
    tally: Tally,
) -> OnStreet | None:
    """The player's street after an accepted fix at (lat, lon, ts_ms); what changed is added
    to `tally`. A fix older than the last one counted changes nothing.

    Each stretch of time on one street within one hour is a pass of that hour: it counts the
    player (distinct) and one pass when it starts, and its dwell when it ends.
    """
    if current is not None and ts_ms < current.last_ms:
        return current
    if current is not None and ts_ms - current.last_ms > GAP_MS:
        leave(current, tally)
        current = None
    found = index.locate(lat, lon) if index else None
    hour = hour_of(ts_ms)
    continuing = False
    if current is not None:
        same = found == (current.city, current.street)
        if same and hour == current.hour:
            current.last_ms = ts_ms
            return current
        if same:  # the hour turned while on the street: the pass goes on in the new hour
            current.last_ms = hour * HOUR_MS
            continuing = True
        leave(current, tally)
    if found is None:
        return None
    city, street = found
    players, passes, _ = keys(city, street, hour)
    tally.distinct.append((players, str(player_id)))
    tally.increments.append((passes, 1))
    return OnStreet(city, street, hour, hour * HOUR_MS if continuing else ts_ms, ts_ms)


def leave(current: OnStreet, tally: Tally) -> None:
    """The pass ends (or its hour does): its dwell, capped, goes to its hour."""
    _, _, dwell = keys(current.city, current.street, current.hour)
    seconds = min(MAX_DWELL_S, max(0, (current.last_ms - current.since_ms) // 1000))
    if seconds:
        tally.increments.append((dwell, int(seconds)))


async def send(backend: Backend, tally: Tally) -> None:
    """One round trip; footfall is best effort: a backend outage loses counts, not play."""
    if not tally:
        return
    try:
        await backend.tally(tally.distinct, tally.increments, KEY_TTL_S)
    except BackendUnavailable as exc:
        log.warning("street footfall not counted: %s", exc)
