"""Geofence evaluation: µs per position, in memory vs PostGIS vs Redis GEOSEARCH.

Run with `make bench-geo`. Every engine answers the same question for the same
positions: which fences contain this point? The in-memory engine is geo.FenceIndex
(one core, this process); PostGIS and Redis are asked once per position, sequentially,
over loopback, as a server without an in-memory index would have to.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import redis
import shapely
from shapely.geometry import Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import (  # noqa: E402
    Fence,
    FenceIndex,
    Fix,
    GeoSettings,
    LocalFrame,
    PlayArea,
    Tracker,
    TrackerState,
)

DATA_DIR = ROOT / "content/lecce/reference"
RESULT = ROOT / "benchmarks/results/geofence.json"
PG_DSN = os.environ.get("LUPIAE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "lupiae_bench"
REDIS_URL = os.environ.get("LUPIAE_BENCH_REDIS", "redis://127.0.0.1:6379/0")
REDIS_PREFIX = "lupiae:bench:geofence"
POSITIONS = 2_000
PASSES = 15
SEED = 20241122


# --- data ------------------------------------------------------------------------------


def walls() -> Polygon:
    data = json.loads((DATA_DIR / "walls.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in data["features"] if f["properties"].get("id") == "centro_storico")
    outline: Polygon = shape(feature["geometry"])
    return outline


def content_fences() -> tuple[list[Fence], str]:
    """The shipped POIs (content/lecce via content.load_bundle), plus the walls polygon."""
    try:
        from content.sources import load_bundle

        bundle = load_bundle(ROOT / "content/lecce").bundle
    except Exception as exc:  # the content package is optional here
        bundle, why = None, repr(exc)
    else:
        why = "content.load_bundle returned problems"
    fences = [Fence.polygon("centro_storico", walls())]
    if bundle is not None:
        for poi in bundle.pois:
            if poi.polygon is not None:
                fences.append(Fence.polygon(poi.slug, Polygon(poi.polygon), poi.dwell_s))
            else:
                radius = float(poi.radius_m or 30)
                fences.append(Fence.circle(poi.slug, poi.lat, poi.lon, radius, poi.dwell_s))
        return fences, "content/lecce (content.load_bundle) + walls polygon"
    with (DATA_DIR / "heritage.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            fences.append(Fence.circle(row["slug"], float(row["lat"]), float(row["lon"]), 35.0))
    return fences, f"heritage.csv, 35 m circles + walls polygon ({why})"


def synthetic_fences(
    count: int, frame: LocalFrame, outline: Polygon, rng: random.Random
) -> list[Fence]:
    """85 % circles (radius log-uniform 10-150 m), 15 % polygons (irregular 5-9-gons,
    20-150 m across), centred uniformly inside the old town."""
    fences: list[Fence] = []
    for i in range(count):
        lat, lon = random_point_in(outline, rng)
        if rng.random() < 0.85:
            radius = math.exp(rng.uniform(math.log(10), math.log(150)))
            fences.append(Fence.circle(f"c{i}", lat, lon, radius))
            continue
        cx, cy = frame.to_xy(lat, lon)
        size = rng.uniform(10, 75)
        corners = rng.randint(5, 9)
        ring = []
        for k in range(corners):
            angle = 2 * math.pi * (k + rng.uniform(-0.3, 0.3)) / corners
            r = size * rng.uniform(0.5, 1.0)
            plat, plon = frame.to_latlon(cx + r * math.cos(angle), cy + r * math.sin(angle))
            ring.append((plon, plat))
        fences.append(Fence.polygon(f"p{i}", Polygon(ring)))
    return fences


def random_point_in(outline: Polygon, rng: random.Random) -> tuple[float, float]:
    lon0, lat0, lon1, lat1 = outline.bounds
    while True:
        lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
        if shapely.contains_xy(outline, lon, lat):
            return lat, lon


def query_positions(outline: Polygon, frame: LocalFrame, rng: random.Random) -> list[Fix]:
    """Half noisy walks at 1.4 m/s between random points, half uniform over the old town
    and its surroundings (300 m around the walls' bounding box)."""
    fixes: list[Fix] = []
    ts = 1_732_300_000_000
    while len(fixes) < POSITIONS // 2:
        a = frame.to_xy(*random_point_in(outline, rng))
        b = frame.to_xy(*random_point_in(outline, rng))
        steps = max(1, int(math.dist(a, b) / 2.8))
        for s in range(steps):
            x = a[0] + (b[0] - a[0]) * s / steps + rng.gauss(0, 4)
            y = a[1] + (b[1] - a[1]) * s / steps + rng.gauss(0, 4)
            ts += 2_000
            fixes.append(Fix(*frame.to_latlon(x, y), rng.uniform(4, 15), ts))
    lon0, lat0, lon1, lat1 = outline.bounds
    pad_lat, pad_lon = 300 / 111_000, 300 / 85_000
    while len(fixes) < POSITIONS:
        lat = rng.uniform(lat0 - pad_lat, lat1 + pad_lat)
        lon = rng.uniform(lon0 - pad_lon, lon1 + pad_lon)
        ts += 2_000
        fixes.append(Fix(lat, lon, rng.uniform(4, 15), ts))
    return fixes[:POSITIONS]


# --- engines ---------------------------------------------------------------------------


def time_in_memory(index: FenceIndex, points: Sequence[Fix]) -> tuple[float, list[set[str]]]:
    """Median µs per position over PASSES passes (one core, this process)."""
    coords = [(f.lat, f.lon) for f in points]
    containing = index.containing
    per_pass = []
    for _ in range(PASSES):
        start = time.perf_counter_ns()
        for lat, lon in coords:
            containing(lat, lon)
        per_pass.append((time.perf_counter_ns() - start) / len(coords) / 1000)
    return statistics.median(per_pass), [set(containing(lat, lon)) for lat, lon in coords]


def time_tracker(index: FenceIndex, area: PlayArea, points: Sequence[Fix]) -> float:
    """µs per fix through the whole Tracker.process (screening, index, dwell, new state)."""
    tracker = Tracker(GeoSettings(), index, area)
    walk = points[: POSITIONS // 2]  # the walking half: a plausible stream
    per_pass = []
    for _ in range(PASSES):
        state = TrackerState()
        start = time.perf_counter_ns()
        for fix in walk:
            state, _ = tracker.process(state, fix, fix.ts_ms)
        per_pass.append((time.perf_counter_ns() - start) / len(walk) / 1000)
    return statistics.median(per_pass)


def circle_bbox(fence: Fence, frame: LocalFrame) -> tuple[float, float, float, float]:
    assert fence.lat is not None
    assert fence.lon is not None
    assert fence.radius_m is not None
    r = fence.radius_m * 1.01
    x, y = frame.to_xy(fence.lat, fence.lon)
    lat0, lon0 = frame.to_latlon(x - r, y - r)
    lat1, lon1 = frame.to_latlon(x + r, y + r)
    return lon0, lat0, lon1, lat1


PG_QUERY = """
WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
SELECT f.slug FROM bench_fences f, p
WHERE f.tag = $3 AND f.geom && p.g
  AND CASE WHEN f.radius_m IS NULL THEN ST_Intersects(f.geom, p.g)
           ELSE ST_DWithin(f.center, p.g::geography, f.radius_m) END
"""


async def postgis_engine(
    sets: dict[str, list[Fence]], frame: LocalFrame, points: Sequence[Fix]
) -> dict[str, tuple[float, list[set[str]]]]:
    """One prepared query per position: GiST on the fence bounding boxes, then exact
    ST_Intersects for polygons and ST_DWithin on the spheroid for circles."""
    admin = await asyncpg.connect(PG_DSN)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PG_DB):
            await admin.execute(f"CREATE DATABASE {PG_DB}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(PG_DSN.rsplit("/", 1)[0] + "/" + PG_DB)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        await conn.execute("DROP TABLE IF EXISTS bench_fences")
        await conn.execute(
            "CREATE TABLE bench_fences (tag text, slug text, radius_m double precision,"
            " center geography(Point, 4326), geom geometry(Polygon, 4326))"
        )
        for tag, fences in sets.items():
            await conn.executemany(
                "INSERT INTO bench_fences VALUES ($1, $2, $3,"
                " CASE WHEN $3::float8 IS NULL THEN NULL"
                " ELSE ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography END,"
                " ST_GeomFromText($6, 4326))",
                [pg_row(tag, f, frame) for f in fences],
            )
        await conn.execute("CREATE INDEX ON bench_fences USING gist (geom)")
        await conn.execute("ANALYZE bench_fences")
        stmt = await conn.prepare(PG_QUERY)
        results = {}
        for tag in sets:
            answers = []
            start = time.perf_counter_ns()
            for fix in points:
                rows = await stmt.fetch(fix.lon, fix.lat, tag)
                answers.append({r[0] for r in rows})
            elapsed = (time.perf_counter_ns() - start) / len(points) / 1000
            results[tag] = (elapsed, answers)
        return results
    finally:
        await conn.execute("DROP TABLE IF EXISTS bench_fences")
        await conn.close()


def pg_row(tag: str, fence: Fence, frame: LocalFrame) -> tuple[Any, ...]:
    if fence.polygon_lonlat is not None:
        return tag, fence.slug, None, None, None, fence.polygon_lonlat.wkt
    lon0, lat0, lon1, lat1 = circle_bbox(fence, frame)
    return (
        tag,
        fence.slug,
        fence.radius_m,
        fence.lon,
        fence.lat,
        shapely.box(lon0, lat0, lon1, lat1).wkt,
    )


REDIS_CLASSES_M = (25.0, 50.0, 100.0, 200.0)  # one GEO key per class of reach


def redis_engine(
    sets: dict[str, list[Fence]], frame: LocalFrame, points: Sequence[Fix]
) -> dict[str, tuple[float, list[set[str]]]]:
    """Circles (and polygons by their bounding circle) in one GEO key per radius class;
    per position one pipelined round trip of GEOSEARCH … BYRADIUS <class> m WITHDIST,
    then the exact test in the client (radius for circles, shapely for polygons)."""
    client = redis.Redis.from_url(REDIS_URL)
    results = {}
    keys: list[str] = []
    try:
        client.ping()
        for tag, fences in sets.items():
            radius, polygons, tag_keys = load_redis(client, tag, fences, frame)
            keys += tag_keys
            answers = []
            start = time.perf_counter_ns()
            for fix in points:
                pipe = client.pipeline(transaction=False)
                for key, reach in tag_keys_with_reach(tag_keys):
                    pipe.geosearch(
                        key,
                        longitude=fix.lon,
                        latitude=fix.lat,
                        radius=reach,
                        unit="m",
                        withdist=True,
                    )
                found = set()
                for hits in pipe.execute():
                    for member, dist in hits:
                        slug = member.decode()
                        poly = polygons.get(slug)
                        if poly is None:
                            if dist <= radius[slug]:
                                found.add(slug)
                        elif shapely.contains_xy(poly, fix.lon, fix.lat):
                            found.add(slug)
                answers.append(found)
            elapsed = (time.perf_counter_ns() - start) / len(points) / 1000
            results[tag] = (elapsed, answers)
        return results
    finally:
        if keys:
            client.delete(*keys)
        client.close()


def tag_keys_with_reach(keys: list[str]) -> list[tuple[str, float]]:
    return [(k, float(k.rsplit(":", 1)[1])) for k in keys]


def load_redis(
    client: Any, tag: str, fences: list[Fence], frame: LocalFrame
) -> tuple[dict[str, float], dict[str, Polygon], list[str]]:
    radius: dict[str, float] = {}
    polygons: dict[str, Polygon] = {}
    members: dict[str, list[Any]] = {}
    for f in fences:
        if f.polygon_lonlat is not None:
            centre = f.polygon_lonlat.centroid
            cx, cy = frame.to_xy(centre.y, centre.x)
            reach = (
                max(
                    math.dist((cx, cy), frame.to_xy(lat, lon))
                    for lon, lat in f.polygon_lonlat.exterior.coords
                )
                + 1.0
            )
            polygons[f.slug] = f.polygon_lonlat
            shapely.prepare(f.polygon_lonlat)
            lon, lat = centre.x, centre.y
        else:
            assert f.radius_m is not None
            assert f.lat is not None
            assert f.lon is not None
            reach, lat, lon = f.radius_m + 1.0, f.lat, f.lon  # + Redis's geohash error
            radius[f.slug] = f.radius_m
        cls = next((c for c in REDIS_CLASSES_M if reach <= c), None)
        if cls is None:
            cls = math.ceil(reach)
        key = f"{REDIS_PREFIX}:{tag}:{cls:g}"
        members.setdefault(key, []).extend([lon, lat, f.slug])
    for key, values in members.items():
        client.delete(key)
        client.geoadd(key, values)
    return radius, polygons, sorted(members)


# --- report ----------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    fences: int
    build_s: float
    memory_us: float
    tracker_us: float
    hits: float
    postgis_us: float | None = None
    redis_us: float | None = None
    postgis_agree: float | None = None
    redis_agree: float | None = None


AGREE_WITHIN_M = 0.5  # Redis keeps positions to ~0.6 m (52-bit geohash) and uses a sphere


def agreement(
    index: FenceIndex, points: Sequence[Fix], ours: list[set[str]], theirs: list[set[str]]
) -> float:
    """Share of positions where both engines found the same fences, ignoring fences whose
    boundary lies within AGREE_WITHIN_M of the position (rounding, not a wrong answer)."""
    same = 0
    for fix, a, b in zip(points, ours, theirs, strict=True):
        x, y = index.frame.to_xy(fix.lat, fix.lon)
        same += all(abs(index.signed_distance_xy(s, x, y)) <= AGREE_WITHIN_M for s in a ^ b)
    return same / len(points)


def run_external(
    name: str, engine: Callable[[], dict[str, tuple[float, list[set[str]]]]]
) -> tuple[dict[str, tuple[float, list[set[str]]]], str | None]:
    try:
        return engine(), None
    except Exception as exc:  # a missing server must not hide the in-memory figures
        print(f"  {name} unavailable: {exc!r}")
        return {}, repr(exc)


def ratio(a: float | None, b: float) -> str:
    return "-" if a is None else f"{a / b:,.0f}x"


def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:,.2f}"


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'fence set':<10}{'fences':>7}{'hits/pos':>9}{'build s':>8}{'in-mem µs':>11}"
        f"{'tracker µs':>11}{'PostGIS µs':>12}{'Redis µs':>10}{'PG/mem':>8}{'Redis/mem':>10}"
        f"{'PG agree':>9}{'Rd agree':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        pg = "-" if r.postgis_agree is None else f"{r.postgis_agree:.2%}"
        rd = "-" if r.redis_agree is None else f"{r.redis_agree:.2%}"
        print(
            f"{r.name:<10}{r.fences:>7}{r.hits:>9.1f}{r.build_s:>8.2f}{r.memory_us:>11.2f}"
            f"{r.tracker_us:>11.2f}{fmt(r.postgis_us):>12}{fmt(r.redis_us):>10}"
            f"{ratio(r.postgis_us, r.memory_us):>8}{ratio(r.redis_us, r.memory_us):>10}"
            f"{pg:>9}{rd:>9}"
        )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(SEED)
    outline = walls()
    content, content_source = content_fences()
    lon0, lat0, lon1, lat1 = outline.bounds
    frame = LocalFrame((lat0 + lat1) / 2, (lon0 + lon1) / 2)
    sets = {
        "content": content,
        "500": synthetic_fences(500, frame, outline, rng),
        "5000": synthetic_fences(5_000, frame, outline, rng),
    }
    points = query_positions(outline, frame, rng)
    area = PlayArea(outline, GeoSettings().area_margin_m, frame)
    print(f"geofence benchmark: {POSITIONS} positions, content = {content_source}")

    rows: list[Row] = []
    ours: dict[str, list[set[str]]] = {}
    indexes: dict[str, FenceIndex] = {}
    for name, fences in sets.items():
        start = time.perf_counter()
        index = indexes[name] = FenceIndex.build(fences, frame)
        build_s = time.perf_counter() - start
        memory_us, ours[name] = time_in_memory(index, points)
        hits = statistics.mean(len(s) for s in ours[name])
        rows.append(
            Row(name, len(fences), build_s, memory_us, time_tracker(index, area, points), hits)
        )

    pg, pg_error = run_external("PostGIS", lambda: asyncio.run(postgis_engine(sets, frame, points)))
    rd, rd_error = run_external("Redis", lambda: redis_engine(sets, frame, points))
    for row in rows:
        if row.name in pg:
            row.postgis_us, answers = pg[row.name]
            row.postgis_agree = agreement(indexes[row.name], points, ours[row.name], answers)
        if row.name in rd:
            row.redis_us, answers = rd[row.name]
            row.redis_agree = agreement(indexes[row.name], points, ours[row.name], answers)
    print_table(rows)
    from benchmarks import geofence_comuni

    comuni = geofence_comuni.run(ROOT, random.Random(SEED))
    write_result(rows, content_source, pg_error, rd_error, comuni)


