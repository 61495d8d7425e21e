"""Retention: rows that trace a player in time are pruned; aggregates outlive them.

- visits older than `position_retention_days` (pending game reactions excepted): the sites
  they name are first added to `visited_sites` (player, site, first day), so that badge
  criteria counting distinct sites keep their count;
- events, wrong answers and feed items older than `event_retention_days`.

Run by the scheduled `retention` job (game_server/jobs) or `lupiae retention prune`. Every
statement is idempotent, so a run that dies half-way is simply run again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events.models import PlayerEvent
from game_server.kit.db import insert_or_ignore
from game_server.privacy.settings import PrivacySettings
from quests.models import QuizFailure, Visit, VisitedSite
from quests.social.models import FeedItem


@dataclass(frozen=True, slots=True)
class Pruned:
    visits: int
    events: int
    quiz_failures: int
    feed_items: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


async def _keep_visited_sites(session: AsyncSession, before: datetime) -> None:
    old = (
        select(Visit.player_id, Visit.poi, func.min(func.date(Visit.visited_at)))
        .where(Visit.visited_at < before, Visit.reaction_pending.is_(False))
        .group_by(Visit.player_id, Visit.poi)
    )
    stmt = insert_or_ignore(session, VisitedSite)
    await session.execute(stmt.from_select(["player_id", "poi", "first_day"], old))


async def prune(session: AsyncSession, settings: PrivacySettings, now: datetime) -> Pruned:
    """Delete what is older than the retention settings (the caller commits)."""
    positions = now - timedelta(days=settings.position_retention_days)
    events = now - timedelta(days=settings.event_retention_days)
    await _keep_visited_sites(session, positions)
    visits = await session.execute(
        delete(Visit).where(Visit.visited_at < positions, Visit.reaction_pending.is_(False))
    )
    logged = await session.execute(delete(PlayerEvent).where(PlayerEvent.created_at < events))
    failures = await session.execute(delete(QuizFailure).where(QuizFailure.failed_at < events))
    feed = await session.execute(delete(FeedItem).where(FeedItem.at < events))
    return Pruned(_count(visits), _count(logged), _count(failures), _count(feed))
