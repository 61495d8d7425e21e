"""An immutable spatial index of fences: a uniform grid in metres."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from geo.fences import Fence
from geo.frame import LocalFrame
from geo.shapes import BOUNDARY, INSIDE, Circle, Ring, project_fence

CircleCheck = tuple[str, float, float, float]  # slug, cx, cy, radius²
RingCheck = tuple[str, Ring]
Cell = tuple[tuple[str, ...], tuple[CircleCheck, ...], tuple[RingCheck, ...]]


@dataclass(frozen=True, slots=True)
class _Grid:
    x0: float
    y0: float
    x1: float
    y1: float
    cell_m: float
    ny: int

    def key(self, ix: int, iy: int) -> int:
        return ix * self.ny + iy

    def span(self, lo: float, hi: float, origin: float) -> range:
        return range(int((lo - origin) // self.cell_m), int((hi - origin) // self.cell_m) + 1)


class FenceIndex:
    """Which fences contain a point, in about a microsecond.

    Each grid cell lists the fences that cover it entirely (answered without any
    arithmetic) and the fences whose boundary crosses it (answered exactly: a squared
    distance for circles, a crossing-number test over a few edges for polygons).
    """

    __slots__ = ("_cells", "_grid", "_shapes", "fences", "frame", "version")

    def __init__(
        self,
        *,
        fences: tuple[Fence, ...],
        frame: LocalFrame,
        shapes: dict[str, Circle | Ring],
        grid: _Grid,
        cells: dict[int, Cell],
        version: str,
    ) -> None:
        self.fences = fences
        self.frame = frame
        self.version = version
        self._shapes = shapes
        self._grid = grid
        self._cells = cells

    @classmethod
    def build(
        cls,
        fences: Sequence[Fence],
        frame: LocalFrame | None = None,
        *,
        cell_m: float = 16.0,
        version: str = "",
    ) -> FenceIndex:
        """Index fences; the frame defaults to the centre of their bounding box."""
        if not cell_m > 0:
            raise ValueError("cell_m must be > 0")
        fences = tuple(fences)
        slugs = [f.slug for f in fences]
        if len(set(slugs)) != len(slugs):
            raise ValueError("fence slugs must be unique")
        frame = frame or _frame_around(fences)
        shapes = {f.slug: project_fence(f, frame) for f in fences}
        grid = _grid_for(list(shapes.values()), cell_m)
        cells = _fill_cells(shapes, grid)
        return cls(
            fences=fences, frame=frame, shapes=shapes, grid=grid, cells=cells, version=version
        )

    def __len__(self) -> int:
        return len(self.fences)

    def __contains__(self, slug: object) -> bool:
        return slug in self._shapes

    def containing(self, lat: float, lon: float) -> list[str]:
        """Slugs of the fences that contain the point (boundary included)."""
        x, y = self.frame.to_xy(lat, lon)
        return self.containing_xy(x, y)

    def containing_xy(self, x: float, y: float) -> list[str]:
        g = self._grid
        if not (g.x0 <= x < g.x1 and g.y0 <= y < g.y1):
            return []
        cell = self._cells.get(int((x - g.x0) // g.cell_m) * g.ny + int((y - g.y0) // g.cell_m))
        if cell is None:
            return []
        inside, circles, rings = cell
        found = list(inside)
        for slug, cx, cy, r2 in circles:
            dx = x - cx
            dy = y - cy
            if dx * dx + dy * dy <= r2:
                found.append(slug)
        for slug, ring in rings:
            if ring.contains(x, y):
                found.append(slug)
        return found

    def signed_distance_xy(self, slug: str, x: float, y: float) -> float:
        """Metres to the fence boundary, negative inside; +inf for an unknown slug."""
        shape = self._shapes.get(slug)
        return math.inf if shape is None else shape.signed_distance(x, y)

    def nearby(self, lat: float, lon: float, within_m: float) -> list[tuple[str, float]]:
        """(slug, signed distance) of every fence at most within_m outside, nearest first."""
        x, y = self.frame.to_xy(lat, lon)
        g = self._grid
        candidates: set[str] = set()
        for ix in g.span(x - within_m, x + within_m, g.x0):
            for iy in g.span(y - within_m, y + within_m, g.y0):
                cell = self._cells.get(g.key(ix, iy)) if 0 <= iy < g.ny else None
                if cell is not None:
                    candidates.update(cell[0])
                    candidates.update(c[0] for c in cell[1])
                    candidates.update(r[0] for r in cell[2])
        found = [(s, self._shapes[s].signed_distance(x, y)) for s in candidates]
        return sorted((item for item in found if item[1] <= within_m), key=lambda i: (i[1], i[0]))


def _frame_around(fences: Sequence[Fence]) -> LocalFrame:
    if not fences:
        return LocalFrame(0.0, 0.0)
    lats: list[float] = []
    lons: list[float] = []
    for f in fences:
        if f.polygon_lonlat is not None:
            x0, y0, x1, y1 = f.polygon_lonlat.bounds
            lons += [x0, x1]
            lats += [y0, y1]
        else:
            assert f.lat is not None
            assert f.lon is not None
            lats.append(f.lat)
            lons.append(f.lon)
    return LocalFrame((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)


def _grid_for(shapes: list[Circle | Ring], cell_m: float) -> _Grid:
    if not shapes:
        return _Grid(0.0, 0.0, 0.0, 0.0, cell_m, 1)
    boxes = [s.bounds() for s in shapes]
    x0 = math.floor(min(b[0] for b in boxes)) - cell_m
    y0 = math.floor(min(b[1] for b in boxes)) - cell_m
    nx = math.ceil((max(b[2] for b in boxes) + cell_m - x0) / cell_m) + 1
    ny = math.ceil((max(b[3] for b in boxes) + cell_m - y0) / cell_m) + 1
    return _Grid(x0, y0, x0 + nx * cell_m, y0 + ny * cell_m, cell_m, ny)


def _fill_cells(shapes: dict[str, Circle | Ring], grid: _Grid) -> dict[int, Cell]:
    inside: dict[int, list[str]] = {}
    circles: dict[int, list[CircleCheck]] = {}
    rings: dict[int, list[RingCheck]] = {}
    for slug, shape in shapes.items():
        for key, verdict in _classify_cells(shape, grid):
            if verdict == INSIDE:
                inside.setdefault(key, []).append(slug)
            elif verdict == BOUNDARY and isinstance(shape, Circle):
                circles.setdefault(key, []).append((slug, shape.cx, shape.cy, shape.radius_m**2))
            elif verdict == BOUNDARY and isinstance(shape, Ring):
                rings.setdefault(key, []).append((slug, shape))
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # equal lists share one tuple
    cells: dict[int, Cell] = {}
    for key in inside.keys() | circles.keys() | rings.keys():
        whole = tuple(inside.get(key, ()))
        cells[key] = (
            shared.setdefault(whole, whole),
            tuple(circles.get(key, ())),
            tuple(rings.get(key, ())),
        )
    return cells


def _classify_cells(shape: Circle | Ring, grid: _Grid) -> list[tuple[int, int]]:
    bx0, by0, bx1, by1 = shape.bounds()
    c = grid.cell_m
    keys: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    for ix in grid.span(bx0, bx1, grid.x0):
        for iy in grid.span(by0, by1, grid.y0):
            keys.append(grid.key(ix, iy))
            x = grid.x0 + ix * c
            y = grid.y0 + iy * c
            boxes.append((x, y, x + c, y + c))
    if isinstance(shape, Ring):
        verdicts = shape.classify_boxes(boxes)
    else:
        verdicts = [shape.classify_box(*b) for b in boxes]
    return list(zip(keys, verdicts, strict=True))
