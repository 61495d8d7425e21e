"""All SQL of the quest domain. Grants are INSERT … ON CONFLICT DO NOTHING: a duplicate is a
no-op that never aborts the transaction, and `True` means this call made the grant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, union

from game_server.events.models import EventCursor
from game_server.players.models import Player
from quests.criteria import PlayerRecord
from quests.engine import Record, Run, Snapshot
from quests.models import (
    PlayDay,
    PlayerBadge,
    QuestCompletion,
    QuestRun,
    QuizFailure,
    StepCompletion,
    Visit,
    VisitedSite,
    XpAward,
)
from quests.visits import VisitRecords


@dataclass(frozen=True, slots=True)
class RunRow:
    quest: str
    run_no: int
    started_at: datetime
    completed_at: datetime | None
    steps: dict[str, datetime]


# Built once (columns, not entities, and a bound parameter): the runs are read again after
# every game reaction, and building a statement and loading ORM objects cost several times
# running the query.
_RUNS = (
    select(QuestRun.quest, QuestRun.run_no, QuestRun.started_at, QuestCompletion.completed_at)
    .outerjoin(
        QuestCompletion,
        (QuestCompletion.player_id == QuestRun.player_id)
        & (QuestCompletion.quest == QuestRun.quest)
        & (QuestCompletion.run_no == QuestRun.run_no),
    )
    .where(QuestRun.player_id == bindparam("player_id"))
    .order_by(QuestRun.started_at, QuestRun.quest, QuestRun.run_no)
)
_STEPS = select(
    StepCompletion.quest, StepCompletion.run_no, StepCompletion.step_id, StepCompletion.completed_at
).where(StepCompletion.player_id == bindparam("player_id"))


class QuestRepository(VisitRecords):
    """The quest tables; the visits and play days are in `quests.visits`."""

    # -- locks -------------------------------------------------------------------------------

    async def lock_players(self, player_ids: Iterable[uuid.UUID]) -> None:
        """Row-lock players (sorted, so two units of work never wait on each other in a
        cycle): their progress is read and granted by one transaction at a time. Then, on
        PostgreSQL, their event cursors, before the unit of work writes any row.

        FOR NO KEY UPDATE, not FOR UPDATE: inserting a row that references the player (a
        visit) takes FOR KEY SHARE, and two transactions each holding that would deadlock
        on FOR UPDATE.

        The cursors: the gateway's one-statement append (`quests.visitlog.postgres`) takes
        a player's cursor first, then upserts that player's visits. A unit of work that
        cleared a visit's owed flag (a row lock) and took the cursor only when appending its
        events at the end deadlocked with it (`make bench-abuse` with teams). So the one
        order for every writer is: team-site lock (`lock_team_site`), players, their
        cursors, then the rows; the fast append never waits on a player lock (SKIP LOCKED).
        """
        ids = sorted(set(player_ids))
        for player_id in ids:
            lock = select(Player.id).where(Player.id == player_id)
            stmt = lock.with_for_update(key_share=True)
            await self.session.execute(stmt)
        if self._postgres and ids:
            cursors = (
                select(EventCursor.player_id)
                .where(EventCursor.player_id.in_(ids))
                .order_by(EventCursor.player_id)
                .with_for_update()
            )
            await self.session.execute(cursors)

    async def lock_team_site(self, team_id: uuid.UUID, poi: str) -> None:
        """Serialise team-step checks of one team at one site (taken before any player lock).

        The later of two simultaneous arrivals then sees the earlier one's committed visit.
        SQLite needs nothing: it has one writer at a time.
        """
        if self._postgres:
            key = f"lupiae:team-site:{team_id}:{poi}"
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )

    # -- runs, steps, completions ------------------------------------------------------------

    async def snapshot(self, player_id: uuid.UUID) -> Snapshot:
        runs = await self.runs(player_id)
        open_runs = {
            r.quest: Run(r.quest, r.run_no, r.started_at, frozenset(r.steps))
            for r in runs
            if r.completed_at is None
        }
        records: dict[str, Record] = {}
        for r in runs:
            if r.completed_at is not None:
                last = records.get(r.quest, Record())
                latest = max(filter(None, (last.last_completed_at, r.completed_at)))
                records[r.quest] = Record(last.completions + 1, latest)
        return Snapshot(runs=open_runs, records=records)

    async def runs(self, player_id: uuid.UUID) -> list[RunRow]:
        """Every run of the player, oldest first, with its completed steps."""
        runs = await self.session.execute(_RUNS, {"player_id": player_id})
        rows = runs.all()
        done = await self.session.execute(_STEPS, {"player_id": player_id})
        steps: dict[tuple[str, int], dict[str, datetime]] = {}
        for quest, run_no, step_id, step_at in done.all():
            steps.setdefault((quest, run_no), {})[step_id] = step_at
        return [
            RunRow(
                quest,
                run_no,
                started_at,
                completed_at if completed_at is not None else None,
                steps.get((quest, run_no), {}),
            )
            for quest, run_no, started_at, completed_at in rows
        ]

    async def start_run(
        self, player_id: uuid.UUID, quest: str, run_no: int, at: datetime, *, auto: bool
    ) -> bool:
        return await self._insert_once(
            QuestRun, player_id=player_id, quest=quest, run_no=run_no, started_at=at, auto=auto
        )

    async def complete_step(
        self, player_id: uuid.UUID, quest: str, run_no: int, step_id: str, at: datetime
    ) -> bool:
        return await self._insert_once(
            StepCompletion,
            player_id=player_id,
            quest=quest,
            run_no=run_no,
            step_id=step_id,
            completed_at=at,
        )

    async def complete_quest(
        self, player_id: uuid.UUID, quest: str, run_no: int, at: datetime
    ) -> bool:
        return await self._insert_once(
            QuestCompletion, player_id=player_id, quest=quest, run_no=run_no, completed_at=at
        )

    # -- XP and badges -----------------------------------------------------------------------

    async def award_xp(self, player_id: uuid.UUID, reason: str, xp: int, at: datetime) -> bool:
        return await self._insert_once(
            XpAward, player_id=player_id, reason=reason, xp=xp, awarded_at=at
        )

    async def total_xp(self, player_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.sum(XpAward.xp), 0)).where(XpAward.player_id == player_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def award_badge(
        self, player_id: uuid.UUID, badge: str, reason: str, at: datetime
    ) -> bool:
        return await self._insert_once(
            PlayerBadge,
            player_id=player_id,
            badge=badge,
            credential_id=uuid.uuid4(),
            reason=reason,
            awarded_at=at,
        )

    async def badges(self, player_id: uuid.UUID) -> Sequence[PlayerBadge]:
        stmt = (
            select(PlayerBadge)
            .where(PlayerBadge.player_id == player_id)
            .order_by(PlayerBadge.awarded_at, PlayerBadge.badge)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def badge(self, player_id: uuid.UUID, slug: str) -> PlayerBadge | None:
        return await self.session.get(PlayerBadge, (player_id, slug))

    async def record(self, player_id: uuid.UUID) -> PlayerRecord:
        quests = select(QuestCompletion.quest).where(QuestCompletion.player_id == player_id)
        pois = union(
            select(Visit.poi).where(Visit.player_id == player_id),
            select(VisitedSite.poi).where(VisitedSite.player_id == player_id),
        )
        days = (
            select(PlayDay.city, func.count())
            .where(PlayDay.player_id == player_id)
            .group_by(PlayDay.city)
        )
        return PlayerRecord(
            completed_quests=frozenset((await self.session.execute(quests.distinct())).scalars()),
            visited_pois=frozenset((await self.session.execute(pois)).scalars()),
            play_days={city: int(n) for city, n in (await self.session.execute(days)).all()},
        )

    async def days_played(self, player_id: uuid.UUID) -> int:
        """Distinct days with play in any comune."""
        stmt = select(func.count(PlayDay.day.distinct())).where(PlayDay.player_id == player_id)
        return int((await self.session.execute(stmt)).scalar_one())

    # -- quiz failures -----------------------------------------------------------------------

    async def add_failure(
        self, player_id: uuid.UUID, quest: str, step_id: str, at: datetime
    ) -> None:
        self.session.add(
            QuizFailure(player_id=player_id, quest=quest, step_id=step_id, failed_at=at)
        )
        await self.session.flush()

    async def failures_since(
        self, player_id: uuid.UUID, quest: str, step_id: str, since: datetime
    ) -> list[datetime]:
        stmt = (
            select(QuizFailure.failed_at)
            .where(
                QuizFailure.player_id == player_id,
                QuizFailure.quest == quest,
                QuizFailure.step_id == step_id,
                QuizFailure.failed_at > since,
            )
            .order_by(QuizFailure.failed_at)
        )
        return [at for at in (await self.session.execute(stmt)).scalars()]