def write_result(
    rows: list[Row],
    content_source: str,
    pg_error: str | None,
    rd_error: str | None,
    comuni: dict[str, Any],
) -> None:
    def by_set(attr: str) -> dict[str, float | None]:
        return {
            r.name: (None if getattr(r, attr) is None else round(getattr(r, attr), 3)) for r in rows
        }

    result = {
        "us_per_position": by_set("memory_us"),
        "postgis_us_per_position": by_set("postgis_us"),
        "redis_us_per_position": by_set("redis_us"),
        "ratio_postgis_to_memory": {
            r.name: None if r.postgis_us is None else round(r.postgis_us / r.memory_us, 1)
            for r in rows
        },
        "ratio_redis_to_memory": {
            r.name: None if r.redis_us is None else round(r.redis_us / r.memory_us, 1) for r in rows
        },
        "tracker_us_per_fix": by_set("tracker_us"),
        "fences": {r.name: r.fences for r in rows},
        "mean_fences_per_position": by_set("hits"),
        "index_build_s": by_set("build_s"),
        "agreement_postgis_within_0.5m": by_set("postgis_agree"),
        "agreement_redis_within_0.5m": by_set("redis_agree"),
        "targets_us": {"500": 5.0, "5000": 20.0},
        "comuni": comuni,
        "meta": {
            "positions": POSITIONS,
            "passes": PASSES,
            "seed": SEED,
            "content": content_source,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "errors": {"postgis": pg_error, "redis": rd_error},
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
