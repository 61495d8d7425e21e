"""The gateway's one-statement write path on PostgreSQL keeps the event log's contract."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import date

import asyncpg
import pytest
from sqlalchemy import delete, func, select

from game_server.events import log
from game_server.events.fastlog import Appended, FastLog, VisitRow, asyncpg_dsn
from game_server.events.log import NewEvent
from game_server.events.models import EventCursor, PlayerEvent
from game_server.kit.clock import utcnow
from game_server.kit.db import make_engine, make_session_factory
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository
from quests.models import PlayDay, Visit
from quests.social.models import Team, TeamMember
from tests.conftest import _truncate_all

pytestmark = pytest.mark.postgis


@pytest.fixture
async def pg(postgis_url: str) -> AsyncIterator[tuple[str, FastLog]]:
    await _truncate_all(postgis_url)
    fast = await FastLog.open(postgis_url)
    assert fast is not None
    yield postgis_url, fast
    await fast.close()


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
    pg: tuple[str, FastLog],
) -> None:
    url, fast = pg
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
    pg: tuple[str, FastLog],
) -> None:
    url, fast = pg
    player_id = await _player(url, with_cursor=False)
    assert await fast.append(player_id, [NewEvent("poi.enter", {})], at=utcnow()) is None
    assert await _events(url, player_id) == []


async def test_a_stale_expectation_writes_nothing(pg: tuple[str, FastLog]) -> None:
    url, fast = pg
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
    pg: tuple[str, FastLog],
) -> None:
    url, fast = pg
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
    pg: tuple[str, FastLog],
) -> None:
    url, fast = pg
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


async def test_a_judged_write_gives_way_at_once_to_a_game_unit_of_work_in_progress(
    pg: tuple[str, FastLog],
) -> None:
    """The order every game unit of work follows: player row lock, then the cursor. A visit
    judged against cursor 1 must not slip in while another unit of work holds the player, nor
    wait for it (that unit of work will change what the visit was judged on)."""
    url, fast = pg
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


async def test_a_visit_reported_again_for_the_same_presence_is_stored_once(
    pg: tuple[str, FastLog],
) -> None:
    """A worker killed after storing a visit but before saving its tracker state: the player's
    next worker reports the same presence's visit again. It takes no seq and is not sent."""
    url, fast = pg
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
    pg: tuple[str, FastLog],
) -> None:
    url, fast = pg
    player_id = await _player(url)
    visit = NewEvent("poi.visit", {"poi": "duomo"}, log.presence_key("duomo", 7))
    results = await asyncio.gather(
        *(fast.append(player_id, [visit], at=utcnow()) for _ in range(8))
    )
    stored = [e for r in results if r is not None for e in r.events]
    assert len(stored) == 1
    assert [e.kind for e in await _events(url, player_id)] == ["hello", "poi.visit"]
