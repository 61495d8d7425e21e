"""ONE contract for every leaderboard store: the database (SQLite, PostGIS) and the Redis
cache of it (over the in-process backend always, over a real Redis when configured).

Every store must give the same rankings, ties, around-me windows and periods.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.pubsub import Backend, MemoryBackend, backend_from_url
from quests.social.leaderboards import (
    Board,
    DatabaseLeaderboardStore,
    Entry,
    LeaderboardStore,
    Period,
    RedisLeaderboardStore,
    Scope,
    record_xp,
)
from tests.conftest import truncate_all
from tests.services import copy_sqlite

T = TypeVar("T")

# Wednesday of ISO week 2026-W47 (Europe/Rome) and the Wednesday after.
THIS_WEEK = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
NEXT_WEEK = THIS_WEEK + timedelta(days=7)
PLAYERS_WEEKLY = Board(Scope.PLAYERS, Period.WEEKLY)
PLAYERS_ALLTIME = Board(Scope.PLAYERS, Period.ALLTIME)
TEAMS_WEEKLY = Board(Scope.TEAMS, Period.WEEKLY)
TEAMS_ALLTIME = Board(Scope.TEAMS, Period.ALLTIME)


def pid(n: int) -> uuid.UUID:
    """Ids whose string order is their number's order, so tie-breaks are easy to read."""
    return uuid.UUID(int=n)


@dataclass
class Harness:
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]
    backend: Backend | None
    prefix: str
    stores: list[LeaderboardStore] = field(default_factory=list)

    def store(self, session: AsyncSession) -> LeaderboardStore:
        if self.backend is None:
            return DatabaseLeaderboardStore(session)
        store = RedisLeaderboardStore(session, self.backend, prefix=self.prefix)
        self.stores.append(store)
        return store

    async def record(
        self, player: uuid.UUID, xp: int, at: datetime = THIS_WEEK, team: uuid.UUID | None = None
    ) -> None:
        async with self.factory() as session:
            store = self.store(session)
            await record_xp(store, player, team, xp, at)
            await session.commit()
        await self.settled()

    async def settled(self) -> None:
        for store in self.stores:
            if isinstance(store, RedisLeaderboardStore):
                await store.settled()

    async def read(self, call: Callable[[LeaderboardStore], Awaitable[T]]) -> T:
        async with self.factory() as session:
            result = await call(self.store(session))
            await session.commit()
        return result


@pytest.fixture(
    params=[
        "database-sqlite",
        pytest.param("database-postgis", marks=pytest.mark.postgis),
        "cache-memory",
        pytest.param("cache-redis", marks=pytest.mark.redis),
    ]
)
def kind_and_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> tuple[str, str, str | None]:
    """Which store, over which database (and which Redis). Sync: the PostGIS fixtures are."""
    kind: str = request.param
    redis_url = request.getfixturevalue("redis_url") if kind == "cache-redis" else None
    if kind == "database-postgis":
        url: str = request.getfixturevalue("postgis_url")
        asyncio.run(truncate_all(url))
        return kind, url, None
    return kind, copy_sqlite(sqlite_template, tmp_path), redis_url


@pytest.fixture
async def harness(kind_and_url: tuple[str, str, str | None]) -> AsyncIterator[Harness]:
    kind, url, redis_url = kind_and_url
    backend: Backend | None = None
    if kind == "cache-memory":
        backend = MemoryBackend()
    elif redis_url is not None:
        backend = backend_from_url(redis_url)
    if backend is not None:
        await backend.connect()
    engine = make_engine(url)
    try:
        yield Harness(engine, make_session_factory(engine), backend, f"test:{uuid.uuid4().hex}:")
    finally:
        if backend is not None:
            await backend.close()
        await engine.dispose()


def ranked(scores: dict[uuid.UUID, int]) -> list[Entry]:
    """The reference ranking: score descending, then the id's string descending (as Redis)."""
    order = sorted(((score, str(member)) for member, score in scores.items()), reverse=True)
    return [Entry(i + 1, member, score) for i, (score, member) in enumerate(order)]


async def test_ranks_by_score_then_member_descending(harness: Harness) -> None:
    for n, xp in [(1, 30), (2, 50), (3, 30), (4, 10), (5, 30)]:
        await harness.record(pid(n), xp)
    await harness.record(pid(4), 5)
    key = PLAYERS_ALLTIME.key(THIS_WEEK)
    top = await harness.read(lambda s: s.top(key, 10))
    assert [(e.rank, e.member, e.score) for e in top] == [
        (1, str(pid(2)), 50),
        (2, str(pid(5)), 30),  # ties: the greater id first, as ZREVRANGE does
        (3, str(pid(3)), 30),
        (4, str(pid(1)), 30),
        (5, str(pid(4)), 15),
    ]
    assert await harness.read(lambda s: s.top(key, 2)) == top[:2]
    assert await harness.read(lambda s: s.position(key, str(pid(1)))) == top[3]
    assert await harness.read(lambda s: s.position(key, str(pid(99)))) is None
    assert await harness.read(lambda s: s.top("players:nobody", 5)) == []


