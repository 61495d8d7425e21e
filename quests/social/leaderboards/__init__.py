"""Leaderboards: weekly (ISO week, Europe/Rome) and all-time, for players and teams.

`record_xp` is what the quest engine calls; `leaderboard_store` picks the store of the running
app: Redis-backed when `LUPIAE_REDIS_URL` is set, database-backed otherwise. Both rank alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY
from quests.social.leaderboards.periods import Board, Period, Scope, iso_week, score_keys
from quests.social.leaderboards.repository import Entry, Increment
from quests.social.leaderboards.stores import (
    DatabaseLeaderboardStore,
    LeaderboardStore,
    RedisLeaderboardStore,
)
from quests.social.settings import SocialSettings


async def record_xp(
    store: LeaderboardStore,
    player_id: uuid.UUID,
    team_id: uuid.UUID | None,
    xp: int,
    at: datetime,
    city: str = DEFAULT_CITY,
) -> None:
    """Add `xp` earned at `at` in comune `city` to the player's (and the team's) weekly and
    all-time scores of that comune.

    Runs in the caller's unit of work: the scores commit or roll back with it.
    """
    if xp < 0:
        raise ValueError(f"XP is never taken away, got {xp}")
    if xp == 0:
        return
    await store.add(
        [Increment(key, member, xp) for key, member in score_keys(player_id, team_id, at, city)]
    )


def leaderboard_store(request_or_app_state: Any, session: AsyncSession) -> LeaderboardStore:
    """The store for one unit of work, from a `Request` or an `app.state`."""
    app = getattr(request_or_app_state, "app", None)
    state = app.state if app is not None else request_or_app_state
    if state.settings.redis_url is None:
        return DatabaseLeaderboardStore(session)
    social: SocialSettings = getattr(state, "social_settings", None) or SocialSettings()
    return RedisLeaderboardStore(
        session,
        state.backend,
        prefix=social.leaderboard_prefix,
        cache_ttl_s=social.leaderboard_cache_ttl_s,
    )


__all__ = [
    "Board",
    "DatabaseLeaderboardStore",
    "Entry",
    "Increment",
    "LeaderboardStore",
    "Period",
    "RedisLeaderboardStore",
    "Scope",
    "iso_week",
    "leaderboard_store",
    "record_xp",
]
