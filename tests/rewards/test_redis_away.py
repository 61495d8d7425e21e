"""Redis away: redemptions, lookups and the rest of REST keep working, with local limits.

PostgreSQL decides redemptions; Redis only holds the per-key rate-limit windows. With Redis
gone (a real redis-server, stopped) the merchant API must not answer 500: each worker counts
the windows itself (bounded), `/readyz` says `degraded` (200: the worker still serves) and
`lupiae_degraded{dependency="redis"}` is 1. One warning for the outage, not one per request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from game_server.app import create_app
from game_server.kit.counters import LocalWindows
from tests.conftest import make_settings
from tests.game_server.gateway.test_workers import _free_port, private_redis
from tests.rewards.helpers import coupon, redeem, shop, shown

pytestmark = pytest.mark.redis


@pytest.fixture
async def app_without_redis(database_url: str) -> AsyncIterator[FastAPI]:
    port = _free_port()
    settings = make_settings(
        database_url,
        redis_url=f"redis://127.0.0.1:{port}/0",
        merchant_failed_redemptions_per_min=3,
        merchant_lookups_per_min=4,
    )
    with private_redis(port) as redis:
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            redis.terminate()
            redis.wait(5)
            yield application


async def test_redemptions_and_lookups_go_on_with_local_limits(
    app_without_redis: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_without_redis
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.WARNING):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            bar = await shop(app)
            issued = await coupon(app)
            url = f"/merchant/v1/coupons/{shown(issued)}"
            lookups = [(await client.get(url, headers=bar.auth)).status_code for _ in range(5)]
            assert lookups == [200, 200, 200, 200, 429]
            assert (await redeem(client, bar, shown(issued))).status_code == 201
            failures = [(await redeem(client, bar, "2345-6789-A")).status_code for _ in range(4)]
            assert failures == [404, 404, 404, 429]
            ready = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
    assert ready.status_code in (200, 503)  # 503 only for the content this app has none of
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["backend"].startswith("unreachable")
    assert 'lupiae_degraded{dependency="redis"} 1.0' in metrics
    warnings = [r for r in caplog.records if r.name == "game_server.kit.outages"]
    assert len(warnings) == 1
    assert not any(r.exc_info for r in caplog.records)


def test_local_windows_are_fixed_bounded_and_expire() -> None:
    now = [0.0]
    windows = LocalWindows(max_keys=2, clock=lambda: now[0])
    assert [windows.incr("a", 1, 60) for _ in range(3)] == [1, 2, 3]
    now[0] = 30
    assert windows.incr("a", 1, 60) == 4  # fixed window: not extended
    assert windows.ttl("a") == pytest.approx(30)
    windows.incr("b", 1, 60)
    windows.incr("c", 1, 60)  # a third key: the oldest window goes
    assert windows.get("a") == 0
    now[0] = 91
    assert windows.get("b") == 0
    assert windows.ttl("b") is None
