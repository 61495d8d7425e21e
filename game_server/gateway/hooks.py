"""What the gateway asks of the game: the quests engine plugs in here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.errors import ServiceUnavailable
from game_server.events.log import StoredEvent


class GameHooks(Protocol):
    async def record_visit(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        poi: str,
        *,
        entered_ts_ms: int,
        dwell_s_observed: float,
        at: datetime,
    ) -> list[StoredEvent]: ...

    async def answer(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        quest: str,
        step: str,
        answer: str,
        *,
        at: datetime,
        at_poi: str | None,
    ) -> list[StoredEvent]: ...

    async def start(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        quest: str,
        *,
        at: datetime,
    ) -> list[StoredEvent]: ...

    async def auto_start(
        self, session: AsyncSession, bundle: Bundle, player_id: uuid.UUID, *, at: datetime
    ) -> list[StoredEvent]: ...


class NoGame:
    """Geo events only: visits are reported, quests are not played."""

    async def record_visit(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        poi: str,
        *,
        entered_ts_ms: int,
        dwell_s_observed: float,
        at: datetime,
    ) -> list[StoredEvent]:
        return []

    async def answer(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        quest: str,
        step: str,
        answer: str,
        *,
        at: datetime,
        at_poi: str | None,
    ) -> list[StoredEvent]:
        raise ServiceUnavailable("quests are not available on this server")

    async def start(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        quest: str,
        *,
        at: datetime,
    ) -> list[StoredEvent]:
        raise ServiceUnavailable("quests are not available on this server")

    async def auto_start(
        self, session: AsyncSession, bundle: Bundle, player_id: uuid.UUID, *, at: datetime
    ) -> list[StoredEvent]:
        return []
