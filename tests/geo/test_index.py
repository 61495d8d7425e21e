from __future__ import annotations

import random

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from geo import Fence, FenceIndex, LocalFrame
from tests.geo.lecce import content_fences, content_index, sites

FRAME = LocalFrame(40.3535, 18.1700)


def synthetic_fences(seed: int, count: int) -> list[Fence]:
    """Circles and awkward polygons (concave, with a hole, multi-part) over the old town."""
    rng = random.Random(seed)
    fences = []
    for i in range(count):
        x, y = rng.uniform(-500, 500), rng.uniform(-500, 500)
        lat, lon = FRAME.to_latlon(x, y)
        kind = i % 4
        if kind < 2:
            fences.append(Fence.circle(f"c{i}", lat, lon, rng.uniform(5, 150)))
            continue
        size = rng.uniform(10, 120)
        ring = [
            FRAME.to_latlon(x + dx * size, y + dy * size)
            for dx, dy in [(0, 0), (1, 0), (1, 1), (0.5, 0.3), (0, 1)]
        ]  # concave "M" shape
        outer = [(lo, la) for la, lo in ring]
        if kind == 2:
            fences.append(Fence.polygon(f"p{i}", Polygon(outer)))
        else:
            hole = box(
                *_lonlat(x + 0.7 * size, y + 0.05 * size), *_lonlat(x + 0.9 * size, y + 0.4 * size)
            )
            fences.append(Fence.polygon(f"h{i}", Polygon(outer, [hole.exterior.coords])))
    return fences


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lat, lon = FRAME.to_latlon(x, y)
    return lon, lat


def brute_force(index: FenceIndex, fences: list[Fence], x: float, y: float) -> set[str]:
    found = set()
    for f in fences:
        if f.radius_m is not None:
            assert f.lat is not None
            assert f.lon is not None
            cx, cy = index.frame.to_xy(f.lat, f.lon)
            if (x - cx) ** 2 + (y - cy) ** 2 <= f.radius_m**2:
                found.add(f.slug)
        elif index.signed_distance_xy(f.slug, x, y) <= 0:
            found.add(f.slug)
    return found


@pytest.fixture(scope="module")
def synthetic() -> tuple[FenceIndex, list[Fence]]:
    fences = synthetic_fences(seed=7, count=400)
    return FenceIndex.build(fences, FRAME, cell_m=16.0), fences


@settings(deadline=None, max_examples=300, derandomize=True)
@given(x=st.floats(-700, 700), y=st.floats(-700, 700))
def test_grid_answers_like_brute_force(
    synthetic: tuple[FenceIndex, list[Fence]], x: float, y: float
) -> None:
    index, fences = synthetic
    assert set(index.containing_xy(x, y)) == brute_force(index, fences, x, y)


@settings(deadline=None, max_examples=200, derandomize=True)
@given(x=st.floats(-700, 700), y=st.floats(-700, 700))
def test_polygon_tests_agree_with_shapely(
    synthetic: tuple[FenceIndex, list[Fence]], x: float, y: float
) -> None:
    index, fences = synthetic
    for f in fences:
        if f.polygon_lonlat is None:
            continue
        lat, lon = index.frame.to_latlon(x, y)
        d = index.signed_distance_xy(f.slug, x, y)
        if abs(d) < 1e-6:
            continue  # on the boundary: either answer is right
        projected = shapely.transform(f.polygon_lonlat, lambda c: c)  # lon/lat as is
        inside = projected.contains(Point(lon, lat))
        if abs(d) > 0.01:  # straight in lon/lat vs straight in metres differ by < 1 cm
            assert (d <= 0) == inside, f.slug


def test_signed_distance_of_a_circle() -> None:
    site = sites()["duomo"]
    index = FenceIndex.build([Fence.circle("duomo", site.lat, site.lon, 20)], FRAME)
    x, y = FRAME.to_xy(site.lat, site.lon)
    assert index.signed_distance_xy("duomo", x, y) == pytest.approx(-20)
    assert index.signed_distance_xy("duomo", x + 25, y) == pytest.approx(5)
    assert index.signed_distance_xy("unknown", x, y) == float("inf")


def test_content_index_finds_heritage_sites_and_the_district() -> None:
    index = content_index()
    oronzo = sites()["piazza_sant_oronzo"]
    assert set(index.containing(oronzo.lat, oronzo.lon)) == {
        "piazza_sant_oronzo",
        "distretto_commercio",
    }
    far = sites()["santi_niccolo_cataldo"]
    assert index.containing(far.lat, far.lon) == ["santi_niccolo_cataldo"]
    assert index.containing(41.0, 17.0) == []
    assert len(index) == len(content_fences()) == 31


def test_nearby_lists_fences_within_reach_nearest_first() -> None:
    site = sites()["sedile"]
    found = content_index().nearby(site.lat, site.lon, within_m=30)
    slugs = [slug for slug, _ in found]
    assert slugs[0] == "distretto_commercio"  # deep inside the district polygon
    assert slugs[1] == "sedile"
    assert "piazza_sant_oronzo" in slugs
    assert [d for _, d in found] == sorted(d for _, d in found)
    assert all(d <= 30 for _, d in found)


def test_build_refuses_duplicate_slugs() -> None:
    twice = [Fence.circle("a", 40.35, 18.17, 10), Fence.circle("a", 40.36, 18.17, 10)]
    with pytest.raises(ValueError, match="unique"):
        FenceIndex.build(twice)


def test_empty_index_contains_nothing() -> None:
    assert FenceIndex.build([]).containing(40.35, 18.17) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lat": 40.35, "lon": 18.17},
        {"lat": 40.35, "lon": 18.17, "radius_m": 0.0},
        {"lat": 95.0, "lon": 18.17, "radius_m": 5.0},
        {"lat": 40.35, "lon": 18.17, "radius_m": 5.0, "dwell_s": -1.0},
    ],
)
def test_fence_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="fence x"):
        Fence("x", **kwargs)  # type: ignore[arg-type]


def test_invalid_polygon_is_refused() -> None:
    bow_tie = Polygon([(18.17, 40.35), (18.18, 40.36), (18.18, 40.35), (18.17, 40.36)])
    with pytest.raises(ValueError, match="invalid"):
        Fence.polygon("bow", bow_tie)
