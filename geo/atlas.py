"""Several regions (comuni), each with its own tracker, behind one `process`.

Each region keeps its own fence index and play area in its own local frame (Lecce and
Bergamo lie 800 km apart: one tangent plane cannot hold both). A fix is handed to the region
whose bounding box holds it, found through a coarse grid of lon/lat cells: one dict lookup and
a few comparisons whatever the number of regions, so a fix costs the same with one comune or
many. A fix in no region goes to the first region, whose screen rejects it as outside_area
(it still anchors the movement checks).

Arriving in another region (the last accepted position lies outside the new region's box)
is a journey, not a walk: the movement checks start again from the first fix there, which
holds the player for the teleport cooldown, as a teleport does. Without this, a player who
flew from Lecce to Bergamo would have every fix refused as `implausible_speed` (800 km from
the last anchor) for fifteen hours; a spoofer hopping between comuni stays on hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.events import GeoEvent, Outcome
from geo.fences import Fence
from geo.fix import Fix
from geo.settings import GeoSettings
from geo.state import TrackerState
from geo.tracker import Tracker

BBox = tuple[float, float, float, float]  # west, south, east, north
CELL_DEG = 0.25  # the dispatch grid: about 28 km north-south


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    bbox: BBox
    tracker: Tracker


class Atlas:
    """Pure and stateless like `Tracker`: process() maps (state, fix, now) to (state, outcomes).

    Presences in another region's fences end with an `exit` when the player's fixes move to
    a region that does not know them.
    """

    __slots__ = ("_cells", "_first", "_hold_ms", "_owner", "fences", "regions")

    def __init__(self, regions: Sequence[Region], settings: GeoSettings | None = None) -> None:
        if not regions:
            raise ValueError("an atlas needs at least one region")
        names = [r.name for r in regions]
        if len(set(names)) != len(names):
            raise ValueError("region names must be unique")
        self.regions = tuple(regions)
        self._first = regions[0]
        self.fences: tuple[Fence, ...] = tuple(f for r in regions for f in r.tracker.index.fences)
        self._owner = {f.slug: r.name for r in regions for f in r.tracker.index.fences}
        if len(self._owner) != len(self.fences):
            raise ValueError("fence slugs must be unique across regions")
        self._cells = _grid(self.regions)
        self._hold_ms = round((settings or GeoSettings()).teleport_cooldown_s * 1000)

    def region_at(self, lat: float, lon: float) -> Region | None:
        """The region whose bounding box holds the point (the first listed, if several)."""
        candidates = self._cells.get((math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)))
        if candidates:
            for region in candidates:
                west, south, east, north = region.bbox
                if south <= lat <= north and west <= lon <= east:
                    return region
        return None

    def region_of_fence(self, slug: str) -> str | None:
        return self._owner.get(slug)

    def process(
        self, state: TrackerState, fix: Fix, now_ms: int
    ) -> tuple[TrackerState, list[Outcome]]:
        """Evaluate one fix with the tracker of the region it lies in."""
        region = self.region_at(fix.lat, fix.lon) or self._first
        anchor = state.anchor
        if (
            anchor is not None
            and not _holds(region.bbox, anchor.lat, anchor.lon)
            and self.region_at(anchor.lat, anchor.lon) is not None
        ):
            state = self._arrival(state, fix, region)
        if not state.presences:
            return region.tracker.process(state, fix, now_ms)
        name = region.name
        owner = self._owner
        if all(owner.get(p.fence) == name for p in state.presences):
            return region.tracker.process(state, fix, now_ms)
        left = [p for p in state.presences if owner.get(p.fence) != name]
        kept = tuple(p for p in state.presences if owner.get(p.fence) == name)
        state = TrackerState(state.recent_ts, state.anchor, state.hold_until_ms, kept)
        state, outcomes = region.tracker.process(state, fix, now_ms)
        return state, [*(GeoEvent("exit", p.fence, fix.ts_ms) for p in left), *outcomes]

    def _arrival(self, state: TrackerState, fix: Fix, region: Region) -> TrackerState:
        """Forget the other region's anchor; hold credit for the cooldown from this fix."""
        hold = max(state.hold_until_ms, fix.ts_ms + self._hold_ms)
        return TrackerState(state.recent_ts, None, hold, state.presences)

    def process_batch(
        self, state: TrackerState, fixes: Iterable[Fix], now_ms: int
    ) -> tuple[TrackerState, list[Outcome]]:
        """Evaluate buffered fixes in device-time order; same result as one by one."""
        outcomes: list[Outcome] = []
        for fix in sorted(fixes, key=lambda f: (f.ts_ms, f.lat, f.lon, f.accuracy_m, f.mock)):
            state, produced = self.process(state, fix, now_ms)
            outcomes.extend(produced)
        return state, outcomes


def _holds(bbox: BBox, lat: float, lon: float) -> bool:
    west, south, east, north = bbox
    return south <= lat <= north and west <= lon <= east


def _grid(regions: Sequence[Region]) -> dict[tuple[int, int], tuple[Region, ...]]:
    cells: dict[tuple[int, int], list[Region]] = {}
    for region in regions:
        west, south, east, north = region.bbox
        for iy in range(math.floor(south / CELL_DEG), math.floor(north / CELL_DEG) + 1):
            for ix in range(math.floor(west / CELL_DEG), math.floor(east / CELL_DEG) + 1):
                cells.setdefault((iy, ix), []).append(region)
    return {cell: tuple(found) for cell, found in cells.items()}
