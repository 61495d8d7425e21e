"""Both comuni together: µs per fix through the game's geo engine (`geo.Atlas`), each comune's
walk processed by an engine holding that comune alone and by one holding Lecce and Bergamo.

Part of `make bench-geo`. Target: with both comuni, within 10% of one comune alone. Passes
alternate between the two engines, each timed in this thread's CPU time (not wall time: on a
shared machine a pass may wait for a core), so that a busy machine slows both alike.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon

from content.model import Bundle
from content.sources import load_bundle
from game_server.gateway.world import region_of
from geo import Atlas, Fix, GeoSettings, LocalFrame, Region, TrackerState

PASSES = 101
FIXES = 1_000
TARGET = 1.10


def _walk(outline: Polygon, rng: random.Random) -> list[Fix]:
    """A noisy walk at 1.4 m/s between random points of the old town, a fix every 2 s."""
    lon0, lat0, lon1, lat1 = outline.bounds
    frame = LocalFrame((lat0 + lat1) / 2, (lon0 + lon1) / 2)

    def inside() -> tuple[float, float]:
        while True:
            lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
            if shapely.contains_xy(outline, lon, lat):
                return frame.to_xy(lat, lon)

    fixes: list[Fix] = []
    ts = 1_732_300_000_000
    while len(fixes) < FIXES:
        a, b = inside(), inside()
        steps = max(1, int(math.dist(a, b) / 2.8))
        for s in range(steps):
            x = a[0] + (b[0] - a[0]) * s / steps + rng.gauss(0, 4)
            y = a[1] + (b[1] - a[1]) * s / steps + rng.gauss(0, 4)
            ts += 2_000
            fixes.append(Fix(*frame.to_latlon(x, y), rng.uniform(4, 15), ts))
    return fixes[:FIXES]


def _one_pass(atlas: Atlas, walk: Sequence[Fix]) -> float:
    state = TrackerState()
    process = atlas.process
    start = time.thread_time_ns()
    for fix in walk:
        state, _ = process(state, fix, fix.ts_ms)
    return (time.thread_time_ns() - start) / len(walk) / 1000


def _compare(alone: Atlas, both: Atlas, walk: Sequence[Fix]) -> tuple[float, float, int]:
    a: list[float] = []
    b: list[float] = []
    for i in range(PASSES):  # alternate which engine goes first
        first, second = (alone, both) if i % 2 else (both, alone)
        x, y = _one_pass(first, walk), _one_pass(second, walk)
        a.append(x if first is alone else y)
        b.append(y if first is alone else x)
    events = sum(len(both.process(TrackerState(), f, f.ts_ms)[1]) for f in walk)
    return statistics.median(a), statistics.median(b), events


def _regions(bundle: Bundle, settings: GeoSettings) -> dict[str, Region]:
    return {c.slug: region_of(c, bundle.for_city(c.slug), c.slug, settings) for c in bundle.cities}


def run(root: Path, rng: random.Random) -> dict[str, Any]:
    """Print the table and return the figures for benchmarks/results/geofence.json."""
    bundle = load_bundle(root / "content").bundle
    assert bundle is not None, "the shipped content must be valid"
    settings = GeoSettings()
    regions = _regions(bundle, settings)
    both = Atlas([regions[slug] for slug in sorted(regions)])
    rows: dict[str, Any] = {}
    print(f"\nboth comuni together (geo.Atlas, {FIXES} fixes of a walk, median of {PASSES})")
    print(f"{'walk in':<10}{'fences':>8}{'alone µs':>10}{'both µs':>10}{'ratio':>8}")
    for slug, region in sorted(regions.items()):
        walls = bundle.area_by_role("old_town", slug)
        assert walls is not None
        walk = _walk(Polygon(walls.polygon), rng)
        alone_us, both_us, _ = _compare(Atlas([region]), both, walk)
        ratio = both_us / alone_us
        fences = len(region.tracker.index.fences)
        print(f"{slug:<10}{fences:>8}{alone_us:>10.2f}{both_us:>10.2f}{ratio:>8.3f}")
        rows[slug] = {
            "fences": fences,
            "alone_us_per_fix": round(alone_us, 3),
            "both_us_per_fix": round(both_us, 3),
            "ratio": round(ratio, 3),
            "within_target": ratio <= TARGET,
        }
    return {"walks": rows, "target_ratio": TARGET, "fixes": FIXES, "passes": PASSES}
