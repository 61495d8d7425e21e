"""Rules within one item: step shapes, time windows, schedules, repeats, coupons, criteria."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from content import format as fmt
from content.catalog import Catalog, Item
from content.problems import Problem

T = TypeVar("T", bound=BaseModel)
_STEP_KINDS = ("visit", "dwell", "team", "quiz")
Where = tuple[str | int, ...]


def check(catalog: Catalog) -> Iterator[Problem]:
    """Skips salvaged items: their removed keys would cause misleading follow-up problems."""
    for poi in _whole(catalog.pois):
        for index, window in enumerate(poi.model.opening_hours or []):
            yield from _time_window(poi, window, ("opening_hours", index))
    for quest in _whole(catalog.quests):
        yield from _quest(catalog, quest)
    for badge in _whole(catalog.badges):
        criteria = badge.model.criteria
        if criteria is not None and not criteria.model_dump(exclude_none=True):
            message = (
                "'criteria' is empty: give quests_completed, quests, sites_of_kind or distinct_days"
            )
            yield badge.problem(message, "criteria")
    for coupon in _whole(catalog.coupons):
        yield from _coupon(coupon)


def _whole(items: list[Item[T]]) -> list[Item[T]]:
    return [item for item in items if not item.salvaged]


def _quest(catalog: Catalog, quest: Item[fmt.Quest]) -> Iterator[Problem]:
    model = quest.model
    for index, step in enumerate(model.steps):
        yield from _step(quest, step, ("steps", index))
    if model.cooldown_h is not None and not model.repeatable:
        yield quest.problem("'cooldown_h' is only used with 'repeatable: true'", "cooldown_h")
    if model.when is not None:
        yield from _schedule(catalog, quest, model.when)


def _step(quest: Item[fmt.Quest], step: fmt.Step, where: Where) -> Iterator[Problem]:
    kinds = [kind for kind in _STEP_KINDS if getattr(step, kind) is not None]
    if not kinds:
        yield quest.problem("a step needs one of: visit, dwell, quiz (with at) or team", *where)
        return
    if len(kinds) > 1:
        message = f"a step does one thing, this one has both '{kinds[0]}' and '{kinds[1]}'"
        yield quest.problem(message, *where, kinds[1], at_key=True)
        return
    kind = kinds[0]
    if kind == "quiz" and step.at is None:
        yield quest.problem("a quiz step needs 'at': the POI where it is answered", *where, "quiz")
    if kind != "quiz" and step.at is not None:
        yield quest.problem("'at' is only used by quiz steps", *where, "at", at_key=True)
    if kind == "dwell" and step.dwell_s is None:
        yield quest.problem("a dwell step needs dwell_s (seconds to stay, 5–1800)", *where, "dwell")
    if kind in ("quiz", "team") and step.dwell_s is not None:
        message = "'dwell_s' is only used by visit and dwell steps"
        yield quest.problem(message, *where, "dwell_s", at_key=True)
    for key in ("min_members", "window_s"):
        if kind != "team" and getattr(step, key) is not None:
            yield quest.problem(f"'{key}' is only used by team steps", *where, key, at_key=True)


def _time_window(item: Item[Any], window: fmt.TimeWindow, where: Where) -> Iterator[Problem]:
    if window.start == window.end:
        message = f"a time window cannot start and end at the same time ('{window.start}')"
        yield item.problem(message, *where, "end")
    seen: set[str] = set()
    for index, day in enumerate(window.days):
        if day in seen:
            yield item.problem(f"'{day}' is listed twice", *where, "days", index)
        seen.add(day)


def _schedule(catalog: Catalog, quest: Item[fmt.Quest], when: fmt.Schedule) -> Iterator[Problem]:
    for index, window in enumerate(when.hours or []):
        yield from _time_window(quest, window, ("when", "hours", index))
    if when.from_date and when.until_date and when.from_date > when.until_date:
        message = f"'from' ({when.from_date}) is after 'until' ({when.until_date})"
        yield quest.problem(message, "when", "until")
    if not (when.hours or when.from_date or when.until_date or when.only_when_open):
        yield quest.problem("'when' is empty: give hours, from, until or only_when_open", "when")
    if when.only_when_open:
        yield from _without_opening_hours(catalog, quest)


def _without_opening_hours(catalog: Catalog, quest: Item[fmt.Quest]) -> Iterator[Problem]:
    hours = {poi.model.slug: poi.model.opening_hours for poi in catalog.pois}
    for step in quest.model.steps:
        slug = step.visit or step.dwell or step.team or step.at
        if slug in hours and not hours[slug]:
            message = (
                f"'only_when_open' needs opening_hours on every POI of the quest; '{slug}' has none"
            )
            yield quest.problem(message, "when", "only_when_open")


def _coupon(coupon: Item[fmt.Coupon]) -> Iterator[Problem]:
    model = coupon.model
    if model.valid_days is None and model.valid_until is None:
        yield coupon.problem("a coupon needs valid_days and/or valid_until", "slug")
    if model.total_limit is not None and model.per_player_limit > model.total_limit:
        message = (
            f"per_player_limit ({model.per_player_limit}) is larger than "
            f"total_limit ({model.total_limit})"
        )
        yield coupon.problem(message, "per_player_limit")
