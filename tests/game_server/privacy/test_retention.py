"""Retention: old visits and events go, recent ones and the aggregates stay (SQLite, PostGIS)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events.models import PlayerEvent
from game_server.gateway.trackers import TrackerStore, tracker_key
from game_server.kit.clock import utcnow
from game_server.kit.pubsub import MemoryBackend
from game_server.privacy.retention import prune
from geo import TrackerState
from quests.models import QuizFailure, Visit, VisitedSite
from quests.repository import QuestRepository
from tests.conftest import make_settings
from tests.quests.conftest import Work
from tests.quests.factories import new_player


async def _count(session: AsyncSession, model: type) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_prune_keeps_recent_rows_and_the_sites_visited(work: Work, database_url: str) -> None:
    settings = make_settings(database_url, position_retention_days=30, event_retention_days=7)
    now = utcnow()
    player: uuid.UUID = await work(new_player)

    async def seed(session: AsyncSession) -> None:
        for days, poi, pending in [
            (40, "duomo", False),
            (31, "anfiteatro", False),
            (1, "duomo", False),
            (45, "porta-napoli", True),
        ]:
            at = now - timedelta(days=days)
            session.add(
                Visit(
                    player_id=player,
                    poi=poi,
                    entered_ts_ms=int(at.timestamp() * 1000),
                    visited_at=at,
                    dwell_s=60.0,
                    reaction_pending=pending,
                )
            )
        for seq, days in enumerate([10, 8, 2], start=1):
            session.add(
                PlayerEvent(
                    player_id=player,
                    seq=seq,
                    kind="poi.visit",
                    data={},
                    created_at=now - timedelta(days=days),
                )
            )
        session.add(
            QuizFailure(player_id=player, quest="q", step_id="s", failed_at=now - timedelta(days=9))
        )

    await work(seed)
    before = await work(lambda s: QuestRepository(s).record(player))
    pruned = await work(lambda s: prune(s, settings, now))
    assert (pruned.visits, pruned.events, pruned.quiz_failures) == (2, 2, 1)
    again = await work(lambda s: prune(s, settings, now))
    assert (again.visits, again.events, again.quiz_failures) == (0, 0, 0)

    async def left(session: AsyncSession) -> tuple[set[str], int, int, set[str]]:
        visits = set((await session.execute(select(Visit.poi))).scalars())
        sites = set((await session.execute(select(VisitedSite.poi))).scalars())
        return visits, await _count(session, PlayerEvent), await _count(session, QuizFailure), sites

    visits, events, failures, sites = await work(left)
    assert visits == {"duomo", "porta-napoli"}  # recent, and a reaction still owed
    assert (events, failures) == (1, 0)
    assert sites == {"duomo", "anfiteatro"}
    after = await work(lambda s: QuestRepository(s).record(player))
    assert after.visited_pois == before.visited_pois  # badge criteria keep their count


async def test_tracker_state_expires_soon_after_the_last_save() -> None:
    backend = MemoryBackend()
    store = TrackerStore(backend, linger_s=120)
    player = uuid.uuid4()
    await store.save(player, TrackerState(recent_ts=(1, 2)))
    ttl = await backend.ttl(tracker_key(player))
    assert ttl is not None
    assert 0 < ttl <= 120
    assert await store.peek(player) == TrackerState(recent_ts=(1, 2))
    await store.forget(player)
    assert await store.peek(player) is None
