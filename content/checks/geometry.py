"""Polygons are valid; POIs lie inside the walls and merchants inside the district."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.validation import explain_validity

from content import format as fmt
from content.catalog import Catalog, Item
from content.problems import Problem

_METRES_PER_DEGREE = 111_320.0


def close_ring(points: list[list[float]]) -> list[tuple[float, float]]:
    """The ring as (lon, lat) tuples, closed (first point repeated at the end)."""
    ring = [(float(p[0]), float(p[1])) for p in points]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def check(catalog: Catalog) -> Iterator[Problem]:
    shapes: dict[str, ShapelyPolygon] = {}
    for area in catalog.areas:
        polygon, problems = _polygon(area, ("polygon",), area.model.polygon)
        yield from problems
        if polygon is not None:
            shapes.setdefault(area.model.role, polygon)
    for poi in catalog.pois:
        yield from _check_poi(catalog, poi, shapes.get("old_town"))
    for merchant in catalog.merchants:
        yield from _check_merchant(catalog, merchant, shapes.get("district"))
    if not catalog.complete("areas"):  # the area may be in a file that could not be read
        return
    if catalog.pois and not _has_role(catalog, "old_town"):
        yield catalog.pois[0].problem(_no_area("old_town", "POIs lie inside the walls"), "slug")
    if catalog.merchants and not _has_role(catalog, "district"):
        message = _no_area("district", "merchants lie inside the commercial district")
        yield catalog.merchants[0].problem(message, "slug")


def _has_role(catalog: Catalog, role: str) -> bool:
    return any(area.model.role == role for area in catalog.areas)


def _no_area(role: str, purpose: str) -> str:
    return f"no area has role '{role}': add it to areas, so that the validator can check {purpose}"


def _polygon(
    item: Item[Any], where: tuple[str, ...], points: list[list[float]]
) -> tuple[ShapelyPolygon | None, list[Problem]]:
    problems = []
    for index, (lon, lat) in enumerate(points):
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            message = f"point [{lon}, {lat}] is not a [lon, lat] pair on Earth"
            problems.append(item.problem(message, *where, index))
    if problems:
        return None, problems
    ring = close_ring(points)
    if len(set(ring)) < 3:
        return None, [item.problem("a polygon needs at least 3 distinct points", *where)]
    polygon = ShapelyPolygon(ring)
    if not polygon.is_valid:
        return None, [item.problem(f"polygon is not valid: {explain_validity(polygon)}", *where)]
    return polygon, []


def _check_poi(
    catalog: Catalog, poi: Item[fmt.Poi], walls: ShapelyPolygon | None
) -> Iterator[Problem]:
    model = poi.model
    shape: Any = Point(model.lon, model.lat)
    if model.polygon is not None:
        if model.radius_m is not None:
            yield poi.problem("give either radius_m or polygon, not both", "radius_m")
        polygon, problems = _polygon(poi, ("polygon",), model.polygon)
        yield from problems
        shape = polygon if polygon is not None else shape
    if walls is None:
        return
    inside = walls.covers(shape)
    name = _role_slug(catalog, "old_town")
    if not inside and not model.outside_walls:
        message = (
            f"POI '{model.slug}' lies {_outside(walls, shape)} the old town ('{name}'); "
            "move it or mark it 'outside_walls: true'"
        )
        yield poi.problem(message, "polygon" if model.polygon else "lat")
    elif inside and model.outside_walls:
        message = (
            f"POI '{model.slug}' is marked 'outside_walls: true' "
            f"but lies inside the old town ('{name}')"
        )
        yield poi.problem(message, "outside_walls")


def _check_merchant(
    catalog: Catalog, merchant: Item[fmt.Merchant], district: ShapelyPolygon | None
) -> Iterator[Problem]:
    point = Point(merchant.model.lon, merchant.model.lat)
    if district is None or district.covers(point):
        return
    message = (
        f"merchant '{merchant.model.slug}' lies {_outside(district, point)} "
        f"the commercial district ('{_role_slug(catalog, 'district')}')"
    )
    yield merchant.problem(message, "lat")


def _role_slug(catalog: Catalog, role: str) -> str:
    return next(area.model.slug for area in catalog.areas if area.model.role == role)


def _outside(area: ShapelyPolygon, shape: Any) -> str:
    """'partly outside' or 'N m outside', measured on a local flat projection (city scale)."""
    scale = np.array([math.cos(math.radians(area.centroid.y)), 1.0]) * _METRES_PER_DEGREE
    projected_area = shapely.transform(area, lambda xy: xy * scale)
    projected_shape = shapely.transform(shape, lambda xy: xy * scale)
    metres = round(projected_area.distance(projected_shape))
    return (
        "partly outside"
        if metres == 0 and shape.intersects(area)
        else f"{max(1, metres)} m outside"
    )
