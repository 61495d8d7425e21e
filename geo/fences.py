"""Geofences as curators define them: a circle or a polygon in WGS84."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Polygon


@dataclass(frozen=True, slots=True)
class Fence:
    """A circle (lat, lon, radius_m) or a polygon (lon/lat, like GeoJSON) with a slug.

    dwell_s overrides the dwell time of the settings for this fence; None keeps it.
    Build with Fence.circle or Fence.polygon.
    """

    slug: str
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    polygon_lonlat: Polygon | MultiPolygon | None = None
    dwell_s: float | None = None

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("a fence needs a slug")
        if self.dwell_s is not None and not (math.isfinite(self.dwell_s) and self.dwell_s >= 0):
            raise ValueError(f"fence {self.slug}: dwell_s must be >= 0, got {self.dwell_s!r}")
        if self.is_circle == (self.polygon_lonlat is not None):
            raise ValueError(f"fence {self.slug}: give either a circle or a polygon")
        if self.is_circle:
            self._check_circle()
        else:
            self._check_polygon()

    @classmethod
    def circle(
        cls, slug: str, lat: float, lon: float, radius_m: float, dwell_s: float | None = None
    ) -> Fence:
        return cls(slug, lat=lat, lon=lon, radius_m=radius_m, dwell_s=dwell_s)

    @classmethod
    def polygon(
        cls, slug: str, polygon_lonlat: Polygon | MultiPolygon, dwell_s: float | None = None
    ) -> Fence:
        return cls(slug, polygon_lonlat=polygon_lonlat, dwell_s=dwell_s)

    @property
    def is_circle(self) -> bool:
        return self.radius_m is not None or self.lat is not None or self.lon is not None

    def _check_circle(self) -> None:
        if self.lat is None or self.lon is None or self.radius_m is None:
            raise ValueError(f"fence {self.slug}: a circle needs lat, lon and radius_m")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"fence {self.slug}: centre out of range")
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise ValueError(f"fence {self.slug}: radius_m must be > 0, got {self.radius_m!r}")

    def _check_polygon(self) -> None:
        poly = self.polygon_lonlat
        if not isinstance(poly, Polygon | MultiPolygon):
            raise ValueError(f"fence {self.slug}: polygon_lonlat must be a shapely (Multi)Polygon")
        if poly.is_empty or not poly.is_valid:
            raise ValueError(f"fence {self.slug}: the polygon is empty or invalid")
