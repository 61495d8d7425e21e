"""Reading content versions for curators (without loading their bundles)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.admin.schemas import VersionRead
from game_server.catalog.models import ContentVersion
from game_server.catalog.service import active_ids


async def listing(session: AsyncSession, limit: int, cities: set[str] | None) -> list[VersionRead]:
    """The newest `limit` versions of `cities` (None: of every comune)."""
    active = set((await active_ids(session)).values())
    stmt = (
        select(
            ContentVersion.id,
            ContentVersion.city,
            ContentVersion.content_hash,
            ContentVersion.author,
            ContentVersion.published_at,
            ContentVersion.activated_at,
        )
        .order_by(ContentVersion.id.desc())
        .limit(limit)
    )
    if cities is not None:
        stmt = stmt.where(ContentVersion.city.in_(sorted(cities)))
    return [
        VersionRead(
            id=row.id,
            city=row.city,
            content_hash=row.content_hash,
            author=row.author,
            published_at=row.published_at,
            activated_at=row.activated_at,
            active=row.id in active,
        )
        for row in await session.execute(stmt)
    ]
