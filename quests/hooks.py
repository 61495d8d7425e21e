"""Where the quest engine meets the social game: teams, leaderboards and the feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY
from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from quests.social import feed, leaderboards, teams
from quests.social.settings import SocialSettings


async def team_of(session: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
    """The player's team ("contrada"), or None: team steps need one."""
    return await teams.team_of(session, player_id)


def _store(
    session: AsyncSession,
    settings: KernelSettings | None,
    backend: Backend | None,
    social: SocialSettings | None,
) -> leaderboards.LeaderboardStore:
    if settings is None or settings.redis_url is None or backend is None:
        return leaderboards.DatabaseLeaderboardStore(session)
    # The app's social settings, read once at start; without an app, the defaults.
    social = social or SocialSettings.model_construct()
    return leaderboards.RedisLeaderboardStore(
        session,
        backend,
        prefix=social.leaderboard_prefix,
        cache_ttl_s=social.leaderboard_cache_ttl_s,
    )


async def record_xp(
    session: AsyncSession,
    settings: KernelSettings | None,
    backend: Backend | None,
    player_id: uuid.UUID,
    xp: int,
    at: datetime,
    city: str = DEFAULT_CITY,
    social: SocialSettings | None = None,
) -> None:
    """Feed comune `city`'s leaderboards with XP just granted (called once: after its ledger
    row)."""
    team_id = await team_of(session, player_id)
    store = _store(session, settings, backend, social)
    await leaderboards.record_xp(store, player_id, team_id, xp, at, city)


async def record_feed(
    session: AsyncSession, player_id: uuid.UUID, kind: str, data: dict[str, Any]
) -> None:
    """Tell friends and team mates (quest completed, badge awarded); no places, no times."""
    await feed.record(session, player_id, kind, data)
