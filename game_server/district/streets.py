"""Which shopping street a position lies on: pure geometry, no I/O.

Streets are lines with a counted width (content `streets:`). A position counts for the
nearest street whose corridor (half the width on each side of the line) contains it. Lines
are projected once to metres on a local flat projection (city scale), so a lookup is a few
multiplications per segment; a bounding box around every corridor rejects most positions
(players anywhere else in the comune) with four comparisons.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from content.model import Street

METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True, slots=True)
class _Segment:
    ax: float
    ay: float
    dx: float
    dy: float
    length2: float
    box: tuple[float, float, float, float]  # west, south, east, north of its corridor part


@dataclass(frozen=True, slots=True)
class _Corridor:
    city: str
    slug: str
    half_width: float
    segments: tuple[_Segment, ...]
    box: tuple[float, float, float, float]


class StreetIndex:
    """The streets of one content version, ready for `locate`: one area per comune."""

    def __init__(self, streets: Iterable[Street]) -> None:
        self.streets = list(streets)
        by_city: dict[str, list[Street]] = {}
        for street in self.streets:
            by_city.setdefault(street.city, []).append(street)
        self._areas = [_Area(group) for group in by_city.values()]

    def __bool__(self) -> bool:
        return bool(self._areas)

    def locate(self, lat: float, lon: float) -> tuple[str, str] | None:
        """(comune, street slug) of the nearest street whose corridor holds the point."""
        for area in self._areas:  # comuni do not overlap: the first that holds it is the one
            found = area.locate(lat, lon)
            if found is not None:
                return found
        return None


class _Area:
    """One comune's streets, projected around their own latitude.

    One projection for every comune (the merged content of Lecce and Bergamo, five degrees of
    latitude apart) measured east-west distances 4-5% wrong in both, and one box spanning
    both let every fix between them through to every corridor's box.
    """

    def __init__(self, streets: list[Street]) -> None:
        lats = [lat for s in streets for _, lat in s.line]
        self._kx = math.cos(math.radians(sum(lats) / len(lats))) * METRES_PER_DEGREE
        self._corridors: list[_Corridor] = []
        xs: list[float] = []
        ys: list[float] = []
        margin = 0.0
        for street in streets:
            points = [self._xy(lat, lon) for lon, lat in street.line]
            half = street.width_m / 2
            segments = []
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                dx, dy = bx - ax, by - ay
                box = (
                    min(ax, bx) - half,
                    min(ay, by) - half,
                    max(ax, bx) + half,
                    max(ay, by) + half,
                )
                segments.append(_Segment(ax, ay, dx, dy, dx * dx + dy * dy, box))
            street_xs = [x for x, _ in points]
            street_ys = [y for _, y in points]
            street_box = (
                min(street_xs) - half,
                min(street_ys) - half,
                max(street_xs) + half,
                max(street_ys) + half,
            )
            self._corridors.append(
                _Corridor(street.city, street.slug, half, tuple(segments), street_box)
            )
            xs += street_xs
            ys += street_ys
            margin = max(margin, half)
        self._box = (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * self._kx, lat * METRES_PER_DEGREE

    def locate(self, lat: float, lon: float) -> tuple[str, str] | None:
        x, y = self._xy(lat, lon)
        west, south, east, north = self._box
        if not (west <= x <= east and south <= y <= north):
            return None
        best: tuple[float, _Corridor] | None = None
        # Inside the district most corridors, then most segments, are rejected by their box
        # (this runs for every fix: computing every segment's distance was 10% of a position
        # update's CPU in `make bench-gateway`'s profile).
        for corridor in self._corridors:
            west, south, east, north = corridor.box
            if not (west <= x <= east and south <= y <= north):
                continue
            for segment in corridor.segments:
                west, south, east, north = segment.box
                if not (west <= x <= east and south <= y <= north):
                    continue
                distance = _distance(x, y, segment)
                if distance <= corridor.half_width and (best is None or distance < best[0]):
                    best = (distance, corridor)
        return None if best is None else (best[1].city, best[1].slug)


def _distance(x: float, y: float, s: _Segment) -> float:
    if s.length2 == 0:
        return math.hypot(x - s.ax, y - s.ay)
    t = max(0.0, min(1.0, ((x - s.ax) * s.dx + (y - s.ay) * s.dy) / s.length2))
    return math.hypot(x - s.ax - t * s.dx, y - s.ay - t * s.dy)


def street_length_m(street: Street) -> float:
    """The length of the street's line, metres."""
    kx = math.cos(math.radians(street.line[0][1])) * METRES_PER_DEGREE
    return sum(
        math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * METRES_PER_DEGREE)
        for a, b in zip(street.line, street.line[1:], strict=False)
    )
