"""Expand the curator shorthands into the normalised `Bundle` (only for valid content)."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import Literal, TypeVar

from content import format as fmt
from content import model
from content.catalog import Catalog
from content.checks.geometry import close_ring

_SLUG = attrgetter("slug")
_M = TypeVar(
    "_M",
    model.Area,
    model.Poi,
    model.Quest,
    model.Badge,
    model.CouponTemplate,
    model.Merchant,
    model.Street,
)
DEFAULT_TEAM_MIN_MEMBERS = 2
DEFAULT_TEAM_WINDOW_S = 120


def build_bundle(catalog: Catalog, city: model.City = model.LECCE) -> model.Bundle:
    """The normalised game of one comune; each list is sorted by slug so the canonical JSON
    is stable, and every item names its comune."""
    here = {"city": city.slug}

    def of_city(items: Iterable[_M]) -> list[_M]:
        return sorted((item.model_copy(update=here) for item in items), key=_SLUG)

    quests = (_quest(i.model, city.timezone) for i in catalog.quests)
    return model.Bundle(
        timezone=city.timezone,
        cities=[city],
        areas=of_city(_area(i.model) for i in catalog.areas),
        pois=of_city(_poi(i.model) for i in catalog.pois),
        quests=of_city(quests),
        badges=of_city(_badge(i.model) for i in catalog.badges),
        coupons=of_city(_coupon(i.model) for i in catalog.coupons),
        merchants=of_city(_merchant(i.model) for i in catalog.merchants),
        streets=of_city(_street(i.model) for i in catalog.streets),
    )


def _text(text: fmt.LocalText | None) -> model.LocalText | None:
    return None if text is None else model.LocalText(it=text.it, en=text.en)


def _text_of(text: fmt.LocalText) -> model.LocalText:
    return model.LocalText(it=text.it, en=text.en)


def _windows(windows: list[fmt.TimeWindow] | None) -> list[model.TimeWindow] | None:
    if windows is None:
        return None
    return [model.TimeWindow(days=w.days, start=w.start, end=w.end) for w in windows]


def _area(area: fmt.Area) -> model.Area:
    return model.Area(
        slug=area.slug,
        role=area.role,
        name=_text_of(area.name),
        description=_text(area.description),
        polygon=close_ring(area.polygon),
        source=area.source,
    )


def _street(street: fmt.Street) -> model.Street:
    return model.Street(
        slug=street.slug,
        name=_text_of(street.name),
        line=[(lon, lat) for lon, lat in street.line],
        width_m=street.width_m,
        source=street.source,
    )


def _poi(poi: fmt.Poi) -> model.Poi:
    polygon = close_ring(poi.polygon) if poi.polygon is not None else None
    return model.Poi(
        slug=poi.slug,
        kind=poi.kind,
        name=_text_of(poi.name),
        description=_text_of(poi.description),
        lat=poi.lat,
        lon=poi.lon,
        radius_m=None if polygon is not None else (poi.radius_m or fmt.DEFAULT_RADIUS_M),
        polygon=polygon,
        dwell_s=poi.dwell_s,
        outside_walls=poi.outside_walls,
        opening_hours=_windows(poi.opening_hours),
        source=poi.source,
    )


def _target(step: fmt.Step) -> tuple[Literal["visit", "dwell", "quiz", "team"], str]:
    if step.quiz is not None and step.at is not None:
        return "quiz", step.at
    if step.visit is not None:
        return "visit", step.visit
    if step.dwell is not None:
        return "dwell", step.dwell
    if step.team is not None:
        return "team", step.team
    raise ValueError("a validated step always has a target")


def _step(step: fmt.Step) -> model.Step:
    kind, poi = _target(step)
    team = kind == "team"
    quiz = step.quiz
    return model.Step(
        id=step.id or poi,
        kind=kind,
        poi=poi,
        dwell_s=step.dwell_s,
        quiz=None
        if quiz is None
        else model.Quiz(question=_text_of(quiz.question), answers=quiz.answers),
        min_members=(step.min_members or DEFAULT_TEAM_MIN_MEMBERS) if team else None,
        window_s=(step.window_s or DEFAULT_TEAM_WINDOW_S) if team else None,
        hint=_text(step.hint),
    )


def _schedule(when: fmt.Schedule | None, timezone: str) -> model.Schedule | None:
    if when is None:
        return None
    return model.Schedule(
        hours=_windows(when.hours),
        from_date=when.from_date,
        until_date=when.until_date,
        only_when_open=when.only_when_open,
        timezone=timezone,
    )


def _quest(quest: fmt.Quest, timezone: str) -> model.Quest:
    cooldown_h = quest.cooldown_h or fmt.DEFAULT_COOLDOWN_H
    return model.Quest(
        slug=quest.slug,
        title=_text_of(quest.title),
        story=_text_of(quest.story),
        order=quest.order,
        steps=[_step(step) for step in quest.steps],
        prerequisites=list(quest.requires),
        schedule=_schedule(quest.when, timezone),
        repeatable=quest.repeatable,
        cooldown_s=cooldown_h * 3600 if quest.repeatable else None,
        auto_start=quest.auto_start,
        rewards=model.Rewards(**quest.rewards.model_dump()),
    )


def _badge(badge: fmt.Badge) -> model.Badge:
    criteria = badge.criteria
    return model.Badge(
        slug=badge.slug,
        name=_text_of(badge.name),
        description=_text_of(badge.description),
        icon=badge.icon,
        criteria=None if criteria is None else model.BadgeCriteria(**criteria.model_dump()),
    )


def _coupon(coupon: fmt.Coupon) -> model.CouponTemplate:
    return model.CouponTemplate(
        slug=coupon.slug,
        merchant=coupon.merchant,
        offer=_text_of(coupon.offer),
        terms=_text(coupon.terms),
        valid_days=coupon.valid_days,
        valid_until=coupon.valid_until,
        total_limit=coupon.total_limit,
        per_player_limit=coupon.per_player_limit,
        evidence=model.CouponEvidence(**coupon.evidence.model_dump()),
    )


def _merchant(merchant: fmt.Merchant) -> model.Merchant:
    return model.Merchant(
        slug=merchant.slug,
        name=merchant.name,
        category=merchant.category,
        street=merchant.street,
        lat=merchant.lat,
        lon=merchant.lon,
        demo=merchant.demo,
        description=_text(merchant.description),
    )
