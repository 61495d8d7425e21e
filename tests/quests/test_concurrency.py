"""Exactly once under real concurrency: many connections, one PostGIS database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.events.log import StoredEvent
from game_server.kit.db import make_engine, make_session_factory
from quests import hooks
from quests.models import PlayerBadge, QuestCompletion, StepCompletion, Visit, XpAward
from quests.service import GameService
from tests.conftest import truncate_all
from tests.quests.factories import NOON_ISH, badge, bundle, new_player, quest, team, visit

pytestmark = pytest.mark.postgis
WORKERS = 8
CONTENT = bundle(
    [
        quest("duomo", [visit("duomo")], xp=100, badge="pilgrim"),
        quest("two-sites", [visit("a"), visit("b")], xp=50),
    ],
    badges=[badge("pilgrim"), badge("first-steps", quests_completed=1)],
)


@pytest.fixture
async def pg_sessions(postgis_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await truncate_all(postgis_url)
    engine = make_engine(postgis_url)
    yield make_session_factory(engine)
    await engine.dispose()


async def _concurrently(
    sessions: async_sessionmaker[AsyncSession], visits: list[tuple[uuid.UUID, str, int]]
) -> list[list[StoredEvent]]:
    barrier = asyncio.Barrier(len(visits))

    async def one(player_id: uuid.UUID, poi: str, entered_ts_ms: int) -> list[StoredEvent]:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))  # hold a connection of our own first
            await barrier.wait()
            events = await GameService(session, CONTENT).record_visit(
                player_id, poi, entered_ts_ms=entered_ts_ms, at=NOON_ISH
            )
            await session.commit()
            return events

    return await asyncio.gather(*(one(*v) for v in visits))


async def _player_with_quests_started(sessions: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with sessions() as session:
        player = await new_player(session)
        for slug in ("duomo", "two-sites"):
            await GameService(session, CONTENT).start(player, slug, at=NOON_ISH)
        await session.commit()
    return player


async def _count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        stmt = select(func.count()).select_from(model)
        return int((await session.execute(stmt)).scalar_one())


async def test_the_same_visit_from_many_connections_is_granted_once(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    player = await _player_with_quests_started(pg_sessions)
    results = await _concurrently(pg_sessions, [(player, "duomo", 1234)] * WORKERS)
    kinds = sorted(e.kind for events in results for e in events)
    assert kinds == [
        "badge.awarded",
        "badge.awarded",
        "quest.completed",
        "quest.step_completed",
        "xp.gained",
    ]
    assert sum(1 for events in results if events) == 1
    assert await _count(pg_sessions, Visit) == 1
    assert await _count(pg_sessions, StepCompletion) == 1
    assert await _count(pg_sessions, QuestCompletion) == 1
    assert await _count(pg_sessions, XpAward) == 1
    assert await _count(pg_sessions, PlayerBadge) == 2  # the reward and the criteria badge


async def test_two_devices_finishing_a_quest_at_once_complete_it_once(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    player = await _player_with_quests_started(pg_sessions)
    results = await _concurrently(pg_sessions, [(player, "a", 1), (player, "b", 2)])
    kinds = sorted(e.kind for events in results for e in events)
    assert kinds.count("quest.step_completed") == 2
    assert kinds.count("quest.completed") == 1
    assert kinds.count("xp.gained") == 1
    assert await _count(pg_sessions, QuestCompletion) == 1
    seqs = sorted(e.seq for events in results for e in events)
    assert seqs == list(range(3, 3 + len(seqs)))  # after the two quest.started events


async def test_a_team_arriving_at_once_completes_its_step_once_each(
    pg_sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bundle([quest("together", [team("piazza", min_members=3)], auto_start=True)])
    contrada = uuid.uuid4()
    async with pg_sessions() as session:
        members = [await new_player(session) for _ in range(3)]
        await session.commit()

    async def team_of(_: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
        return contrada if player_id in members else None

    monkeypatch.setattr(hooks, "team_of", team_of)
    barrier = asyncio.Barrier(len(members))

    async def arrive(player_id: uuid.UUID) -> list[StoredEvent]:
        async with pg_sessions() as session:
            await session.execute(text("SELECT 1"))
            await barrier.wait()
            events = await GameService(session, content).record_visit(
                player_id, "piazza", entered_ts_ms=1, at=NOON_ISH
            )
            await session.commit()
            return events

    results = await asyncio.gather(*(arrive(m) for m in members))
    steps = [e for events in results for e in events if e.kind == "quest.step_completed"]
    assert sorted(e.player_id for e in steps) == sorted(members)
    assert await _count(pg_sessions, StepCompletion) == 3
    assert await _count(pg_sessions, QuestCompletion) == 3
