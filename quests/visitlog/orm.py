"""The visit log through the ORM, in a unit of work of its own, on any dialect.

The same contract as the one-statement `quests.visitlog.postgres.FastLog` (run by the same
suite, `tests/quests/test_visitlog_contract.py`), in the statements of the full path: the
events through `game_server.events.log.append`, the visits and play day through
`quests.visits.VisitRecords`. The order of its locks is the one every writer follows
(`quests.repository.QuestRepository.lock_players`): a write judged against the game's state
(`expect_seq`) takes the player's row lock first, then the cursor; any other write takes the
cursor first, then the rows.

On PostgreSQL the player's lock is taken with SKIP LOCKED, as in the one statement: a judged
write gives way at once to a game unit of work in progress. SQLite has one writer: the unit
of work waits for its turn (`lock`, the caller's queue of writers), then checks `expect_seq`.
The gateway writes SQLite's quiet visits through it (`game_server.gateway.storing`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.events import log as events_log
from game_server.events.log import NewEvent
from game_server.events.models import EventCursor
from game_server.kit.uow import unit_of_work
from game_server.players.models import Player
from quests import hooks
from quests.visitlog import Appended, VisitRow, longest
from quests.visits import Owed, VisitRecords


class OrmVisitLog:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        *,
        lock: contextlib.AbstractAsyncContextManager[Any] | None = None,
    ) -> None:
        self._factory = factory
        self._lock = lock
        # Named as the owner of the reactions this worker records ahead (game_server.kit.liveness).
        self.worker_id: str | None = None

    async def close(self) -> None:
        return None  # the engine is the caller's

    async def append(
        self,
        player_id: uuid.UUID,
        events: Sequence[NewEvent],
        *,
        at: datetime,
        expect_seq: int | None = None,
        visits: Sequence[VisitRow] = (),
        play_day: tuple[str, date] | None = None,
        reaction_pending: bool = False,
    ) -> Appended | None:
        """Append `events` (and record `visits`) in one unit of work; None: take the full path."""
        async with unit_of_work(self._factory, lock=self._lock) as session:
            before = await _cursor(session, player_id, judged=expect_seq is not None)
            if before is None or (expect_seq is not None and before != expect_seq):
                return None  # nothing written: the unit of work commits an empty transaction
            stored = await events_log.append(session, player_id, events, at=at)
            records = VisitRecords(session)
            owed_by = Owed(self.worker_id) if reaction_pending else None
            team_id = await hooks.team_of(session, player_id) if visits else None
            for v in longest(visits):
                added = await records.add_visit(
                    player_id,
                    v.poi,
                    entered_ts_ms=v.entered_ts_ms,
                    visited_at=at,
                    dwell_s=v.dwell_s,
                    team_id=team_id,
                    owed_by=owed_by,
                )
                if not added:
                    await records.extend_dwell(
                        player_id, v.poi, v.entered_ts_ms, v.dwell_s, owed_by=owed_by
                    )
            if play_day is not None:
                await records.add_play_day(player_id, *play_day)
        return Appended(before + len(stored), stored, len(stored))


async def _cursor(session: AsyncSession, player_id: uuid.UUID, *, judged: bool) -> int | None:
    """The player's cursor, locked; None without a cursor, or when the write is `judged`
    against the game's state and a game unit of work holds the player (PostgreSQL)."""
    if judged:
        player = select(Player.id).where(Player.id == player_id)
        locked = player.with_for_update(key_share=True, skip_locked=True)
        if (await session.execute(locked)).scalar_one_or_none() is None:
            return None
    cursor = select(EventCursor.last_seq).where(EventCursor.player_id == player_id)
    last_seq = (await session.execute(cursor.with_for_update())).scalar_one_or_none()
    return None if last_seq is None else int(last_seq)
