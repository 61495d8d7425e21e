"""The visit log's contract (`quests.visitlog`), one suite run over every backend: the ORM
implementation on SQLite and on PostGIS, the one-statement PostgreSQL one on PostGIS.

One case differs by backend, and says so: a write judged against the game's state gives way at
once to a game unit of work holding the player on PostgreSQL (SKIP LOCKED, both
implementations); SQLite has one writer, so there the write waits for its turn and then finds
the cursor moved (`test_a_judged_write_never_slips_in_under_a_game_unit_of_work`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import delete, func, select

from game_server.events import log
from game_server.events.log import NewEvent
from game_server.events.models import EventCursor, PlayerEvent
from game_server.kit.clock import utcnow
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.uow import unit_of_work
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository
from quests.models import PlayDay, Visit
from quests.social.models import Team, TeamMember
from quests.visitlog import Appended, VisitLog, VisitRow
from quests.visitlog.orm import OrmVisitLog
from quests.visitlog.postgres import FastLog, asyncpg_dsn
from tests.conftest import truncate_all
from tests.services import copy_sqlite

BACKENDS = [
    "orm-sqlite",
    pytest.param("orm-postgis", marks=pytest.mark.postgis),
    pytest.param("postgres-postgis", marks=pytest.mark.postgis),
]


@dataclass
class Backend:
    url: str
    log: VisitLog
    # SQLite's one writer: the queue every unit of work waits in (the gateway's `_writes`).
    writers: contextlib.AbstractAsyncContextManager[Any] | None = None

    @property
    def postgres(self) -> bool:
        return self.url.startswith("postgresql")


@pytest.fixture(params=BACKENDS)
def kind_and_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> tuple[str, str]:
    """The implementation to run, on an empty migrated database."""
    kind, _, database = request.param.partition("-")
    if database == "sqlite":
        return kind, copy_sqlite(sqlite_template, tmp_path)
    url: str = request.getfixturevalue("postgis_url")
    asyncio.run(truncate_all(url))
    return kind, url


@pytest.fixture
async def backend(kind_and_url: tuple[str, str]) -> AsyncIterator[Backend]:
    kind, url = kind_and_url
    if kind == "postgres":
        fast = await FastLog.open(url)
        assert fast is not None
        yield Backend(url, fast)
        await fast.close()
        return
    engine = make_engine(url)
    writers = None if url.startswith("postgresql") else asyncio.Lock()
    yield Backend(url, OrmVisitLog(make_session_factory(engine), lock=writers), writers)
    await engine.dispose()


async def _player(url: str, *, with_cursor: bool = True) -> uuid.UUID:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        player = await PlayerRepository(session).add(Player(display_name="t"))
        await log.append(session, player.id, [NewEvent("hello", {})])
        if not with_cursor:  # a player from before the event log
            await session.execute(delete(EventCursor).where(EventCursor.player_id == player.id))
            await session.execute(delete(PlayerEvent).where(PlayerEvent.player_id == player.id))
        await session.commit()
    await engine.dispose()
    return player.id


async def _count(url: str, model: type, player_id: uuid.UUID) -> int:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        stmt = select(func.count()).select_from(model).where(model.player_id == player_id)  # type: ignore[attr-defined]
        n = int((await session.execute(stmt)).scalar_one())
    await engine.dispose()
    return n


async def _events(url: str, player_id: uuid.UUID) -> list[log.StoredEvent]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        events = await log.after(session, player_id, 0)
    await engine.dispose()
    return events


def test_only_postgresql_urls_have_a_fast_path() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://u@h:5432/db") == "postgresql://u@h:5432/db"
    assert asyncpg_dsn("sqlite+aiosqlite:///var/x.sqlite3") is None


async def test_appends_after_the_orm_with_the_next_seqs_and_reads_back_the_same(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    events = [NewEvent("poi.enter", {"poi": "duomo", "ts": 1}), NewEvent("poi.exit", {"ts": 2})]
    appended = await fast.append(player_id, events, at=utcnow())
    assert appended is not None
    assert appended.last_seq == 3
    assert [(e.seq, e.kind, e.data) for e in appended.events] == [
        (2, "poi.enter", {"poi": "duomo", "ts": 1}),
        (3, "poi.exit", {"ts": 2}),
    ]
    stored = await _events(url, player_id)
    assert [(e.seq, e.kind, e.data) for e in stored[1:]] == [
        (e.seq, e.kind, e.data) for e in appended.events
    ]


async def test_a_player_without_a_cursor_gets_none_and_nothing_is_written(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url, with_cursor=False)
    assert await fast.append(player_id, [NewEvent("poi.enter", {})], at=utcnow()) is None
    assert await _events(url, player_id) == []


async def test_a_stale_expectation_writes_nothing(backend: Backend) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    visit = VisitRow("duomo", 1_000, 30.0)
    stale = await fast.append(
        player_id,
        [NewEvent("poi.visit", {"poi": "duomo"})],
        at=utcnow(),
        expect_seq=0,  # the cursor is at 1
        visits=[visit],
        play_day=("lecce", date(2026, 11, 22)),
    )
    assert stale is None
    assert len(await _events(url, player_id)) == 1
    assert await _count(url, Visit, player_id) == 0
    assert await _count(url, PlayDay, player_id) == 0

    fresh = await fast.append(
        player_id,
        [NewEvent("poi.visit", {"poi": "duomo"})],
        at=utcnow(),
        expect_seq=1,
        visits=[visit],
        play_day=("lecce", date(2026, 11, 22)),
    )
    assert fresh is not None
    assert fresh.last_seq == 2
    assert await _count(url, Visit, player_id) == 1
    assert await _count(url, PlayDay, player_id) == 1


async def test_visits_are_recorded_once_with_the_longest_dwell_and_the_team(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        team = Team(name="Lupi", join_code="LUPI1234", member_count=1)
        session.add(team)
        await session.flush()
        session.add(TeamMember(player_id=player_id, team_id=team.id))
        await session.commit()
        team_id = team.id
    short, longer = VisitRow("duomo", 5_000, 25.0), VisitRow("duomo", 5_000, 40.0)
    # Twice in one batch (a visit and its longer stay), then replayed shorter: one row, 40 s.
    assert await fast.append(player_id, [], at=utcnow(), visits=[short, longer]) is not None
    assert await fast.append(player_id, [], at=utcnow(), visits=[short]) is not None
    async with make_session_factory(engine)() as session:
        rows = (await session.execute(select(Visit).where(Visit.player_id == player_id))).all()
    await engine.dispose()
    assert [(r.Visit.poi, r.Visit.dwell_s, r.Visit.team_id) for r in rows] == [
        ("duomo", 40.0, team_id)
    ]


async def test_a_visit_recorded_ahead_of_its_reaction_stays_owed_until_claimed(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)

    async def owed() -> list[tuple[str, float | None, bool]]:
        async with factory() as session:
            rows = await session.execute(
                select(Visit.poi, Visit.dwell_s, Visit.reaction_pending)
                .where(Visit.player_id == player_id)
                .order_by(Visit.poi)
            )
            return [tuple(r) for r in rows.all()]  # type: ignore[misc]

    quiet, judged = VisitRow("duomo", 1_000, 25.0), VisitRow("villa", 2_000, 25.0)
    assert await fast.append(player_id, [], at=utcnow(), visits=[quiet]) is not None
    assert await fast.append(player_id, [], at=utcnow(), visits=[judged], reaction_pending=True)
    assert await owed() == [("duomo", 25.0, False), ("villa", 25.0, True)]
    # A longer stay of the quiet visit is owed a reaction (it may complete a dwell step); a
    # replay that is not longer owes nothing new and leaves the owed one owed.
    longer = VisitRow("duomo", 1_000, 90.0)
    assert await fast.append(player_id, [], at=utcnow(), visits=[longer], reaction_pending=True)
    assert await fast.append(player_id, [], at=utcnow(), visits=[judged]) is not None
    assert await owed() == [("duomo", 90.0, True), ("villa", 25.0, True)]
    await engine.dispose()


async def test_a_judged_write_never_slips_in_under_a_game_unit_of_work(
    backend: Backend,
) -> None:
    """The order every game unit of work follows: player row lock, then the cursor. A visit
    judged against cursor 1 must not slip in while another unit of work holds the player.

    PostgreSQL (both implementations): nor wait for it (that unit of work will change what the
    visit was judged on): SKIP LOCKED gives way at once. SQLite has one writer and no row
    locks: the write waits for the unit of work in progress to end (the queue of writers),
    then finds the cursor moved by it and writes nothing."""
    if not backend.postgres:
        await _judged_write_after_the_one_writer(backend)
        return
    url, fast = backend.url, backend.log
    player_id = await _player(url)

    def judged() -> Awaitable[Appended | None]:
        return fast.append(
            player_id,
            [NewEvent("poi.visit", {})],
            at=utcnow(),
            expect_seq=1,
            visits=[VisitRow("duomo", 1, 30.0)],
        )

    other = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with other.transaction():
            await other.execute("SELECT id FROM players WHERE id = $1 FOR NO KEY UPDATE", player_id)
            # Bounded: a write that waited for our lock would hold until the transaction ends.
            assert await asyncio.wait_for(judged(), timeout=10) is None
        assert await _count(url, Visit, player_id) == 0
        appended = await judged()  # the lock is free and the cursor unchanged: written
        assert appended is not None
        assert appended.last_seq == 2
    finally:
        await other.close()
    assert await _count(url, Visit, player_id) == 1


async def _judged_write_after_the_one_writer(backend: Backend) -> None:
    """SQLite's case of the test above (see its docstring)."""
    url, fast = backend.url, backend.log
    assert backend.writers is not None
    player_id = await _player(url)

    def judged(expect_seq: int) -> Awaitable[Appended | None]:
        return fast.append(
            player_id,
            [NewEvent("poi.visit", {})],
            at=utcnow(),
            expect_seq=expect_seq,
            visits=[VisitRow("duomo", 1, 30.0)],
        )

    engine = make_engine(url)
    try:
        async with unit_of_work(make_session_factory(engine), lock=backend.writers) as session:
            # A game unit of work in progress: it holds the one writer and appends.
            await log.append(session, player_id, [NewEvent("quest.step_completed", {})])
            waiting = asyncio.create_task(judged(1))
            done, _ = await asyncio.wait({waiting}, timeout=0.5)
            assert not done  # it waits for the writer, it does not slip in
        assert await asyncio.wait_for(waiting, timeout=10) is None  # judged on a stale cursor
        assert await _count(url, Visit, player_id) == 0
        assert [e.kind for e in await _events(url, player_id)] == ["hello", "quest.step_completed"]
        appended = await judged(2)  # judged again on what the game now knows: written
        assert appended is not None
        assert appended.last_seq == 3
    finally:
        await engine.dispose()
    assert await _count(url, Visit, player_id) == 1


