"""Published content: store immutable versions per comune, keep the active ones in memory.

A content version is the canonical JSON of one comune's validated `Bundle`, addressed by its
SHA-256; each comune has its own history. The version served for a comune is its version
activated last; publishing identical content again changes nothing, and a rollback
re-activates an older version of that comune only. Every worker polls the cheap "which
version is active for each comune" query and swaps its in-memory copy by reference, so
players on open sockets keep going while the content changes under them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.guard import wipe_reasons
from content.model import LECCE, Bundle, City, clashes
from game_server.catalog.geometry import geometry_rows
from game_server.catalog.models import ContentVersion
from game_server.kit.background import in_background
from game_server.kit.clock import utcnow
from game_server.kit.errors import NotFound, ServiceUnavailable, Unprocessable
from game_server.kit.outages import database_unavailable

log = logging.getLogger(__name__)

VersionKey = tuple[tuple[str, int], ...]  # (comune, active version id) for every comune


@dataclass(frozen=True)
class CityContent:
    """The active version of one comune."""

    version_id: int
    content_hash: str
    published_at: datetime
    activated_at: datetime
    bundle: Bundle

    @property
    def city(self) -> City:
        return self.bundle.cities[0]


@dataclass(frozen=True)
class LoadedContent:
    """What a worker serves: every comune's active version, and all of them merged."""

    key: VersionKey
    cities: dict[str, CityContent]
    bundle: Bundle  # every comune's content; each item names its comune

    @property
    def version_id(self) -> int:
        """The version activated last, of any comune (what a curator just published)."""
        latest = max(self.cities.values(), key=lambda c: (c.activated_at, c.version_id))
        return latest.version_id

    @property
    def content_hash(self) -> str:
        return ",".join(f"{city}:{self.cities[city].content_hash[:16]}" for city, _ in self.key)

    @classmethod
    def of(cls, bundle: Bundle, version_id: int, at: datetime) -> LoadedContent:
        """Content served without the database (tests, tools): each comune of `bundle` as
        version `version_id`; a bundle naming no comune is Lecce's."""
        if not bundle.cities:
            bundle = bundle.model_copy(update={"cities": [LECCE]})
        cities = {
            city.slug: CityContent(version_id, mine.content_hash(), at, at, mine)
            for city in bundle.cities
            if (mine := bundle.for_city(city.slug))
        }
        key = tuple(sorted((slug, version_id) for slug in cities))
        return cls(key=key, cities=cities, bundle=bundle)

    def city(self, slug: str) -> CityContent:
        """One comune's content, or a 404 problem naming the comuni there are."""
        found = self.cities.get(slug)
        if found is None:
            known = ", ".join(sorted(self.cities)) or "none"
            raise NotFound(f"no comune {slug!r} (comuni: {known})")
        return found


class WipeRefused(Unprocessable):
    """Publishing would leave the game empty; an admin can ask for it on purpose."""

    slug = "content-wipe-refused"


@dataclass(frozen=True)
class PublishResult:
    version_id: int
    content_hash: str
    status: str  # "published", "unchanged" or "reactivated"
    city: str = ""


class ContentClash(Unprocessable):
    slug = "content-clash"


class Catalog:
    """Holds the active content versions; swapped atomically by reference on reload."""

    def __init__(self) -> None:
        self.current: LoadedContent | None = None

    def require(self) -> LoadedContent:
        """The active content, or a 503 problem while nothing is published."""
        if self.current is None:
            raise ServiceUnavailable("no content has been published yet")
        return self.current

    async def reload(self, session: AsyncSession) -> LoadedContent | None:
        active = await active_ids(session)
        if not active:
            return self.current
        key: VersionKey = tuple(sorted(active.items()))
        if self.current is None or self.current.key != key:
            loaded = await _load(session, key, self.current)
            # Another reload (the watcher, a publish) may have loaded the same versions while
            # this one awaited: keep the content already served, so it stays the same object.
            if self.current is None or self.current.key != key:
                self.current = loaded
                log.info("serving content versions %s", ", ".join(f"{c} {v}" for c, v in key))
        return self.current

    async def watch(
        self, factory: async_sessionmaker[AsyncSession], interval_s: float
    ) -> AsyncIterator[LoadedContent]:
        """Poll for newly activated versions; yield each combination as it becomes current."""
        while True:
            await asyncio.sleep(interval_s)
            before = self.current
            try:
                async with factory() as session:
                    after = await self.reload(session)
            except Exception as exc:
                key = before and before.key
                if database_unavailable(exc):  # the outage is logged once, by the gateway
                    log.debug("content reload failed; keeping versions %s: %s", key, exc)
                else:
                    log.exception("content reload failed; keeping versions %s", key)
                continue
            if after is not None and after is not before:
                yield after


