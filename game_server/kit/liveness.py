"""Which workers are alive: a heartbeat row per worker, so that what a dead worker owed is
taken over within seconds.

A worker that records a visit ahead of the game's reaction names itself as the visit's
`reaction_owner` (`quests.visitlog.postgres`). Every worker beats every `heartbeat_s` and
sweeps the owed visits whose owner has not beaten for `DEAD_AFTER_BEATS` beats (killed, stopped,
cut off from the database), whatever their age; a living owner's visits are left to it for
`reaction_sweep_s`. The player's row lock and the flag make each reaction happen once, so a
stopped worker that wakes up finds nothing left to grant.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime
from game_server.kit.uow import unit_of_work

DEAD_AFTER_BEATS = 3
FORGET_AFTER = timedelta(hours=1)


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Liveness:
    """This worker's heartbeat (PostgreSQL only: on SQLite nothing is recorded ahead)."""

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], *, worker_id: str, heartbeat_s: float
    ) -> None:
        self.factory = factory
        self.worker_id = worker_id
        self.heartbeat_s = heartbeat_s
        self.started_at = utcnow()

    def alive_since(self, now: datetime) -> datetime:
        """A worker whose last beat is older than this is taken for dead."""
        return now - timedelta(seconds=self.heartbeat_s * DEAD_AFTER_BEATS)

    async def beat(self) -> None:
        now = utcnow()
        row = {"worker_id": self.worker_id, "started_at": self.started_at, "beat_at": now}
        upsert = insert(WorkerHeartbeat).values(row)
        upsert = upsert.on_conflict_do_update(
            index_elements=[WorkerHeartbeat.worker_id], set_={"beat_at": now}
        )
        async with unit_of_work(self.factory) as session:
            await session.execute(upsert)
            await session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER)
            )

    async def forget(self) -> None:
        """A worker stopping cleanly: what it still owes is taken over at once."""
        async with unit_of_work(self.factory) as session:
            await session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == self.worker_id)
            )
