"""Fences projected into a LocalFrame, with pure-Python point tests for the hot path."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from geo.fences import Fence
from geo.frame import LocalFrame

INSIDE, BOUNDARY, OUTSIDE = 0, 1, 2

Edge = tuple[float, float, float, float]  # x1, y1, x2, y2


@dataclass(frozen=True, slots=True)
class Circle:
    cx: float
    cy: float
    radius_m: float

    def contains(self, x: float, y: float) -> bool:
        dx = x - self.cx
        dy = y - self.cy
        return dx * dx + dy * dy <= self.radius_m * self.radius_m

    def signed_distance(self, x: float, y: float) -> float:
        return math.hypot(x - self.cx, y - self.cy) - self.radius_m

    def classify_box(self, x0: float, y0: float, x1: float, y1: float) -> int:
        far_x = max(abs(x0 - self.cx), abs(x1 - self.cx))
        far_y = max(abs(y0 - self.cy), abs(y1 - self.cy))
        r2 = self.radius_m * self.radius_m
        if far_x * far_x + far_y * far_y <= r2:
            return INSIDE
        near_x = min(max(self.cx, x0), x1) - self.cx
        near_y = min(max(self.cy, y0), y1) - self.cy
        return BOUNDARY if near_x * near_x + near_y * near_y <= r2 else OUTSIDE

    def bounds(self) -> tuple[float, float, float, float]:
        r = self.radius_m
        return self.cx - r, self.cy - r, self.cx + r, self.cy + r


class Ring:
    """A projected (multi)polygon: crossing-number test over the edges of one band of y."""

    __slots__ = ("_band_m", "_bands", "_edges", "_y0", "geometry")

    def __init__(self, geometry: Polygon | MultiPolygon, band_m: float = 8.0) -> None:
        shapely.prepare(geometry)
        self.geometry = geometry
        self._edges = _edges_of(geometry)
        self._band_m = band_m
        _, self._y0, _, y1 = geometry.bounds
        count = max(1, math.ceil((y1 - self._y0) / band_m) + 1)
        bands: list[list[tuple[float, float, float, float]]] = [[] for _ in range(count)]
        for x1, ya, x2, yb in self._edges:
            if ya == yb:
                continue  # a horizontal edge never crosses a horizontal ray
            slope = (x2 - x1) / (yb - ya)
            lo, hi = min(ya, yb), max(ya, yb)
            for band in range(self._band(lo), self._band(hi) + 1):
                bands[band].append((x1, ya, yb, slope))
        self._bands = tuple(tuple(b) for b in bands)

    def _band(self, y: float) -> int:
        return int((y - self._y0) // self._band_m)

    def contains(self, x: float, y: float) -> bool:
        band = int((y - self._y0) // self._band_m)
        if band < 0 or band >= len(self._bands):
            return False
        inside = False
        for x1, ya, yb, slope in self._bands[band]:
            if (ya > y) != (yb > y) and x < x1 + (y - ya) * slope:
                inside = not inside
        return inside

    def signed_distance(self, x: float, y: float) -> float:
        best = math.inf
        for edge in self._edges:
            best = min(best, _segment_distance(x, y, edge))
        return -best if self.contains(x, y) else best

    def classify_boxes(self, boxes: list[tuple[float, float, float, float]]) -> list[int]:
        cells = shapely.box(*zip(*boxes, strict=True)) if boxes else []
        inside = shapely.contains(self.geometry, cells)
        touching = shapely.intersects(self.geometry, cells)
        return [
            INSIDE if i else (BOUNDARY if t else OUTSIDE)
            for i, t in zip(inside.tolist(), touching.tolist(), strict=True)
        ]

    def bounds(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.geometry.bounds
        return float(x0), float(y0), float(x1), float(y1)


def project_geometry(geometry: Polygon | MultiPolygon, frame: LocalFrame) -> Polygon | MultiPolygon:
    """The same geometry with lon/lat vertices replaced by LocalFrame metres."""

    def to_xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.array([frame.to_xy(lat, lon) for lon, lat in coords.tolist()], dtype=float)

    projected: Polygon | MultiPolygon = shapely.transform(geometry, to_xy)
    return projected


def project_fence(fence: Fence, frame: LocalFrame) -> Circle | Ring:
    if fence.polygon_lonlat is None:
        assert fence.lat is not None
        assert fence.lon is not None
        assert fence.radius_m is not None
        cx, cy = frame.to_xy(fence.lat, fence.lon)
        return Circle(cx, cy, fence.radius_m)
    return Ring(project_geometry(fence.polygon_lonlat, frame))


def _edges_of(geometry: Polygon | MultiPolygon) -> tuple[Edge, ...]:
    parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    edges: list[Edge] = []
    for part in parts:
        for ring in (part.exterior, *part.interiors):
            pts = list(ring.coords)
            edges.extend((a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(pts) if a != b)
    return tuple(edges)


def _segment_distance(px: float, py: float, edge: Edge) -> float:
    x1, y1, x2, y2 = edge
    dx = x2 - x1
    dy = y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
    return math.hypot(px - x1 - t * dx, py - y1 - t * dy)
