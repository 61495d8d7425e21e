"""Slugs unique per kind, step ids unique per quest, one walls area and one district."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from content.catalog import KINDS, Catalog, Item
from content.problems import Problem

_SINGULAR = {
    "areas": "area",
    "pois": "POI",
    "quests": "quest",
    "badges": "badge",
    "coupons": "coupon",
    "merchants": "merchant",
    "streets": "street",
}


def check(catalog: Catalog) -> Iterator[Problem]:
    for kind in KINDS:
        yield from _duplicate_slugs(catalog.items(kind), _SINGULAR[kind])
    for quest in catalog.quests:
        yield from _duplicate_step_ids(quest)
    for role in ("old_town", "district"):
        yield from _single_role(catalog, role)


def _duplicate_slugs(items: list[Item[Any]], noun: str) -> Iterator[Problem]:
    first: dict[str, Item[Any]] = {}
    for item in items:
        slug = item.model.slug
        if slug in first:
            message = f"duplicate {noun} slug '{slug}' (first defined at {first[slug].where()})"
            yield item.problem(message, "slug")
        else:
            first[slug] = item


def _duplicate_step_ids(quest: Item[Any]) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, step in enumerate(quest.model.steps):
        step_id = step.id or step.visit or step.dwell or step.team or step.at
        if step_id is None or step_id not in seen:
            seen.add(step_id)
            continue
        if step.id is None:
            message = (
                f"duplicate step id '{step_id}' (a step's id defaults to its POI; "
                "give this step its own 'id')"
            )
            yield quest.problem(message, "steps", index)
        else:
            yield quest.problem(f"duplicate step id '{step_id}'", "steps", index, "id")


def _single_role(catalog: Catalog, role: str) -> Iterator[Problem]:
    areas = [area for area in catalog.areas if area.model.role == role]
    for extra in areas[1:]:
        first = areas[0]
        message = (
            f"only one area can have role '{role}'; '{first.model.slug}' already has it "
            f"({first.where()})"
        )
        yield extra.problem(message, "role")