async def test_a_visit_reported_again_for_the_same_presence_is_stored_once(
    backend: Backend,
) -> None:
    """A worker killed after storing a visit but before saving its tracker state: the player's
    next worker reports the same presence's visit again. It takes no seq and is not sent."""
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    key = log.presence_key("duomo", 1_000)
    visit = NewEvent("poi.visit", {"poi": "duomo", "ts": 26_000}, key)
    first = await fast.append(
        player_id, [visit], at=utcnow(), visits=[VisitRow("duomo", 1_000, 25.0)]
    )
    assert first is not None
    assert [e.seq for e in first.events] == [2]
    exit_ = NewEvent("poi.exit", {"poi": "duomo", "ts": 40_000})
    again = await fast.append(
        player_id, [visit, exit_], at=utcnow(), visits=[VisitRow("duomo", 1_000, 30.0)]
    )
    assert again is not None
    assert [(e.seq, e.kind) for e in again.events] == [(3, "poi.exit")]
    assert (again.last_seq, again.reserved) == (3, 1)
    # Through the ORM path too (SQLite's, and the full unit of work's).
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        assert await log.append(session, player_id, [visit]) == []
        await session.commit()
    await engine.dispose()
    kinds = [(e.seq, e.kind) for e in await _events(url, player_id)]
    assert kinds == [(1, "hello"), (2, "poi.visit"), (3, "poi.exit")]


