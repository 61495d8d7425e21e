"""The quest engine behind the realtime gateway (`game_server.gateway.hooks.GameHooks`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.events.log import StoredEvent
from game_server.kit.pubsub import Backend
from game_server.kit.settings import Settings
from quests.engine import Engine, Visit
from quests.repository import QuestRepository
from quests.service import GameService
from quests.social.settings import SocialSettings
from quests.view import GameView, load_view, quiet_visit


class QuestGame:
    """One `GameService` per unit of work of the gateway (a socket message batch)."""

    def __init__(
        self,
        settings: Settings | None = None,
        backend: Callable[[], Backend | None] | None = None,
        *,
        social: SocialSettings | None = None,
    ) -> None:
        self.settings = settings
        self.social = social
        # The backend exists only once the app's lifespan has started: ask for it late.
        self._backend = backend or (lambda: None)
        self._engine: Engine | None = None

    def engine(self, bundle: Bundle) -> Engine:
        """The rules of `bundle`, built once per content version."""
        if self._engine is None or self._engine.bundle is not bundle:
            self._engine = Engine(bundle)
        return self._engine

    async def load_view(self, session: AsyncSession, player_id: uuid.UUID) -> GameView:
        return await load_view(session, player_id)

    def starts_quests(self, view: GameView, bundle: Bundle, *, at: datetime) -> bool:
        return bool(self.engine(bundle).auto_start(view.snapshot, at).transitions)

    def quiet_visit(
        self, view: GameView, bundle: Bundle, poi: str, *, dwell_s: float, at: datetime
    ) -> tuple[GameView, tuple[str, date] | None] | None:
        return quiet_visit(view, self.engine(bundle), bundle, Visit(poi, at, dwell_s))

    def service(self, session: AsyncSession, bundle: Bundle) -> GameService:
        return GameService(session, bundle, self.settings, self._backend(), social=self.social)

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

    async def react_to_pending(
        self, session: AsyncSession, bundle: Bundle, player_id: uuid.UUID
    ) -> list[StoredEvent]:
        return await self.service(session, bundle).react_to_pending(player_id)

    async def players_owed_reactions(
        self,
        session: AsyncSession,
        *,
        before: datetime,
        limit: int,
        alive_since: datetime | None = None,
    ) -> list[uuid.UUID]:
        return await QuestRepository(session).players_owed_reactions(
            before=before, limit=limit, alive_since=alive_since
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
        # A wrong answer stays counted though refused: the caller's unit of work commits it.
        return await self.service(session, bundle).answer(
            player_id, quest, step, answer, at=at, at_poi=at_poi
        )

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
