"""`load_view` reads in three round trips exactly what the repository reads one query at a time."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events import log as events_log
from game_server.events.models import EventCursor
from quests.models import (
    PlayDay,
    PlayerBadge,
    QuestCompletion,
    QuestRun,
    StepCompletion,
    Visit,
)
from quests.repository import QuestRepository
from quests.view import GameView, load_view
from tests.quests.conftest import Work
from tests.quests.factories import NOON_ISH, new_player

AT = NOON_ISH


async def _one_query_at_a_time(session: AsyncSession, player_id: uuid.UUID) -> GameView:
    """What `load_view` read before: each part through the repository, one by one."""
    repository = QuestRepository(session)
    last_days = select(PlayDay.city, func.max(PlayDay.day)).group_by(PlayDay.city)
    return GameView(
        await events_log.last_seq(session, player_id),
        await repository.snapshot(player_id),
        await repository.record(player_id),
        frozenset(b.badge for b in await repository.badges(player_id)),
        dict((await session.execute(last_days.where(PlayDay.player_id == player_id))).all()),
        bool(await repository.pending_visits(player_id)),
    )


async def _played(session: AsyncSession) -> uuid.UUID:
    """A player with a bit of everything: runs open and done, steps, repeat visits (one owed),
    play days and badges."""
    player = await new_player(session)
    await session.execute(
        update(EventCursor).where(EventCursor.player_id == player).values(last_seq=42)
    )
    session.add_all(
        [
            QuestRun(player_id=player, quest="gates", run_no=1, started_at=AT, auto=False),
            QuestRun(player_id=player, quest="gates", run_no=2, started_at=AT + timedelta(1)),
            QuestRun(player_id=player, quest="villa", run_no=1, started_at=AT, auto=True),
        ]
    )
    await session.flush()  # the runs before what refers to them
    session.add_all(
        [
            QuestCompletion(player_id=player, quest="gates", run_no=1, completed_at=AT),
            StepCompletion(player_id=player, quest="gates", run_no=1, step_id="a", completed_at=AT),
            StepCompletion(player_id=player, quest="gates", run_no=2, step_id="a", completed_at=AT),
            StepCompletion(player_id=player, quest="villa", run_no=1, step_id="v", completed_at=AT),
            *(
                Visit(player_id=player, poi=poi, entered_ts_ms=ts, visited_at=AT, dwell_s=30.0)
                for poi, ts in [("napoli", 1), ("napoli", 2), ("rudiae", 3)]
            ),
            Visit(
                player_id=player,
                poi="villa",
                entered_ts_ms=4,
                visited_at=AT,
                dwell_s=40.0,
                reaction_pending=True,
            ),
            PlayDay(player_id=player, day=date(2026, 6, 12)),
            PlayDay(player_id=player, day=date(2026, 6, 13)),
            PlayDay(player_id=player, city="bergamo", day=date(2026, 6, 14)),
            *(
                PlayerBadge(
                    player_id=player,
                    badge=slug,
                    credential_id=uuid.uuid4(),
                    reason="test",
                    awarded_at=AT,
                )
                for slug in ("pellegrino", "viandante")
            ),
        ]
    )
    return player


async def test_a_player_with_history_reads_the_same(work: Work) -> None:
    player = await work(_played)
    fast = await work(lambda s: load_view(s, player))
    assert fast == await work(lambda s: _one_query_at_a_time(s, player))
    # … and what that is, so both cannot be empty alike.
    assert fast.seq == 42
    assert set(fast.snapshot.runs) == {"gates", "villa"}
    assert fast.snapshot.runs["gates"].run_no == 2
    assert fast.snapshot.records["gates"].completions == 1
    assert fast.record.completed_quests == {"gates"}
    assert fast.record.visited_pois == {"napoli", "rudiae", "villa"}
    assert fast.record.play_days == {"lecce": 2, "bergamo": 1}
    assert fast.owned_badges == {"pellegrino", "viandante"}
    assert fast.last_play_days == {"lecce": date(2026, 6, 13), "bergamo": date(2026, 6, 14)}
    assert fast.owes_reactions


async def test_a_new_player_reads_empty(work: Work) -> None:
    player = await work(new_player)
    fast = await work(lambda s: load_view(s, player))
    assert fast == await work(lambda s: _one_query_at_a_time(s, player))
    assert (fast.seq, fast.record.visited_pois, fast.owned_badges) == (0, frozenset(), frozenset())
    assert (fast.last_play_days, fast.owes_reactions) == ({}, False)
