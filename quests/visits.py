"""The quest domain's SQL for visits and play days: the half of `QuestRepository` that the
socket's every visit goes through (`quests.repository` holds the runs, grants and reads)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.db import insert_or_ignore
from game_server.kit.liveness import WorkerHeartbeat
from quests.models import PlayDay, Visit


@dataclass(frozen=True, slots=True)
class PendingVisit:
    """A visit recorded ahead of the game's reaction to it (`Visit.reaction_pending`)."""

    poi: str
    entered_ts_ms: int
    visited_at: datetime
    dwell_s: float | None
    team_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Owed:
    """A visit's reaction owed by a worker (`Visit.reaction_owner`; None: by nobody alive yet
    named, the sweep's)."""

    owner: str | None


def _owed(owed_by: Owed | None) -> dict[str, Any]:
    if owed_by is None:
        return {}
    return {"reaction_pending": True, "reaction_owner": owed_by.owner}


def _pending(row: Any) -> PendingVisit:
    poi, entered_ts_ms, visited_at, dwell_s, team_id = row
    return PendingVisit(poi, entered_ts_ms, visited_at, dwell_s, team_id)


class VisitRecords:
    """Visits (each once, its longest dwell), the reactions they are owed, and play days."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        bind = self.session.bind
        return bind is not None and bind.dialect.name == "postgresql"

    async def _insert_once(self, model: type[Any], **values: Any) -> bool:
        stmt = insert_or_ignore(self.session, model).values(**values)
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def add_visit(
        self,
        player_id: uuid.UUID,
        poi: str,
        *,
        entered_ts_ms: int,
        visited_at: datetime,
        dwell_s: float | None,
        team_id: uuid.UUID | None,
        owed_by: Owed | None = None,
    ) -> bool:
        """Insert the visit once; False when it is already there. `owed_by`: recorded ahead
        of the game's reaction, which that worker owes (`Visit.reaction_pending`)."""
        return await self._insert_once(
            Visit,
            player_id=player_id,
            poi=poi,
            entered_ts_ms=entered_ts_ms,
            visited_at=visited_at,
            dwell_s=dwell_s,
            team_id=team_id,
            **_owed(owed_by),
        )

    async def extend_dwell(
        self,
        player_id: uuid.UUID,
        poi: str,
        entered_ts_ms: int,
        dwell_s: float,
        *,
        owed_by: Owed | None = None,
    ) -> bool:
        """Record a longer stay of a known visit; False when it is not longer. `owed_by`: the
        longer stay is owed a reaction too (it may complete a dwell step), by that worker."""
        stmt = (
            update(Visit)
            .where(
                Visit.player_id == player_id,
                Visit.poi == poi,
                Visit.entered_ts_ms == entered_ts_ms,
                (Visit.dwell_s.is_(None)) | (Visit.dwell_s < dwell_s),
            )
            .values(dwell_s=dwell_s, **_owed(owed_by))
        )
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def last_visited_site(self, player_id: uuid.UUID) -> str | None:
        """The site of the player's latest visit (None before any)."""
        stmt = (
            select(Visit.poi)
            .where(Visit.player_id == player_id)
            .order_by(Visit.visited_at.desc(), Visit.entered_ts_ms.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def pending_visits(self, player_id: uuid.UUID) -> list[PendingVisit]:
        """The player's visits whose game reaction is still owed, oldest first (no lock)."""
        stmt = (
            select(Visit.poi, Visit.entered_ts_ms, Visit.visited_at, Visit.dwell_s, Visit.team_id)
            .where(Visit.player_id == player_id, Visit.reaction_pending)
            .order_by(Visit.visited_at, Visit.entered_ts_ms, Visit.poi)
        )
        return [_pending(row) for row in (await self.session.execute(stmt)).all()]

    async def claim_pending(
        self, player_id: uuid.UUID, visits: Iterable[PendingVisit]
    ) -> list[PendingVisit]:
        """Clear the owed flag of `visits`; return those still owed, as they are now (a replay
        may have lengthened a dwell). Under the player's lock, two claims never share a visit."""
        claimed: list[PendingVisit] = []
        for visit in visits:
            stmt = (
                update(Visit)
                .where(
                    Visit.player_id == player_id,
                    Visit.poi == visit.poi,
                    Visit.entered_ts_ms == visit.entered_ts_ms,
                    Visit.reaction_pending,
                )
                .values(reaction_pending=False)
                .returning(
                    Visit.poi, Visit.entered_ts_ms, Visit.visited_at, Visit.dwell_s, Visit.team_id
                )
            )
            row = (await self.session.execute(stmt)).one_or_none()
            if row is not None:
                claimed.append(_pending(row))
        return claimed

    async def players_owed_reactions(
        self,
        *,
        before: datetime,
        limit: int,
        alive_since: datetime | None = None,
        me: str | None = None,
    ) -> list[uuid.UUID]:
        """Players with a visit whose reaction is still owed, recorded before `before` or, with
        `alive_since`, owed by a worker that has not beaten since (`game_server.kit.liveness`).

        `me`: the asking worker, never taken for dead — it is sweeping. Its own visits wait
        for its own reaction queue (or for `before`): when its beat committed late (a busy pool)
        it took itself for dead and granted its queued reactions a second time, more work
        exactly when it had the least time for it."""
        owed_too_long = Visit.visited_at < before
        if alive_since is not None:
            owner_alive = exists().where(
                WorkerHeartbeat.worker_id == Visit.reaction_owner,
                WorkerHeartbeat.beat_at >= alive_since,
            )
            dead_owner = and_(Visit.reaction_owner.is_not(None), ~owner_alive)
            if me is not None:
                dead_owner = and_(dead_owner, Visit.reaction_owner != me)
            owed_too_long = or_(owed_too_long, dead_owner)
        stmt = (
            select(Visit.player_id)
            .where(Visit.reaction_pending, owed_too_long)
            .distinct()
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def add_play_day(self, player_id: uuid.UUID, city: str, day: date) -> None:
        await self._insert_once(PlayDay, player_id=player_id, city=city, day=day)

    async def team_members_at(
        self, team_id: uuid.UUID, poi: str, since: datetime, until: datetime
    ) -> dict[uuid.UUID, datetime]:
        """Each member of the team with a visit to `poi` in [since, until]: their latest one."""
        stmt = (
            select(Visit.player_id, func.max(Visit.visited_at))
            .where(
                Visit.team_id == team_id,
                Visit.poi == poi,
                Visit.visited_at >= since,
                Visit.visited_at <= until,
            )
            .group_by(Visit.player_id)
        )
        return {pid: at for pid, at in (await self.session.execute(stmt)).all()}
