"""Presence that holds in server time: how fast a walker could complete a quest's steps.

A coupon-bearing quest pays its coupon only if, in server time (when the server recorded
each step), every step followed the previous one no faster than a walk: the distance between
the two sites' fences at `walk_mps`, plus the dwell the next site needs before any step there
can complete. Fixes uploaded late still make visits, XP and badges; they cannot make the
server-time record of a coupon. See docs/anti-cheat.md.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime

from content.model import Poi, Quest
from geo.frame import distance_m

DEFAULT_WALK_MPS = 2.5  # a brisk walk: an honest walker (1.4 m/s) has a margin of 80 %
MAX_PERMUTED_SITES = 8


@dataclass(frozen=True, slots=True)
class Leg:
    """Two consecutive step completions of one run, in server time."""

    from_poi: str
    to_poi: str
    seen_s: float
    needed_s: float

    @property
    def too_fast(self) -> bool:
        return self.seen_s < self.needed_s


def reach_m(poi: Poi) -> float:
    """How far from its centre the fence reaches (a circle's radius, a polygon's farthest
    vertex): the distance between two fences is at least the centres' minus both reaches."""
    if poi.polygon:
        return max(distance_m(poi.lat, poi.lon, lat, lon) for lon, lat in poi.polygon)
    return float(poi.radius_m or 0)


def gap_m(a: Poi, b: Poi) -> float:
    if a.slug == b.slug:
        return 0.0
    return max(0.0, distance_m(a.lat, a.lon, b.lat, b.lon) - reach_m(a) - reach_m(b))


def arrival_dwell_s(quest: Quest, poi: Poi, default_dwell_s: float) -> float:
    """The least time between arriving at a site and any of the quest's steps there
    completing: 0 when a quiz is answered there (on entering), else the visit's dwell."""
    steps = [s for s in quest.steps if s.poi == poi.slug]
    if any(s.kind == "quiz" for s in steps):
        return 0.0
    return float(poi.dwell_s if poi.dwell_s is not None else default_dwell_s)


def leg_s(quest: Quest, a: Poi, b: Poi, walk_mps: float, default_dwell_s: float) -> float:
    """The least time from a step at `a` to one at `b`: the walk between the fences, then
    the dwell at `b` — unless the fences touch, when that dwell may run while still at `a`
    (Santa Croce and the Celestini palace: one stand is in both)."""
    gap = gap_m(a, b)
    if gap == 0:
        return 0.0
    return gap / walk_mps + arrival_dwell_s(quest, b, default_dwell_s)


def legs(
    quest: Quest,
    pois: dict[str, Poi],
    completed: dict[str, datetime],
    *,
    walk_mps: float,
    default_dwell_s: float,
) -> list[Leg]:
    """The legs between consecutive step completions (server time), with the time each
    needed at `walk_mps`. Steps at the same site make no leg."""
    site = {s.id: s.poi for s in quest.steps}
    done = sorted((at, site[step]) for step, at in completed.items() if step in site)
    out = []
    for (t0, a), (t1, b) in itertools.pairwise(done):
        if a == b or a not in pois or b not in pois:
            continue
        needed = leg_s(quest, pois[a], pois[b], walk_mps, default_dwell_s)
        out.append(Leg(a, b, (t1 - t0).total_seconds(), round(needed, 1)))
    return out


def shortest_walk_s(
    quest: Quest, pois: dict[str, Poi], *, walk_mps: float, default_dwell_s: float
) -> float:
    """The least server time the whole quest can take (any order: the best order)."""
    sites = list(dict.fromkeys(s.poi for s in quest.steps if s.poi in pois))
    if quest.order == "sequence" or len(sites) > MAX_PERMUTED_SITES:
        orders: list[tuple[str, ...]] = [tuple(sites)]
    else:
        orders = list(itertools.permutations(sites))
    best = math.inf
    for order in orders:
        total = sum(
            leg_s(quest, pois[a], pois[b], walk_mps, default_dwell_s)
            for a, b in itertools.pairwise(order)
        )
        best = min(best, total)
    return 0.0 if best == math.inf else best
