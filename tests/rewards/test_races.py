"""Concurrency on real PostGIS: the database, not luck, decides who redeems."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from game_server.app import create_app
from rewards.models import Redemption
from tests.conftest import make_settings, truncate_all
from tests.rewards.helpers import coupon, redeem, shop, shown

pytestmark = pytest.mark.postgis


@pytest.fixture
async def racing_app(postgis_url: str) -> AsyncIterator[FastAPI]:
    await truncate_all(postgis_url)
    # The failure limit would turn the losers into 429s; here we want to see the 409s.
    settings = make_settings(postgis_url, merchant_failed_redemptions_per_min=10_000)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def _redemption_rows(app: FastAPI) -> int:
    async with app.state.session_factory() as session:
        return int((await session.execute(select(func.count(Redemption.id)))).scalar_one())


async def test_50_concurrent_redemptions_with_different_keys(racing_app: FastAPI) -> None:
    bar = await shop(racing_app)
    issued = await coupon(racing_app)
    transport = httpx.ASGITransport(app=racing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        responses = await asyncio.gather(
            *(redeem(client, bar, shown(issued), key=f"till-{n}") for n in range(50))
        )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 49}, statuses
    spent = [r.json() for r in responses if r.status_code == 409]
    assert all(p["type"].endswith("/coupon-spent") for p in spent)
    assert await _redemption_rows(racing_app) == 1


async def test_20_concurrent_requests_with_the_same_key_execute_once(
    racing_app: FastAPI,
) -> None:
    bar = await shop(racing_app)
    issued = await coupon(racing_app)
    transport = httpx.ASGITransport(app=racing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        responses = await asyncio.gather(
            *(redeem(client, bar, shown(issued), key="one-sale") for _ in range(20))
        )
        replay = await redeem(client, bar, shown(issued), key="one-sale")
    executed = [
        r for r in responses if r.status_code == 201 and "idempotency-replayed" not in r.headers
    ]
    assert len(executed) == 1
    for response in responses:
        assert response.status_code in {201, 409}, response.text
        if response.status_code == 201:
            assert response.json() == executed[0].json()
        else:
            assert response.json()["type"].endswith("/idempotency-in-flight")
    assert replay.status_code == 201
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.json() == executed[0].json()
    assert await _redemption_rows(racing_app) == 1


async def test_concurrent_voids_and_redemptions_keep_one_live_redemption(
    racing_app: FastAPI,
) -> None:
    bar = await shop(racing_app)
    issued = await coupon(racing_app)
    transport = httpx.ASGITransport(app=racing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = (await redeem(client, bar, shown(issued))).json()
        void = client.post(f"/merchant/v1/redemptions/{first['id']}/void", headers=bar.auth)
        attempts = [redeem(client, bar, shown(issued), key=f"k{n}") for n in range(10)]
        results = await asyncio.gather(void, *attempts)
    assert results[0].status_code == 200
    assert sum(r.status_code == 201 for r in results[1:]) <= 1
    async with racing_app.state.session_factory() as session:
        live = (
            await session.execute(
                select(func.count(Redemption.id)).where(Redemption.voided_at.is_(None))
            )
        ).scalar_one()
    assert live == sum(r.status_code == 201 for r in results[1:])
