"""A quest as GeoJSON for curators: its sites, their fences and the order of the steps."""

from __future__ import annotations

import math
from typing import Any

from content.model import Bundle, Poi, Quest, Step
from game_server.catalog.views import collection
from geo.frame import LocalFrame

CIRCLE_SIDES = 64


def quest_preview(quest: Quest, bundle: Bundle, language: str) -> dict[str, Any]:
    """One feature per step (`order` 0, 1, …) with its fence as a polygon; for sequence
    quests, a LineString through the sites in order."""
    features = []
    for order, step in enumerate(quest.steps):
        poi = bundle.poi(step.poi)
        assert poi is not None  # a valid bundle references only known sites
        features.append(_step_feature(quest, step, order, poi, language))
    if quest.order == "sequence" and len(quest.steps) > 1:
        features.append(_route(quest, bundle))
    body = collection(features)
    body["properties"] = {
        "quest": quest.slug,
        "title": quest.title.get(language),
        "order": quest.order,
        "steps": len(quest.steps),
    }
    return body


def _step_feature(quest: Quest, step: Step, order: int, poi: Poi, language: str) -> dict[str, Any]:
    ring = poi.polygon or _circle(poi.lat, poi.lon, float(poi.radius_m or 0))
    return {
        "type": "Feature",
        "id": f"{quest.slug}/{step.id}",
        "geometry": {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in ring]]},
        "properties": {
            "order": order,
            "sequence": quest.order == "sequence",
            "step": step.id,
            "kind": step.kind,
            "poi": poi.slug,
            "name": poi.name.get(language),
            "center": [poi.lon, poi.lat],
            "fence": "polygon" if poi.polygon else "circle",
            "radius_m": poi.radius_m,
            "dwell_s": step.dwell_s if step.dwell_s is not None else poi.dwell_s,
            "question": step.quiz.question.get(language) if step.quiz else None,
            "min_members": step.min_members,
        },
    }


def _route(quest: Quest, bundle: Bundle) -> dict[str, Any]:
    points = []
    for step in quest.steps:
        poi = bundle.poi(step.poi)
        assert poi is not None
        points.append([poi.lon, poi.lat])
    return {
        "type": "Feature",
        "id": f"{quest.slug}/route",
        "geometry": {"type": "LineString", "coordinates": points},
        "properties": {"route": True, "order": "sequence"},
    }


def _circle(lat: float, lon: float, radius_m: float) -> list[tuple[float, float]]:
    """A closed ring of (lon, lat) at `radius_m` metres around the centre."""
    frame = LocalFrame(lat, lon)
    ring = []
    for i in range(CIRCLE_SIDES):
        angle = 2 * math.pi * i / CIRCLE_SIDES
        point_lat, point_lon = frame.to_latlon(
            radius_m * math.sin(angle), radius_m * math.cos(angle)
        )
        ring.append((round(point_lon, 7), round(point_lat, 7)))
    return [*ring, ring[0]]
