"""Real Lecce data from content/lecce/reference, and the fence set the tests play on."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from shapely.geometry import shape

from geo import Fence, FenceIndex, GeoSettings, PlayArea

DATA_DIR = Path(__file__).parents[2] / "content/lecce/reference"

# Trigger radii by kind, as a curator might set them: small for monuments that stand
# shoulder to shoulder around Piazza Sant'Oronzo, larger for squares and big grounds.
RADIUS_BY_KIND = {"square": 30.0, "gate": 20.0, "cathedral": 20.0, "castle": 35.0, "park": 60.0}
DEFAULT_RADIUS_M = 12.0


class Site(NamedTuple):
    slug: str
    lat: float
    lon: float
    kind: str


@cache
def sites() -> dict[str, Site]:
    with (DATA_DIR / "heritage.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["slug"]: Site(r["slug"], float(r["lat"]), float(r["lon"]), r["kind"]) for r in rows}


@cache
def walls_geometry(feature_id: str = "centro_storico") -> dict[str, Any]:
    data = json.loads((DATA_DIR / "walls.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"].get("id") == feature_id:
            geometry: dict[str, Any] = feature["geometry"]
            return geometry
    raise LookupError(feature_id)


def heritage_fences() -> list[Fence]:
    return [
        Fence.circle(s.slug, s.lat, s.lon, RADIUS_BY_KIND.get(s.kind, DEFAULT_RADIUS_M))
        for s in sites().values()
    ]


def content_fences() -> list[Fence]:
    """The 30 heritage circles plus the commercial district as a polygon fence."""
    district = shape(walls_geometry("distretto_commercio"))
    return [*heritage_fences(), Fence.polygon("distretto_commercio", district)]


@cache
def content_index() -> FenceIndex:
    return FenceIndex.build(content_fences(), version="test")


def play_area(settings: GeoSettings | None = None) -> PlayArea:
    margin_m = (settings or GeoSettings()).area_margin_m
    return PlayArea.from_geojson(walls_geometry(), margin_m=margin_m)
