from __future__ import annotations

import pytest

from geo import Fix, GeoSettings, PlayArea
from tests.geo.lecce import heritage_fences, play_area, sites, walls_geometry

OUTSIDE_THE_RING = {
    "castello_carlo_v",
    "villa_comunale",
    "obelisco",
    "santi_niccolo_cataldo",
    "teatro_apollo",
}


def test_walls_alone_hold_exactly_the_25_old_town_sites() -> None:
    walls = PlayArea.from_geojson(walls_geometry(), margin_m=0)
    outside = {s.slug for s in sites().values() if not walls.contains(s.lat, s.lon)}
    assert outside == OUTSIDE_THE_RING


def test_default_margin_reaches_every_shipped_site_with_its_fence() -> None:
    area = play_area(GeoSettings())
    for fence in heritage_fences():
        assert fence.lat is not None
        assert fence.lon is not None
        assert fence.radius_m is not None
        for dlat in (-1, 1):  # the fence's north and south edges, roughly
            edge = fence.lat + dlat * fence.radius_m / 111_000
            assert area.contains(edge, fence.lon), fence.slug


def test_far_points_are_outside() -> None:
    area = play_area()
    assert not area.contains(40.3353, 18.1700)  # 2 km south of the old town
    assert not area.contains(0.0, 0.0)


def test_same_area_in_another_frame() -> None:
    area = play_area()
    from geo import LocalFrame

    moved = area.in_frame(LocalFrame(40.36, 18.16))
    for site in sites().values():
        assert moved.contains(site.lat, site.lon) == area.contains(site.lat, site.lon)


def test_area_refuses_points_and_negative_margins() -> None:
    with pytest.raises(ValueError, match="Polygon"):
        PlayArea.from_geojson({"type": "Point", "coordinates": [18.17, 40.35]})
    with pytest.raises(ValueError, match="margin"):
        PlayArea.from_geojson(walls_geometry(), margin_m=-1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lat": 91.0, "lon": 18.0, "accuracy_m": 5.0},
        {"lat": 40.0, "lon": 181.0, "accuracy_m": 5.0},
        {"lat": 40.0, "lon": 18.0, "accuracy_m": -1.0},
        {"lat": 40.0, "lon": 18.0, "accuracy_m": float("nan")},
    ],
)
def test_fix_refuses_values_that_are_not_positions(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"range|accuracy"):
        Fix(ts_ms=0, **kwargs)  # type: ignore[arg-type]


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="max_speed_mps"):
        GeoSettings(max_speed_mps=-1)
    with pytest.raises(ValueError, match="min_dwell_fixes"):
        GeoSettings(min_dwell_fixes=0)
