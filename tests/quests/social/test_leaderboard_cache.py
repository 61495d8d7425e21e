"""The Redis cache of the leaderboards: fed after commit, rebuilt when lost, bypassed when down.

Runs over the in-process backend always and over a real Redis when configured.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.pubsub import Backend, MemoryBackend, backend_from_url
from quests.social.leaderboards import Entry, RedisLeaderboardStore, record_xp
from tests.quests.social.test_leaderboard_contract import PLAYERS_ALLTIME, THIS_WEEK, pid
from tests.services import copy_sqlite

KEY = PLAYERS_ALLTIME.key(THIS_WEEK)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend_url(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")


@pytest.fixture
async def backend(backend_url: str) -> AsyncIterator[Backend]:
    instance = backend_from_url(backend_url)
    await instance.connect()
    yield instance
    await instance.close()


@pytest.fixture
async def factory(
    sqlite_template: Path, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = make_engine(copy_sqlite(sqlite_template, tmp_path))
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}:"


async def give(
    factory: async_sessionmaker[AsyncSession], backend: Backend, prefix: str, n: int, xp: int
) -> None:
    async with factory() as session:
        store = RedisLeaderboardStore(session, backend, prefix=prefix)
        await record_xp(store, pid(n), None, xp, THIS_WEEK)
        await session.commit()
    await store.settled()


async def top(
    factory: async_sessionmaker[AsyncSession], backend: Backend, prefix: str
) -> list[Entry]:
    async with factory() as session:
        return await RedisLeaderboardStore(session, backend, prefix=prefix).top(KEY, 10)


async def cached_generation(backend: Backend, prefix: str) -> str:
    generation = await backend.get(f"{prefix}{KEY}:current")
    assert generation is not None
    return f"{prefix}{KEY}:{generation.decode()}"


async def test_committed_xp_reaches_the_cached_board(
    factory: async_sessionmaker[AsyncSession], backend: Backend, prefix: str
) -> None:
    await give(factory, backend, prefix, 1, 10)
    assert await top(factory, backend, prefix) == [Entry(1, str(pid(1)), 10)]  # builds the cache
    data = await cached_generation(backend, prefix)
    await give(factory, backend, prefix, 2, 30)
    await give(factory, backend, prefix, 1, 5)
    assert await backend.zrange_desc(data, 0, -1) == [(str(pid(2)), 30.0), (str(pid(1)), 15.0)]
    assert await top(factory, backend, prefix) == [
        Entry(1, str(pid(2)), 30),
        Entry(2, str(pid(1)), 15),
    ]


async def test_a_lost_cache_is_rebuilt_from_the_database(
    factory: async_sessionmaker[AsyncSession], backend: Backend, prefix: str
) -> None:
    for n, xp in [(1, 10), (2, 30), (3, 30)]:
        await give(factory, backend, prefix, n, xp)
    before = await top(factory, backend, prefix)
    await backend.delete(await cached_generation(backend, prefix))
    await backend.delete(f"{prefix}{KEY}:current")  # as after a Redis restart
    await give(factory, backend, prefix, 1, 1)  # nothing cached: the database keeps it
    after = await top(factory, backend, prefix)
    assert after == [
        before[0],
        before[1],
        Entry(3, str(pid(1)), 11),
    ]
    assert await backend.zcard(await cached_generation(backend, prefix)) == 3


async def test_another_workers_rebuild_means_reading_the_database(
    factory: async_sessionmaker[AsyncSession], backend: Backend, prefix: str
) -> None:
    await give(factory, backend, prefix, 1, 10)
    await backend.set(f"{prefix}{KEY}:rebuilding", b"1", ttl_s=30)
    assert await top(factory, backend, prefix) == [Entry(1, str(pid(1)), 10)]
    assert await backend.get(f"{prefix}{KEY}:current") is None


async def test_an_unreachable_redis_loses_nothing(
    factory: async_sessionmaker[AsyncSession], prefix: str
) -> None:
    down = backend_from_url("redis://127.0.0.1:1/0")
    try:
        await give(factory, down, prefix, 1, 10)  # the after-commit push fails, logged
        assert await top(factory, down, prefix) == [Entry(1, str(pid(1)), 10)]
    finally:
        await down.close()
    # When Redis is back, the board is built from the database: nothing was lost.
    memory = MemoryBackend()
    assert await top(factory, memory, prefix) == [Entry(1, str(pid(1)), 10)]
