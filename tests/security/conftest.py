"""Two real `lupiae serve` workers on PostGIS and Redis, in production mode, as the outside
security test met them; and the check that none of the attacks left a 500 or a traceback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.conftest import TEST_SECRET
from tests.game_server.gateway.live import publish_shipped
from tests.workers import run_workers

PUBLIC_URL = "https://gioca.example.it"
PER_CLIENT = 12
PER_PLAYER = 3
HEADER_TIMEOUT_S = 1.0


def production_env(postgis_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        "LUPIAE_DATABASE_URL": postgis_url,
        "LUPIAE_REDIS_URL": redis_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_ENV": "production",
        "LUPIAE_PUBLIC_URL": PUBLIC_URL,
        "LUPIAE_MAX_SOCKETS_PER_CLIENT": str(PER_CLIENT),
        "LUPIAE_MAX_SOCKETS_PER_PLAYER": str(PER_PLAYER),
        "LUPIAE_HEADER_READ_TIMEOUT_S": str(HEADER_TIMEOUT_S),
        "LUPIAE_BODY_READ_TIMEOUT_S": "2",
        "LUPIAE_MERCHANT_FAILED_REDEMPTIONS_PER_MIN": "10",
        # 127.0.0.1 plays the operator's host; 127.0.0.2 anyone else.
        "LUPIAE_INTERNAL_NETWORKS": '["127.0.0.1/32"]',
        **extra,
    }


def assert_no_traceback(logs: Path) -> None:
    for log in sorted(logs.glob("worker-*.log")):
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, f"{log.name}:\n{text[-4000:]}"
        assert '" 500' not in text, f"{log.name} answered 500:\n{text[-4000:]}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def workers(
    postgis_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[list[str]]:
    """Two production workers for a module's tests (mark them
    `pytest.mark.asyncio(loop_scope="module")`); afterwards, their logs hold no traceback and
    no 500."""
    await publish_shipped(postgis_url)
    logs = tmp_path_factory.mktemp("workers")
    env = production_env(postgis_url, redis_url)
    async with run_workers(2, env, logs=logs, ready_timeout_s=90) as urls:
        yield urls
    assert_no_traceback(logs)
