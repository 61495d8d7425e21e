"""Recording suspicious patterns and reading a player's risk, in the caller's unit of work."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.anticheat.repository import SuspicionRepository
from game_server.anticheat.rules import RISK_WINDOW, SCORES, Kind
from game_server.kit.clock import utcnow


async def record(
    session: AsyncSession,
    player_id: uuid.UUID,
    kind: Kind,
    evidence: dict[str, Any],
    *,
    at: datetime | None = None,
) -> None:
    """Put one suspicious pattern on the player's record (never commits)."""
    await SuspicionRepository(session).add(player_id, kind, SCORES[kind], evidence, at or utcnow())


async def risk_of(session: AsyncSession, player_id: uuid.UUID, *, at: datetime) -> float:
    """The sum of the player's record scores over the risk window ending at `at`."""
    return await SuspicionRepository(session).risk(player_id, at - RISK_WINDOW)
