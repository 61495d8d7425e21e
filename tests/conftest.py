from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy import text

from game_server import migrate
from game_server.app import create_app
from game_server.kit.db import make_engine
from game_server.kit.settings import Environment
from game_server.models import Base
from game_server.settings import Settings
from tests.services import (
    copy_sqlite,
    fresh_postgis_database,
    migrated_sqlite_template,
    require_env,
)

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-0123456789"
# Tests sign up many guests from one loopback client; tests/abuse sets its own limits.
TEST_SIGNUPS_PER_CLIENT = "1000000"
# Every test socket comes from loopback: the per-address admission is lifted (tests/security
# sets its own).
TEST_SOCKETS_PER_CLIENT = "1000000"


def pytest_configure(config: pytest.Config) -> None:
    # Worker processes started by the tests inherit the environment.
    os.environ.setdefault("LUPIAE_GUEST_SIGNUPS_PER_CLIENT", TEST_SIGNUPS_PER_CLIENT)
    os.environ.setdefault("LUPIAE_MAX_SOCKETS_PER_CLIENT", TEST_SOCKETS_PER_CLIENT)


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """A session-wide PostGIS database, migrated to head."""
    base = require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")
    for url in fresh_postgis_database(base):
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = require_env("LUPIAE_TEST_REDIS_URL", "Redis")
    _forget_visit_prints(url)
    return url


def _forget_visit_prints(url: str) -> None:
    """A walk's fingerprints outlive the run that made them (30 days): the same shipped
    trace walked again by the next run would count as a replay (risk 10) and its coupon be
    held. Each run starts without them (the Redis database is the run's own)."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match="lupiae:visitprint:*", count=1000):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def database_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite always, PostGIS when configured."""
    if request.param == "sqlite":
        return copy_sqlite(sqlite_template, tmp_path)
    url: str = request.getfixturevalue("postgis_url")
    asyncio.run(truncate_all(url))
    return url


async def truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "redis_url": None,
        "gc_young_threshold": 0,  # one test process starts many apps: leave its collector be
        "jobs_enabled": False,  # tests run jobs themselves; tests/game_server/jobs starts them
        "guest_signups_per_client": int(TEST_SIGNUPS_PER_CLIENT),
        "max_sockets_per_client": int(TEST_SOCKETS_PER_CLIENT),
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    # English, as the assertions are written; without the header the API answers Italian.
    headers = {"Accept-Language": "en"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as http:
        yield http
