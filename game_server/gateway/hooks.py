"""What the gateway asks of the game (implemented by `quests.game.QuestGame`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.events.log import StoredEvent

if TYPE_CHECKING:
    from quests.view import GameView


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

    async def react_to_pending(
        self, session: AsyncSession, bundle: Bundle, player_id: uuid.UUID
    ) -> list[StoredEvent]:
        """The game's reaction to the player's visits recorded ahead of it (exactly once)."""
        ...

    async def players_owed_reactions(
        self,
        session: AsyncSession,
        *,
        before: datetime,
        limit: int,
        alive_since: datetime | None = None,
    ) -> list[uuid.UUID]:
        """Players with a visit whose reaction is still owed (a crash between the two): since
        `before`, or owed by a worker not seen alive since `alive_since`."""
        ...

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

    async def load_view(self, session: AsyncSession, player_id: uuid.UUID) -> GameView:
        """What the game knows of the player, as of their event cursor (read first)."""
        ...

    def starts_quests(self, view: GameView, bundle: Bundle, *, at: datetime) -> bool:
        """Whether `auto_start` would start any quest for the player the view describes."""
        ...

    def quiet_visit(
        self, view: GameView, bundle: Bundle, poi: str, *, dwell_s: float, at: datetime
    ) -> tuple[GameView, tuple[str, date] | None] | None:
        """The view after a visit that changes nothing in the game (and the play day it adds),
        or None when the visit needs the full unit of work (`record_visit`)."""
        ...