async def _load(
    session: AsyncSession, key: VersionKey, before: LoadedContent | None
) -> LoadedContent:
    """The merged content of `key`, reusing the comuni whose version did not change."""
    cities: dict[str, CityContent] = {}
    for city, version_id in key:
        kept = before.cities.get(city) if before else None
        if kept is not None and kept.version_id == version_id:
            cities[city] = kept
            continue
        version = await session.get(ContentVersion, version_id)
        assert version is not None  # versions are never deleted
        cities[city] = _city_content(version)
    merged = Bundle.merge([content.bundle for content in cities.values()])
    return LoadedContent(key=key, cities=cities, bundle=merged)


def _city_content(version: ContentVersion) -> CityContent:
    return CityContent(
        version_id=version.id,
        content_hash=version.content_hash,
        published_at=version.published_at,
        activated_at=version.activated_at,
        bundle=Bundle.model_validate_json(version.bundle_json),
    )


async def active_ids(session: AsyncSession) -> dict[str, int]:
    """{comune: id of its active version}: one small query, polled by every worker."""
    rank = (
        func.row_number()
        .over(
            partition_by=ContentVersion.city,
            order_by=(ContentVersion.activated_at.desc(), ContentVersion.id.desc()),
        )
        .label("rank")
    )
    ranked = select(ContentVersion.city, ContentVersion.id, rank).subquery()
    stmt = select(ranked.c.city, ranked.c.id).where(ranked.c.rank == 1)
    return {row.city: row.id for row in await session.execute(stmt)}


async def active_version(session: AsyncSession, city: str) -> ContentVersion | None:
    stmt = (
        select(ContentVersion)
        .where(ContentVersion.city == city)
        .order_by(ContentVersion.activated_at.desc(), ContentVersion.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def publish_all(
    session: AsyncSession, bundle: Bundle, *, author: str, allow_wipe: bool = False
) -> list[PublishResult]:
    """Publish every comune of `bundle`, each as its own version (see `publish`)."""
    return [
        await publish(session, bundle.for_city(c.slug), author=author, allow_wipe=allow_wipe)
        for c in bundle.cities
    ]


async def publish(
    session: AsyncSession, bundle: Bundle, *, author: str, allow_wipe: bool = False
) -> PublishResult:
    """Store one comune's `bundle` as a new immutable version and activate it (idempotent by
    content hash). Other comuni are untouched; a slug another comune uses is refused.

    An empty bundle, or one without any site or quest where the comune's live version has
    some, is refused with `WipeRefused` unless `allow_wipe`.
    """
    if len(bundle.cities) != 1:
        raise ValueError("publish() takes one comune's content; use publish_all()")
    city = bundle.cities[0].slug
    await _refuse_clashes(session, bundle, city)
    digest = bundle.content_hash()
    active = await active_version(session, city)
    if active is not None and active.content_hash == digest:
        return PublishResult(active.id, digest, "unchanged", city)
    if not allow_wipe:
        live = Bundle.model_validate_json(active.bundle_json) if active is not None else None
        reasons = wipe_reasons(bundle, live)
        if reasons:
            raise WipeRefused(
                f"publishing refused: {'; '.join(reasons)}; nothing changed "
                "(an admin can do it on purpose with allow_wipe)",
                reasons=reasons,
            )
    existing = await _by_hash(session, city, digest)
    if existing is not None:
        existing.activated_at = utcnow()
        await session.flush()
        return PublishResult(existing.id, digest, "reactivated", city)
    return await _store(session, bundle, city, digest, author)


async def _store(
    session: AsyncSession, bundle: Bundle, city: str, digest: str, author: str
) -> PublishResult:
    now = utcnow()
    version = ContentVersion(
        city=city,
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
        raced = await _by_hash(session, city, digest)
        assert raced is not None
        return PublishResult(raced.id, digest, "unchanged", city)
    session.add_all(geometry_rows(version.id, bundle))
    await session.flush()
    return PublishResult(version.id, digest, "published", city)


async def _refuse_clashes(session: AsyncSession, bundle: Bundle, city: str) -> None:
    """Slugs are unique across comuni: compare with every other comune's active content."""
    others = [cid for other, cid in (await active_ids(session)).items() if other != city]
    bundles = [bundle]
    for version_id in others:
        version = await session.get(ContentVersion, version_id)
        assert version is not None
        bundles.append(Bundle.model_validate_json(version.bundle_json))
    found = clashes(bundles)
    if found:
        raise ContentClash(
            f"slugs are unique across comuni; {len(found)} clash: " + "; ".join(found[:5]),
            clashes=found,
        )


async def _by_hash(session: AsyncSession, city: str, digest: str) -> ContentVersion | None:
    stmt = select(ContentVersion).where(
        ContentVersion.city == city, ContentVersion.content_hash == digest
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def activate(session: AsyncSession, version_id: int) -> ContentVersion | None:
    """Make an earlier version of its comune the active one again (a rollback)."""
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
