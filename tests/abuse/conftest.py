"""Real `lupiae serve` workers on PostGIS and Redis, as an attacker meets them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.game_server.gateway.live import publish_shipped
from tests.workers import run_workers

SIGNUPS_PER_CLIENT = 3


@pytest.fixture
async def workers(postgis_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[list[str]]:
    """Two workers with the shipped settings, except a low sign-up limit (3 per client)."""
    await publish_shipped(postgis_url)
    env = {
        "LUPIAE_DATABASE_URL": postgis_url,
        "LUPIAE_REDIS_URL": redis_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_ENV": "test",
        "LUPIAE_GUEST_SIGNUPS_PER_CLIENT": str(SIGNUPS_PER_CLIENT),
        # The scripts play many clients through one loopback "proxy" (X-Forwarded-For).
        "LUPIAE_TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    async with run_workers(2, env, logs=tmp_path, ready_timeout_s=90) as urls:
        yield urls
