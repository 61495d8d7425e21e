"""The play area: where fixes can earn credit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, shape

from geo.frame import LocalFrame
from geo.shapes import Ring, project_geometry


class PlayArea:
    """An outline in lon/lat (the old town) grown by margin_m metres.

    Fixes outside it are still tracked (they anchor the plausibility checks) but earn
    no credit.
    """

    __slots__ = ("_ring", "frame", "margin_m", "outline_lonlat")

    def __init__(
        self,
        outline_lonlat: Polygon | MultiPolygon,
        margin_m: float = 500.0,
        frame: LocalFrame | None = None,
    ) -> None:
        if not isinstance(outline_lonlat, Polygon | MultiPolygon) or outline_lonlat.is_empty:
            raise ValueError("the play area needs a non-empty (Multi)Polygon in lon/lat")
        if not margin_m >= 0:
            raise ValueError("margin_m must be >= 0")
        if frame is None:
            lon0, lat0, lon1, lat1 = outline_lonlat.bounds
            frame = LocalFrame((lat0 + lat1) / 2, (lon0 + lon1) / 2)
        self.outline_lonlat = outline_lonlat
        self.margin_m = margin_m
        self.frame = frame
        grown = project_geometry(outline_lonlat, frame).buffer(margin_m, quad_segs=8)
        self._ring = Ring(grown)

    @classmethod
    def from_geojson(
        cls, geometry: Mapping[str, Any], margin_m: float = 500.0, frame: LocalFrame | None = None
    ) -> PlayArea:
        """From a parsed GeoJSON geometry (a mapping with "type" and "coordinates")."""
        outline = shape(geometry)
        if not isinstance(outline, Polygon | MultiPolygon):
            raise ValueError(
                f"the play area must be a Polygon or MultiPolygon, not {outline.geom_type}"
            )
        return cls(outline, margin_m, frame)

    def in_frame(self, frame: LocalFrame) -> PlayArea:
        """The same area, evaluated in another frame (the fence index's)."""
        return self if frame == self.frame else PlayArea(self.outline_lonlat, self.margin_m, frame)

    def contains(self, lat: float, lon: float) -> bool:
        x, y = self.frame.to_xy(lat, lon)
        return self._ring.contains(x, y)

    def contains_xy(self, x: float, y: float) -> bool:
        return self._ring.contains(x, y)
