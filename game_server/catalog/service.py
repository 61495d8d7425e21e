"""The content version this worker serves, kept in memory and reloaded when a new one is active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.catalog.models import ContentVersion


@dataclass(frozen=True)
class LoadedContent:
    version_id: int
    content_hash: str
    published_at: datetime
    bundle_json: bytes


class Catalog:
    """Holds the active content version; swapped atomically by reference on reload."""

    def __init__(self) -> None:
        self.current: LoadedContent | None = None

    async def reload(self, session: AsyncSession) -> LoadedContent | None:
        stmt = select(ContentVersion).order_by(ContentVersion.activated_at.desc()).limit(1)
        version = (await session.execute(stmt)).scalar_one_or_none()
        if version is None:
            return None
        if self.current is None or self.current.version_id != version.id:
            self.current = LoadedContent(
                version_id=version.id,
                content_hash=version.content_hash,
                published_at=version.published_at,
                bundle_json=version.bundle_json,
            )
        return self.current
