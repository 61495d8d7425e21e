"""Players walking the district's streets, and what an independent count of their fixes says.

The walks follow the shipped streets' lines at walking pace, one fix every 3 s. The expected
figures are counted here with shapely (each street's line buffered by half its width, in a
local metric projection), independently of the server's street index.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict

from shapely.geometry import LineString, Point

from content.model import Bundle, Street

HOUR_MS = 3_600_000
STEP_S = 3
MAX_DWELL_S = 1800
GAP_MS = 300_000


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return lon * 111_320.0 * math.cos(math.radians(40.35)), lat * 111_320.0


def walk(line: list[tuple[float, float]], start_ms: int, speed_m_s: float) -> list[dict]:
    """Fixes along `line` ((lon, lat) points) from its first point, every STEP_S seconds."""
    fixes = []
    t = start_ms
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(line):
        x0, y0 = _xy(lon0, lat0)
        x1, y1 = _xy(lon1, lat1)
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / (speed_m_s * STEP_S)))
        for i in range(steps):
            f = i / steps
            fixes.append(
                {
                    "lat": round(lat0 + (lat1 - lat0) * f, 7),
                    "lon": round(lon0 + (lon1 - lon0) * f, 7),
                    "accuracy": 8.0,
                    "ts": t,
                }
            )
            t += STEP_S * 1000
    return fixes


class Oracle:
    """Expected distinct players, passes and dwell per (street, epoch hour)."""

    def __init__(self, bundle: Bundle, city: str) -> None:
        self.streets: list[Street] = [s for s in bundle.streets if s.city == city]
        self.corridors = {
            s.slug: LineString([_xy(lon, lat) for lon, lat in s.line]) for s in self.streets
        }
        self.width = {s.slug: s.width_m / 2 for s in self.streets}
        self.players: defaultdict[tuple[str, int], set[str]] = defaultdict(set)
        self.passes: Counter[tuple[str, int]] = Counter()
        self.dwell: Counter[tuple[str, int]] = Counter()

    def street_at(self, lat: float, lon: float) -> str | None:
        point = Point(_xy(lon, lat))
        inside = [
            (line.distance(point), slug)
            for slug, line in self.corridors.items()
            if line.distance(point) <= self.width[slug]
        ]
        return min(inside)[1] if inside else None

    def add(self, player: str, fixes: list[dict]) -> None:
        run: tuple[str, int] | None = None
        since = last = 0
        for fix in fixes:
            street = self.street_at(fix["lat"], fix["lon"])
            hour = fix["ts"] // HOUR_MS
            cell = None if street is None else (street, hour)
            if run is not None and cell == run and fix["ts"] - last <= GAP_MS:
                last = fix["ts"]
                continue
            if run is not None:
                end = last
                if cell is not None and cell[0] == run[0] and cell[1] == run[1] + 1:
                    end = cell[1] * HOUR_MS
                self.dwell[run] += min(MAX_DWELL_S, (end - since) // 1000)
                continuing = cell is not None and cell[0] == run[0] and cell[1] == run[1] + 1
            else:
                continuing = False
            run = cell
            if cell is not None:
                self.players[cell].add(player)
                self.passes[cell] += 1
                since = cell[1] * HOUR_MS if continuing else fix["ts"]
                last = fix["ts"]
        if run is not None:
            self.dwell[run] += min(MAX_DWELL_S, (last - since) // 1000)