async def test_around_me_is_clipped_at_both_ends(harness: Harness) -> None:
    for n in range(1, 8):
        await harness.record(pid(n), n * 10)
    key = PLAYERS_WEEKLY.key(THIS_WEEK)
    me, around = await harness.read(lambda s: s.around(key, str(pid(4)), 2))
    assert me == Entry(4, str(pid(4)), 40)
    assert [e.rank for e in around] == [2, 3, 4, 5, 6]
    me, around = await harness.read(lambda s: s.around(key, str(pid(7)), 2))
    assert me is not None
    assert me.rank == 1
    assert [e.member for e in around] == [str(pid(n)) for n in (7, 6, 5)]
    me, around = await harness.read(lambda s: s.around(key, str(pid(1)), 1))
    assert [e.rank for e in around] == [6, 7]
    assert await harness.read(lambda s: s.around(key, str(pid(42)), 2)) == (None, [])


async def test_weekly_boards_start_again_each_iso_week_in_rome(harness: Harness) -> None:
    await harness.record(pid(1), 100, at=THIS_WEEK)
    await harness.record(pid(2), 40, at=NEXT_WEEK)
    # Sunday 23:30 UTC is already Monday 00:30 in Rome: next week's board.
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    await harness.record(pid(3), 70, at=sunday_night)
    assert PLAYERS_WEEKLY.key(sunday_night) == PLAYERS_WEEKLY.key(NEXT_WEEK) == "players:2026-W48"
    this_week = await harness.read(lambda s: s.top(PLAYERS_WEEKLY.key(THIS_WEEK), 10))
    next_week = await harness.read(lambda s: s.top(PLAYERS_WEEKLY.key(NEXT_WEEK), 10))
    alltime = await harness.read(lambda s: s.top(PLAYERS_ALLTIME.key(NEXT_WEEK), 10))
    assert [(e.member, e.score) for e in this_week] == [(str(pid(1)), 100)]
    assert [(e.member, e.score) for e in next_week] == [(str(pid(3)), 70), (str(pid(2)), 40)]
    assert [e.score for e in alltime] == [100, 70, 40]


async def test_team_boards_add_up_their_members(harness: Harness) -> None:
    red, blue = pid(1000), pid(2000)
    await harness.record(pid(1), 30, team=red)
    await harness.record(pid(2), 25, team=red)
    await harness.record(pid(3), 50, team=blue)
    await harness.record(pid(4), 5)  # no team: counts for the player only
    for board in (TEAMS_WEEKLY, TEAMS_ALLTIME):
        top = await harness.read(lambda s, b=board: s.top(b.key(THIS_WEEK), 10))
        assert [(e.member, e.score) for e in top] == [(str(red), 55), (str(blue), 50)]
    assert await harness.read(lambda s: s.top(PLAYERS_ALLTIME.key(THIS_WEEK), 10)) == ranked(
        {pid(1): 30, pid(2): 25, pid(3): 50, pid(4): 5}
    )


async def test_many_members_with_many_ties_match_the_reference(harness: Harness) -> None:
    rng = random.Random(47)
    scores: dict[uuid.UUID, int] = {}
    async with harness.factory() as session:
        store = harness.store(session)
        for _ in range(60):
            member = uuid.UUID(int=rng.getrandbits(128))
            xp = rng.choice([5, 10, 15])
            scores[member] = xp
            await record_xp(store, member, None, xp, THIS_WEEK)
        await session.commit()
    await harness.settled()
    key = PLAYERS_ALLTIME.key(THIS_WEEK)
    expected = ranked(scores)
    assert await harness.read(lambda s: s.top(key, 100)) == expected
    assert await harness.read(lambda s: s.window(key, 10, 19)) == expected[10:20]
    for entry in expected[::7]:
        assert await harness.read(lambda s, e=entry: s.position(key, e.member)) == entry


async def test_friends_are_ranked_among_themselves_with_zero_for_newcomers(
    harness: Harness,
) -> None:
    await harness.record(pid(1), 10)
    await harness.record(pid(2), 30)
    await harness.record(pid(3), 20)  # not a friend
    friends = [str(pid(1)), str(pid(2)), str(pid(9))]
    board = await harness.read(lambda s: s.ranked_among(PLAYERS_ALLTIME.key(THIS_WEEK), friends))
    assert board == [
        Entry(1, str(pid(2)), 30),
        Entry(2, str(pid(1)), 10),
        Entry(3, str(pid(9)), 0),
    ]


async def test_rolled_back_xp_counts_nowhere(harness: Harness) -> None:
    key = PLAYERS_ALLTIME.key(THIS_WEEK)
    await harness.record(pid(1), 10)
    assert await harness.read(lambda s: s.top(key, 5)) == [Entry(1, str(pid(1)), 10)]
    async with harness.factory() as session:
        await record_xp(harness.store(session), pid(1), None, 500, THIS_WEEK)
        await session.rollback()
    await harness.settled()
    assert await harness.read(lambda s: s.top(key, 5)) == [Entry(1, str(pid(1)), 10)]


async def test_negative_xp_is_refused_and_zero_is_nothing(harness: Harness) -> None:
    async with harness.factory() as session:
        store = harness.store(session)
        with pytest.raises(ValueError, match="never taken away"):
            await record_xp(store, pid(1), None, -5, THIS_WEEK)
        await record_xp(store, pid(1), None, 0, THIS_WEEK)
        await session.commit()
    assert await harness.read(lambda s: s.top(PLAYERS_ALLTIME.key(THIS_WEEK), 5)) == []