async def test_two_writers_racing_with_the_same_presence_store_it_once(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    visit = NewEvent("poi.visit", {"poi": "duomo"}, log.presence_key("duomo", 7))
    results = await asyncio.gather(
        *(fast.append(player_id, [visit], at=utcnow()) for _ in range(8))
    )
    stored = [e for r in results if r is not None for e in r.events]
    assert len(stored) == 1
    assert [e.kind for e in await _events(url, player_id)] == ["hello", "poi.visit"]


async def test_events_are_created_at_the_time_given(backend: Backend) -> None:
    """`created_at` is the caller's server time (the gateway's clock), not the commit's."""
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    at = utcnow() - timedelta(minutes=5)
    plain = await fast.append(player_id, [NewEvent("poi.enter", {"poi": "duomo"})], at=at)
    visit = NewEvent("poi.visit", {"poi": "duomo"}, log.presence_key("duomo", 1_000))
    keyed = await fast.append(player_id, [NewEvent("poi.exit", {}), visit], at=at)
    assert plain is not None
    assert keyed is not None
    assert [e.created_at for e in [*plain.events, *keyed.events]] == [at, at, at]
    stored = await _events(url, player_id)
    assert [(e.seq, e.created_at) for e in stored[1:]] == [(2, at), (3, at), (4, at)]


async def test_a_visit_recorded_ahead_is_owed_by_the_worker_that_recorded_it(
    backend: Backend,
) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)

    async def owners() -> list[tuple[str, float | None, bool, str | None]]:
        engine = make_engine(url)
        async with make_session_factory(engine)() as session:
            rows = await session.execute(
                select(Visit.poi, Visit.dwell_s, Visit.reaction_pending, Visit.reaction_owner)
                .where(Visit.player_id == player_id)
                .order_by(Visit.poi)
            )
            found = [tuple(r) for r in rows.all()]
        await engine.dispose()
        return found  # type: ignore[return-value]

    fast.worker_id = "worker-a"
    assert await fast.append(player_id, [], at=utcnow(), visits=[VisitRow("duomo", 1, 25.0)])
    assert await fast.append(
        player_id, [], at=utcnow(), visits=[VisitRow("villa", 2, 25.0)], reaction_pending=True
    )
    assert await owners() == [("duomo", 25.0, False, None), ("villa", 25.0, True, "worker-a")]
    fast.worker_id = "worker-b"
    # Not longer: owed by the worker that recorded it; longer: by the one that owes it now.
    again = VisitRow("villa", 2, 25.0)
    assert await fast.append(player_id, [], at=utcnow(), visits=[again], reaction_pending=True)
    assert await owners() == [("duomo", 25.0, False, None), ("villa", 25.0, True, "worker-a")]
    longer = [VisitRow("duomo", 1, 60.0), VisitRow("villa", 2, 60.0)]
    assert await fast.append(player_id, [], at=utcnow(), visits=longer, reaction_pending=True)
    assert await owners() == [("duomo", 60.0, True, "worker-b"), ("villa", 60.0, True, "worker-b")]
    # A quiet longer stay leaves what is owed, and by whom, as it was.
    assert await fast.append(player_id, [], at=utcnow(), visits=[VisitRow("villa", 2, 90.0)])
    assert await owners() == [("duomo", 60.0, True, "worker-b"), ("villa", 90.0, True, "worker-b")]


async def test_the_play_day_is_the_comunes_and_added_once(backend: Backend) -> None:
    url, fast = backend.url, backend.log
    player_id = await _player(url)
    day = date(2026, 11, 22)
    for city in ("lecce", "lecce", "bari"):
        assert await fast.append(player_id, [], at=utcnow(), play_day=(city, day)) is not None
    assert await fast.append(player_id, [], at=utcnow(), expect_seq=1, play_day=("otranto", day))
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        rows = await session.execute(
            select(PlayDay.city, PlayDay.day).where(PlayDay.player_id == player_id)
        )
        days = sorted(tuple(r) for r in rows.all())
    await engine.dispose()
    assert days == [("bari", day), ("lecce", day), ("otranto", day)]
