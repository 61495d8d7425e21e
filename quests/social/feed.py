"""The activity feed: what friends and team mates achieved, never where anyone is.

Privacy by construction: `record` accepts only whitelisted keys whose values are short
strings, integers, booleans or localised titles. Floats are refused outright, so no latitude or
longitude can slip in under an innocent key, and no POI, position or time of a visit is stored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.clock import utcnow
from quests.social.models import FeedItem
from quests.social.repository import FeedRepository

KIND = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
MAX_KIND_LENGTH = 40
MAX_TEXT_LENGTH = 200
# What an achievement may say about itself. Nothing about places: see the module docstring.
ALLOWED_KEYS = frozenset(
    {"quest", "badge", "title", "level", "xp", "count", "team", "run", "coupon_offer"}
)
LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: int
    player_id: uuid.UUID
    display_name: str
    kind: str
    data: dict[str, Any]
    at: datetime


async def record(
    session: AsyncSession, player_id: uuid.UUID, kind: str, data: dict[str, Any]
) -> None:
    """Store an achievement (`quest.completed`, `badge.awarded`, `level.up`…) for the feed.

    Raises ValueError for a malformed kind or for data outside the whitelist: that is a bug in
    the caller, never something a player can cause.
    """
    if len(kind) > MAX_KIND_LENGTH or not KIND.match(kind):
        raise ValueError(f"feed kind {kind!r} is not like `quest.completed`")
    await FeedRepository(session).add(
        FeedItem(player_id=player_id, kind=kind, data=checked(data), at=utcnow())
    )


def checked(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - ALLOWED_KEYS)
    if unknown:
        raise ValueError(
            f"feed data may not carry {', '.join(unknown)}; allowed: {sorted(ALLOWED_KEYS)}"
        )
    for key, value in data.items():
        if not _allowed_value(value):
            raise ValueError(
                f"feed data {key!r} must be a short text, an integer or {{lang: text}}"
            )
    return dict(data)


def _allowed_value(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT_LENGTH
    if isinstance(value, dict):
        return all(
            isinstance(k, str)
            and LANGUAGE.match(k)
            and isinstance(v, str)
            and len(v) <= MAX_TEXT_LENGTH
            for k, v in value.items()
        )
    return False


async def page(
    session: AsyncSession, player_id: uuid.UUID, *, limit: int, before: int | None = None
) -> list[FeedEntry]:
    """Newest first: the player's own items and those of their friends and team mates."""
    rows = await FeedRepository(session).circle_page(player_id, limit=limit, before=before)
    return [
        FeedEntry(item.id, item.player_id, name, item.kind, item.data, item.at)
        for item, name in rows
    ]
