"""Content builders with keyword arguments, for engine and service tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import (
    Badge,
    BadgeCriteria,
    Bundle,
    CouponTemplate,
    LocalText,
    Poi,
    Quest,
    Quiz,
    Rewards,
    Schedule,
    Step,
    TimeWindow,
)
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository

# Saturday 2026-06-13, 10:00 in Lecce (UTC+2 in summer).
NOON_ISH = datetime(2026, 6, 13, 8, 0, tzinfo=UTC)


def text(value: str) -> LocalText:
    return LocalText(it=value, en=value)


def poi(slug: str, *, kind: str = "church", **extra: Any) -> Poi:
    return Poi(
        slug=slug,
        kind=kind,
        name=text(slug.replace("_", " ").title()),
        description=text(slug),
        lat=40.35,
        lon=18.17,
        radius_m=30,
        **extra,
    )


def visit(poi: str, *, id: str | None = None, dwell_s: int | None = None) -> Step:
    return Step(id=id or poi, kind="visit", poi=poi, dwell_s=dwell_s)


def dwell(poi: str, dwell_s: int, *, id: str | None = None) -> Step:
    return Step(id=id or poi, kind="dwell", poi=poi, dwell_s=dwell_s)


def quiz(poi: str, answers: list[str], *, id: str = "quiz") -> Step:
    return Step(id=id, kind="quiz", poi=poi, quiz=Quiz(question=text("question?"), answers=answers))


def team(poi: str, *, id: str | None = None, min_members: int = 3, window_s: int = 120) -> Step:
    return Step(id=id or poi, kind="team", poi=poi, min_members=min_members, window_s=window_s)


def window(days: str, start: str, end: str) -> TimeWindow:
    return TimeWindow(days=days.split(), start=start, end=end)  # type: ignore[arg-type]


def quest(
    slug: str,
    steps: list[Step],
    *,
    order: Literal["any", "sequence"] = "any",
    xp: int = 100,
    badge: str | None = None,
    coupon: str | None = None,
    schedule: Schedule | None = None,
    **extra: Any,
) -> Quest:
    return Quest(
        slug=slug,
        title=text(slug),
        story=text(slug),
        order=order,
        steps=steps,
        schedule=schedule,
        rewards=Rewards(xp=xp, badge=badge, coupon=coupon),
        **extra,
    )


def badge(slug: str, **criteria: Any) -> Badge:
    return Badge(
        slug=slug,
        name=text(slug),
        description=text(slug),
        criteria=BadgeCriteria(**criteria) if criteria else None,
    )


def bundle(
    quests: list[Quest],
    *,
    pois: list[Poi] | None = None,
    badges: list[Badge] | None = None,
    coupons: list[CouponTemplate] | None = None,
) -> Bundle:
    slugs = sorted({step.poi for q in quests for step in q.steps})
    return Bundle(
        quests=sorted(quests, key=lambda q: q.slug),
        pois=pois if pois is not None else [poi(s) for s in slugs],
        badges=badges or [],
        coupons=coupons or [],
    )


async def new_player(session: AsyncSession) -> uuid.UUID:
    """A player with its event cursor, as sign-up creates it."""
    player = await PlayerRepository(session).add(Player(id=uuid.uuid4(), display_name="test"))
    return player.id


def coupon(slug: str, *, merchant: str = "caffe", **extra: Any) -> CouponTemplate:
    return CouponTemplate(slug=slug, merchant=merchant, offer=text(f"{slug} offer"), **extra)
