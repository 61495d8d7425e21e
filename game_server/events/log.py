"""Append to and read from the per-player event log.

`append` assigns `seq` under a per-player row lock (an UPDATE … RETURNING on the cursor), so
seq is strictly increasing per player whatever the worker, device or connection. Events are
queued on the session and published on the player's channel only after the commit
(`publish_committed`), so a rolled-back event is never seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events.models import EventCursor, PlayerEvent
from game_server.kit import outbox
from game_server.kit.clock import utcnow
from game_server.kit.pubsub import Backend


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: str
    data: dict[str, Any]
    # Idempotency key of an event that happens once per presence (a visit): appending it again
    # for the same player stores nothing (`presence_key`).
    presence: str | None = None


def presence_key(poi: str, entered_ts_ms: int) -> str:
    return f"{poi}@{entered_ts_ms}"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    player_id: uuid.UUID
    seq: int
    kind: str
    data: dict[str, Any]
    created_at: datetime

    def frame(self) -> dict[str, Any]:
        return {"type": "event", "seq": self.seq, "kind": self.kind, "data": self.data}

    @property
    def channel(self) -> str:
        return player_channel(self.player_id)

    def payload(self) -> bytes:
        return orjson.dumps(self.frame())


def player_channel(player_id: uuid.UUID) -> str:
    return f"lupiae:player:{player_id}"


async def append(
    session: AsyncSession,
    player_id: uuid.UUID,
    events: Sequence[NewEvent],
    *,
    at: datetime | None = None,
) -> list[StoredEvent]:
    """Store `events` after the player's last, created `at` (now by default)."""
    events = await _not_yet_stored(session, player_id, events)
    if not events:
        return []
    last_seq = await _reserve(session, player_id, len(events))
    now = utcnow() if at is None else at
    stored = [
        StoredEvent(player_id, last_seq - len(events) + i + 1, e.kind, e.data, now)
        for i, e in enumerate(events)
    ]
    await session.execute(
        insert(PlayerEvent),
        [
            {
                "player_id": player_id,
                "seq": s.seq,
                "kind": s.kind,
                "data": s.data,
                "created_at": now,
                "presence": e.presence,
            }
            for s, e in zip(stored, events, strict=True)
        ],
    )
    outbox.queue(session, stored)
    return stored


async def _not_yet_stored(
    session: AsyncSession, player_id: uuid.UUID, events: Sequence[NewEvent]
) -> Sequence[NewEvent]:
    """`events` without those of a presence already in the log. Under the player's cursor
    lock, so that two units of work reporting the same visit store it once."""
    keys = [e.presence for e in events if e.presence is not None]
    if not keys:
        return events
    lock = select(EventCursor.last_seq).where(EventCursor.player_id == player_id)
    await session.execute(lock.with_for_update())
    stored = select(PlayerEvent.presence).where(
        PlayerEvent.player_id == player_id, PlayerEvent.presence.in_(keys)
    )
    seen = set((await session.execute(stored)).scalars())
    return [e for e in events if e.presence is None or e.presence not in seen]


async def _reserve(session: AsyncSession, player_id: uuid.UUID, count: int) -> int:
    bump = (
        update(EventCursor)
        .where(EventCursor.player_id == player_id)
        .values(last_seq=EventCursor.last_seq + count)
        .returning(EventCursor.last_seq)
    )
    last_seq = (await session.execute(bump)).scalar_one_or_none()
    if last_seq is not None:
        return int(last_seq)
    # First event of this player. A concurrent first insert loses on the primary key and the
    # caller's unit of work retries; in practice the cursor is created with the player.
    session.add(EventCursor(player_id=player_id, last_seq=count))
    await session.flush()
    return count


async def last_seq(session: AsyncSession, player_id: uuid.UUID) -> int:
    stmt = select(EventCursor.last_seq).where(EventCursor.player_id == player_id)
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


async def after(
    session: AsyncSession, player_id: uuid.UUID, after_seq: int, limit: int = 1000
) -> list[StoredEvent]:
    stmt = (
        select(PlayerEvent)
        .where(PlayerEvent.player_id == player_id, PlayerEvent.seq > after_seq)
        .order_by(PlayerEvent.seq)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).scalars().all()
    return [StoredEvent(r.player_id, r.seq, r.kind, r.data, r.created_at) for r in rows]


async def oldest_seq(session: AsyncSession, player_id: uuid.UUID) -> int | None:
    stmt = select(PlayerEvent.seq).where(PlayerEvent.player_id == player_id)
    return (await session.execute(stmt.order_by(PlayerEvent.seq).limit(1))).scalar_one_or_none()


def take_outbox(session: AsyncSession) -> list[StoredEvent]:
    events: list[StoredEvent] = outbox.take(session)
    return events


async def publish(backend: Backend, events: Sequence[StoredEvent]) -> None:
    """Push committed events to every worker holding the player's socket."""
    await outbox.publish(backend, events)
