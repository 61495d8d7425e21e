"""Messages not covered by the rule fixtures, checked on small in-memory bundles."""

from pathlib import Path

from content import load_files

BASE = (Path(__file__).parent / "fixtures" / "base" / "world.yaml").read_bytes()


def problems(extra: str, base: bytes = BASE) -> list[str]:
    return [str(p) for p in load_files({"base.yaml": base, "x.yaml": extra.encode()}).problems]


def test_wrong_types() -> None:
    extra = """merchants:
  - slug: m
    name: M
    category: cafe
    street: S
    lat: quaranta
    lon: 18.17271
    demo: forse
coupons:
  - slug: c
    merchant: bar
    offer: Un caffè
    valid_until: domani
"""
    assert problems(extra) == [
        "x.yaml:6:10: 'lat' must be a number, got 'quaranta'",
        "x.yaml:8:11: 'demo' must be true or false, got 'forse'",
        "x.yaml:12:12: 'offer' needs Italian and English text: {it: ..., en: ...}",
        "x.yaml:13:18: 'valid_until' must be a date written YYYY-MM-DD, got 'domani'",
    ]


def test_top_level_shapes() -> None:
    assert problems("- a\n- b\n") == [
        "x.yaml:1:1: the top level must be a mapping with any of: areas, pois, quests, badges, "
        "coupons, merchants, streets"
    ]
    assert problems("pois: {slug: x}\n") == [
        "x.yaml:1:7: 'pois' must be a list (each item starts with '-')"
    ]
    assert problems("pois:\n  - slug: x\n") == [
        "x.yaml:2:5: missing required key 'description'",
        "x.yaml:2:5: missing required key 'kind'",
        "x.yaml:2:5: missing required key 'lat'",
        "x.yaml:2:5: missing required key 'lon'",
        "x.yaml:2:5: missing required key 'name'",
    ]


def test_areas_roles_and_polygon_pois() -> None:
    extra = """areas:
  - slug: walls-again
    role: old_town
    name: {it: Mura, en: Walls}
    polygon: [[18.17, 40.35], [18.171, 40.35], [18.171, 40.351]]
  - slug: far
    name: {it: Lontano, en: Far}
    polygon: [[190, 40.35], [18.171, 40.35], [18.171, 40.351]]
pois:
  - slug: piazza
    kind: square
    name: {it: Piazza, en: Square}
    description: {it: Una piazza., en: A square.}
    lat: 40.3527
    lon: 18.1727
    radius_m: 40
    polygon: [[18.1724, 40.3524], [18.1733, 40.3524], [18.1733, 40.3532], [18.1724, 40.3532]]
"""
    assert problems(extra) == [
        "x.yaml:3:11: only one area can have role 'old_town'; 'walls' already has it "
        "(base.yaml:3:5)",
        "x.yaml:8:15: point [190.0, 40.35] is not a [lon, lat] pair on Earth",
        "x.yaml:16:15: give either radius_m or polygon, not both",
    ]


def test_missing_walls_and_district() -> None:
    base = BASE.split(b"pois:")[0].split(b"areas:")[0] + b"pois:" + BASE.split(b"pois:")[1]
    assert problems("", base) == [
        "base.yaml:3:11: no area has role 'old_town': add it to areas, so that the validator "
        "can check POIs lie inside the walls",
        "base.yaml:17:11: no area has role 'district': add it to areas, so that the validator "
        "can check merchants lie inside the commercial district",
    ]


def test_polygon_poi_partly_outside() -> None:
    extra = """pois:
  - slug: bordo
    kind: square
    name: {it: Bordo, en: Edge}
    description: {it: Sul bordo., en: On the edge.}
    lat: 40.3524
    lon: 18.1736
    polygon: [[18.1735, 40.3523], [18.1745, 40.3523], [18.1745, 40.3526], [18.1735, 40.3526]]
"""
    assert problems(extra) == [
        "x.yaml:8:14: POI 'bordo' lies partly outside the old town ('walls'); "
        "move it or mark it 'outside_walls: true'"
    ]


def test_polygon_poi_is_normalised_without_radius() -> None:
    extra = """pois:
  - slug: piazza
    kind: square
    name: {it: Piazza, en: Square}
    description: {it: Una piazza., en: A square.}
    lat: 40.3527
    lon: 18.1727
    polygon: [[18.1724, 40.3524], [18.1733, 40.3524], [18.1733, 40.3532], [18.1724, 40.3532]]
"""
    result = load_files({"base.yaml": BASE, "x.yaml": extra.encode()})
    assert result.bundle is not None
    piazza = result.bundle.poi("piazza")
    assert piazza is not None
    assert piazza.radius_m is None
    assert piazza.polygon is not None
    assert piazza.polygon[0] == piazza.polygon[-1]
    duomo = result.bundle.poi("duomo")
    assert duomo is not None
    assert duomo.radius_m == 30
