"""How published content looks to players: GeoJSON and localised quest views.

Quiz answers never leave the server.
"""

from __future__ import annotations

from typing import Any

from content.model import Area, Bundle, City, LocalText, Poi, Quest, Step, Street


def _text(value: LocalText | None, language: str) -> str | None:
    return value.get(language) if value else None


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[lon, lat] for lon, lat in points]


def poi_feature(poi: Poi, language: str) -> dict[str, Any]:
    geometry: dict[str, Any] = (
        {"type": "Polygon", "coordinates": [_ring(poi.polygon)]}
        if poi.polygon
        else {"type": "Point", "coordinates": [poi.lon, poi.lat]}
    )
    return {
        "type": "Feature",
        "id": poi.slug,
        "geometry": geometry,
        "properties": {
            "slug": poi.slug,
            "city": poi.city,
            "name": poi.name.get(language),
            "description": poi.description.get(language),
            "kind": poi.kind,
            "radius_m": poi.radius_m,
            "dwell_s": poi.dwell_s,
            "outside_walls": poi.outside_walls,
            "opening_hours": [w.model_dump() for w in poi.opening_hours or []] or None,
            "source": poi.source,
        },
    }


def area_feature(area: Area, language: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.slug,
        "geometry": {"type": "Polygon", "coordinates": [_ring(area.polygon)]},
        "properties": {
            "slug": area.slug,
            "city": area.city,
            "role": area.role,
            "name": area.name.get(language),
            "description": _text(area.description, language),
            "source": area.source,
        },
    }


def street_feature(street: Street, language: str) -> dict[str, Any]:
    """A shopping street of the district as a GeoJSON line (no figures: those are the district
    role's, /admin/v1/district)."""
    return {
        "type": "Feature",
        "id": street.slug,
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in street.line]},
        "properties": {
            "slug": street.slug,
            "city": street.city,
            "name": street.name.get(language),
            "width_m": street.width_m,
        },
    }


def city_view(city: City, version_id: int, language: str) -> dict[str, Any]:
    return {
        "slug": city.slug,
        "name": city.name.get(language),
        "ipa_code": city.ipa_code,
        "timezone": city.timezone,
        "bbox": list(city.bbox),
        "publisher": city.publisher.get(language),
        "demo": city.demo,
        "website": city.website,
        "content_version": version_id,
    }


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def quest_summary(quest: Quest, language: str) -> dict[str, Any]:
    return {
        "slug": quest.slug,
        "city": quest.city,
        "title": quest.title.get(language),
        "story": quest.story.get(language),
        "order": quest.order,
        "steps": len(quest.steps),
        "prerequisites": quest.prerequisites,
        "repeatable": quest.repeatable,
        "cooldown_s": quest.cooldown_s,
        "auto_start": quest.auto_start,
        "schedule": quest.schedule.model_dump(mode="json") if quest.schedule else None,
        "rewards": quest.rewards.model_dump(),
    }


def step_view(step: Step, language: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": step.id,
        "kind": step.kind,
        "poi": step.poi,
        "dwell_s": step.dwell_s,
        "hint": _text(step.hint, language),
    }
    if step.quiz is not None:
        view["question"] = step.quiz.question.get(language)
    if step.kind == "team":
        view["min_members"] = step.min_members
        view["window_s"] = step.window_s
    return view


def quest_detail(quest: Quest, bundle: Bundle, language: str) -> dict[str, Any]:
    detail = quest_summary(quest, language)
    detail["steps"] = [step_view(step, language) for step in quest.steps]
    pois = {step.poi for step in quest.steps}
    detail["pois"] = collection([poi_feature(p, language) for p in bundle.pois if p.slug in pois])
    return detail
