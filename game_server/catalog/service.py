"""Published content: store immutable versions, and keep the active one in memory.

A content version is the canonical JSON of a validated `Bundle`, addressed by its SHA-256.
The version served is the one activated last; publishing identical content again changes
nothing, and a rollback re-activates an older version. Every worker polls the cheap
"which version is active" query and swaps its in-memory copy by reference, so players on open
sockets keep going while the content changes under them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Point, Polygon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.guard import wipe_reasons
from content.model import Bundle
from game_server.background import in_background
from game_server.catalog.models import Area, ContentVersion, Poi
from game_server.clock import utcnow
from game_server.errors import ServiceUnavailable, Unprocessable
from game_server.outages import database_unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedContent:
    version_id: int
    content_hash: str
    published_at: datetime
    bundle: Bundle


class WipeRefused(Unprocessable):
    """Publishing would leave the game empty; an admin can ask for it on purpose."""

    slug = "content-wipe-refused"


@dataclass(frozen=True)
class PublishResult:
    version_id: int
    content_hash: str
    status: str  # "published", "unchanged" or "reactivated"


class Catalog:
    """Holds the active content version; swapped atomically by reference on reload."""

    def __init__(self) -> None:
        self.current: LoadedContent | None = None

    def require(self) -> LoadedContent:
        """The active version, or a 503 problem while nothing is published."""
        if self.current is None:
            raise ServiceUnavailable("no content has been published yet")
        return self.current

    async def reload(self, session: AsyncSession) -> LoadedContent | None:
        version = await active_version(session)
        if version is None:
            return self.current
        if self.current is None or self.current.version_id != version.id:
            self.current = LoadedContent(
                version_id=version.id,
                content_hash=version.content_hash,
                published_at=version.published_at,
                bundle=Bundle.model_validate_json(version.bundle_json),
            )
            log.info("serving content version %d (%s)", version.id, version.content_hash[:12])
        return self.current

    async def watch(
        self, factory: async_sessionmaker[AsyncSession], interval_s: float
    ) -> AsyncIterator[LoadedContent]:
        """Poll for a newly activated version; yield each one as it becomes current."""
        while True:
            await asyncio.sleep(interval_s)
            before = self.current
            try:
                async with factory() as session:
                    after = await self.reload(session)
            except Exception as exc:
                if database_unavailable(exc):  # the outage is logged once, by the gateway
                    log.debug("content reload failed; keeping version %s: %s", _id(before), exc)
                else:
                    log.exception("content reload failed; keeping version %s", _id(before))
                continue
            if after is not None and after is not before:
                yield after


def _id(loaded: LoadedContent | None) -> int | None:
    return loaded.version_id if loaded else None


async def active_version(session: AsyncSession) -> ContentVersion | None:
    stmt = (
        select(ContentVersion)
        .order_by(ContentVersion.activated_at.desc(), ContentVersion.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def publish(
    session: AsyncSession, bundle: Bundle, *, author: str, allow_wipe: bool = False
) -> PublishResult:
    """Store `bundle` as a new immutable version and activate it (idempotent by content hash).

    An empty bundle, or one without any site or quest where the live version has some, is
    refused with `WipeRefused` unless `allow_wipe`.
    """
    digest = bundle.content_hash()
    active = await active_version(session)
    if active is not None and active.content_hash == digest:
        return PublishResult(active.id, digest, "unchanged")
    if not allow_wipe:
        live = Bundle.model_validate_json(active.bundle_json) if active is not None else None
        reasons = wipe_reasons(bundle, live)
        if reasons:
            raise WipeRefused(
                f"publishing refused: {'; '.join(reasons)}; nothing changed "
                "(an admin can do it on purpose with allow_wipe)",
                reasons=reasons,
            )
    existing = await _by_hash(session, digest)
    if existing is not None:
        existing.activated_at = utcnow()
        await session.flush()
        return PublishResult(existing.id, digest, "reactivated")
    now = utcnow()
    version = ContentVersion(
        content_hash=digest,
        author=author,
        published_at=now,
        activated_at=now,
        bundle_json=bundle.canonical_json(),
    )
    try:
        async with session.begin_nested():
            session.add(version)
            await session.flush()
    except IntegrityError:
        # Another publisher stored the same content a moment ago: that is the same version.
        raced = await _by_hash(session, digest)
        assert raced is not None
        return PublishResult(raced.id, digest, "unchanged")
    session.add_all(_geometry_rows(version.id, bundle))
    await session.flush()
    return PublishResult(version.id, digest, "published")


async def _by_hash(session: AsyncSession, digest: str) -> ContentVersion | None:
    stmt = select(ContentVersion).where(ContentVersion.content_hash == digest)
    return (await session.execute(stmt)).scalar_one_or_none()


def _geometry_rows(version_id: int, bundle: Bundle) -> list[Area | Poi]:
    rows: list[Area | Poi] = [
        Area(
            version_id=version_id,
            slug=area.slug,
            role=area.role,
            name_it=area.name.it,
            name_en=area.name.en,
            geom=Polygon(area.polygon),
        )
        for area in bundle.areas
    ]
    for poi in bundle.pois:
        geom = Polygon(poi.polygon) if poi.polygon else Point(poi.lon, poi.lat)
        rows.append(
            Poi(
                version_id=version_id,
                slug=poi.slug,
                kind=poi.kind,
                name_it=poi.name.it,
                name_en=poi.name.en,
                radius_m=poi.radius_m,
                geom=geom,
            )
        )
    return rows


async def activate(session: AsyncSession, version_id: int) -> ContentVersion | None:
    """Make an earlier version the active one again (a rollback)."""
    version = await session.get(ContentVersion, version_id)
    if version is not None:
        version.activated_at = utcnow()
        await session.flush()
    return version


@contextlib.asynccontextmanager
async def watching(
    catalog: Catalog, factory: async_sessionmaker[AsyncSession], interval_s: float
) -> AsyncIterator[None]:
    """Run the catalog watcher for the lifetime of the block."""

    async def run() -> None:
        async for _ in catalog.watch(factory, interval_s):
            pass

    async with in_background(("content-watcher", run())):
        yield
