"""The quest engine behind the realtime gateway (`game_server.gateway.hooks.GameHooks`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.errors import DomainError
from game_server.events.log import StoredEvent
from game_server.pubsub import Backend
from game_server.settings import Settings
from quests.service import GameService


class QuestGame:
    """One `GameService` per unit of work of the gateway (a socket message batch)."""

    def __init__(
        self, settings: Settings | None = None, backend: Callable[[], Backend | None] | None = None
    ) -> None:
        self.settings = settings
        # The backend exists only once the app's lifespan has started: ask for it late.
        self._backend = backend or (lambda: None)

    def service(self, session: AsyncSession, bundle: Bundle) -> GameService:
        return GameService(session, bundle, self.settings, self._backend())

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
        return await self.service(session, bundle).record_visit(
            player_id, poi, entered_ts_ms=entered_ts_ms, at=at, dwell_s_observed=dwell_s_observed
        )

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
        try:
            return await self.service(session, bundle).answer(
                player_id, quest, step, answer, at=at, at_poi=at_poi
            )
        except DomainError as exc:
            # A wrong answer must stay counted (the guessing limit) even though it is refused;
            # the request dependency does this for REST, here the gateway's batch is ours.
            if exc.commit:
                await session.commit()
            raise

    async def start(
        self,
        session: AsyncSession,
        bundle: Bundle,
        player_id: uuid.UUID,
        quest: str,
        *,
        at: datetime,
    ) -> list[StoredEvent]:
        return await self.service(session, bundle).start(player_id, quest, at=at)

    async def auto_start(
        self, session: AsyncSession, bundle: Bundle, player_id: uuid.UUID, *, at: datetime
    ) -> list[StoredEvent]:
        return await self.service(session, bundle).auto_start(player_id, at=at)
