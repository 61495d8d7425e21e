"""Erase on one worker process, the player's sockets on another: closed at once (1008), and the
tracker state the closing socket would have saved is not in Redis afterwards."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from redis import asyncio as aioredis

from game_server.gateway.trackers import tracker_key
from tests.conftest import TEST_SECRET
from tests.game_server.admin.test_workers import _close_code, private_postgis
from tests.game_server.gateway.live import Player, dwell_at, publish_shipped
from tests.test_end_to_end import NAPOLI
from tests.workers import run_workers

pytestmark = [pytest.mark.postgis, pytest.mark.redis, pytest.mark.slow]

__all__ = ["private_postgis"]


async def test_erase_on_one_worker_closes_the_sockets_on_the_other(
    private_postgis: str, redis_url: str, tmp_path: Path
) -> None:
    await publish_shipped(private_postgis)
    env = {
        "LUPIAE_ENV": "test",
        "LUPIAE_DATABASE_URL": private_postgis,
        "LUPIAE_REDIS_URL": redis_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_LOG_LEVEL": "warning",
        "LUPIAE_JOBS_ENABLED": "false",
    }
    async with (
        run_workers(2, env, logs=tmp_path) as (url_a, url_b),
        httpx.AsyncClient(base_url=url_a, timeout=10) as a,
    ):
        tokens = (await a.post("/v1/auth/guest")).json()
        player_id = uuid.UUID(tokens["player_id"])
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        host_b = url_b.removeprefix("http://")
        async with Player.connect(host_b, tokens["access_token"]) as (phone, _):
            fixes = dwell_at(*NAPOLI, 5, start_ms=int(time.time() * 1000))
            await phone.send({"type": "positions", "fixes": fixes})
            await phone.drain()  # the fixes were judged: the socket holds a tracker state
            erased = await a.delete("/v1/me", params={"confirm": str(player_id)}, headers=auth)
            assert erased.status_code == 204
            assert await _close_code(phone) == 1008
        redis = aioredis.Redis.from_url(redis_url)
        try:
            assert await redis.exists(tracker_key(player_id)) == 0
        finally:
            await redis.aclose()
        assert (await a.get("/v1/me", headers=auth)).status_code == 401
