from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.db import make_engine, make_session_factory
from rewards import codes
from rewards.issuance import expiry, issue_coupon
from rewards.models import Coupon, CouponTemplateCounter
from tests.rewards import factories


async def test_issue_once_per_reason(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    async with factory() as session:
        player_id = await factories.player(session)
        tpl = factories.template(per_player_limit=3)
        first = await issue_coupon(session, tpl, player_id, "quest:porte:1")
        again = await issue_coupon(session, tpl, player_id, "quest:porte:1")
        second = await issue_coupon(session, tpl, player_id, "quest:porte:2")
        await session.commit()
    assert first is not None
    assert again is None
    assert second is not None
    assert codes.is_valid(first.code)
    assert first.event_data()["code"] == codes.display(first.code)
    assert first.event_data()["merchant"] == "caffe-alvino"
    assert first.expires_at == first.issued_at + timedelta(days=30)
    async with factory() as session:
        assert await _count(session) == 2
        counter = await session.get(CouponTemplateCounter, "caffe-in-piazza")
        assert counter is not None
        assert counter.issued == 2
    await engine.dispose()


async def test_per_player_and_total_limits(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    tpl = factories.template(per_player_limit=1, total_limit=2)
    async with factory() as session:
        players = [await factories.player(session) for _ in range(3)]
        assert await issue_coupon(session, tpl, players[0], "badge:a") is not None
        assert await issue_coupon(session, tpl, players[0], "badge:b") is None  # per player
        assert await issue_coupon(session, tpl, players[1], "badge:a") is not None
        assert await issue_coupon(session, tpl, players[2], "badge:a") is None  # total
        await session.commit()
        assert await _count(session) == 2
        counter = await session.get(CouponTemplateCounter, tpl.slug)
        assert counter is not None
        assert counter.issued == 2
    await engine.dispose()


async def test_the_coupon_keeps_the_offer_it_was_issued_with(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    async with factory() as session:
        player_id = await factories.player(session)
        issued = await issue_coupon(session, factories.template(), player_id, "badge:x")
        await session.commit()
        assert issued is not None
        coupon = await session.get(Coupon, issued.coupon_id)
        assert coupon is not None
        assert (coupon.offer_it, coupon.merchant_slug) == ("Un caffè in omaggio", "caffe-alvino")
    await engine.dispose()


def test_expiry_is_the_earlier_of_days_and_date_in_lecce_time() -> None:
    issued_at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert expiry(factories.template(valid_days=None), issued_at) is None
    until = factories.template(valid_days=None, valid_until=date(2026, 6, 10))
    # Midnight at the end of 10 June in Rome (CEST, UTC+2) is 22:00 UTC.
    assert expiry(until, issued_at) == datetime(2026, 6, 10, 22, 0, tzinfo=UTC)
    both = factories.template(valid_days=3, valid_until=date(2026, 6, 10))
    assert expiry(both, issued_at) == issued_at + timedelta(days=3)


@pytest.mark.postgis
async def test_concurrent_issuance_never_exceeds_the_limits(postgis_url: str) -> None:
    engine = make_engine(postgis_url)
    factory = make_session_factory(engine)
    total = factories.template(slug=f"t-{uuid.uuid4().hex[:8]}", total_limit=7, per_player_limit=2)
    async with factory() as session:
        players = [await factories.player(session) for _ in range(10)]
        await session.commit()

    async def attempt(player_id: uuid.UUID, reason: str) -> bool:
        async with factory() as session:
            issued = await issue_coupon(session, total, player_id, reason)
            await session.commit()
        return issued is not None

    # 10 players × 3 reasons × 2 duplicates = 60 concurrent attempts on one template.
    jobs = [attempt(p, f"quest:q:{n}") for p in players for n in range(3) for _ in range(2)]
    results = await asyncio.gather(*jobs)
    async with factory() as session:
        per_player = (
            await session.execute(
                select(Coupon.player_id, func.count())
                .where(Coupon.template_slug == total.slug)
                .group_by(Coupon.player_id)
            )
        ).all()
        counter = await session.get(CouponTemplateCounter, total.slug)
    assert sum(results) == 7
    assert sum(n for _, n in per_player) == 7
    assert max(n for _, n in per_player) <= 2
    assert counter is not None
    assert counter.issued == 7
    await engine.dispose()


async def _count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Coupon))).scalar_one())
