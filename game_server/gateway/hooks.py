"""What the gateway asks of the game (implemented by `quests.game.QuestGame`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
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
