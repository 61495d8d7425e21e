"""Reading content versions for curators (without loading their bundles)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.admin.schemas import VersionRead
from game_server.catalog.models import ContentVersion
from game_server.catalog.service import active_version


async def listing(session: AsyncSession, limit: int) -> list[VersionRead]:
    active = await active_version(session)
    stmt = (
        select(
            ContentVersion.id,
            ContentVersion.content_hash,
            ContentVersion.author,
            ContentVersion.published_at,
            ContentVersion.activated_at,
        )
        .order_by(ContentVersion.id.desc())
        .limit(limit)
    )
    return [
        VersionRead(
            id=row.id,
            content_hash=row.content_hash,
            author=row.author,
            published_at=_aware(row.published_at),
            activated_at=_aware(row.activated_at),
            active=active is not None and row.id == active.id,
        )
        for row in await session.execute(stmt)
    ]


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
