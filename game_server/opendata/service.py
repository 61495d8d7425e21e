"""Open-data use cases: build a day, publish what is built, read what is published."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import City
from game_server.cities import stored_registry
from game_server.kit.uow import unit_of_work
from game_server.opendata.models import OpenDataRelease
from game_server.opendata.release import Policy, build, latest_day
from game_server.opendata.settings import OpenDataSettings

# How far back the scheduler looks for days not yet built (after an outage).
CATCH_UP_DAYS = 7


def policy_of(settings: OpenDataSettings) -> Policy:
    return Policy(
        lag_days=settings.opendata_lag_days,
        k=settings.opendata_k,
        cap_per_site_day=settings.opendata_cap_per_site_day,
        max_sites_per_day=settings.opendata_max_sites_per_day,
        epsilon=settings.opendata_epsilon,
    )


async def publish(
    sessions: async_sessionmaker[AsyncSession], slug: str | None, now: datetime
) -> int:
    """Make every built, unpublished release public (of one comune, or of all)."""
    stmt = update(OpenDataRelease).where(OpenDataRelease.published_at.is_(None))
    if slug is not None:
        stmt = stmt.where(OpenDataRelease.city == slug)
    async with unit_of_work(sessions) as session:
        result = await session.execute(stmt.values(published_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


async def build_and_publish_due(
    sessions: async_sessionmaker[AsyncSession], settings: OpenDataSettings, now: datetime
) -> dict[str, Any]:
    """The scheduler's job: build every due day of the last week not built yet, publish."""
    policy = policy_of(settings)
    built: list[str] = []
    async with sessions() as session:
        comuni = opendata_cities(await stored_registry(session), settings)
    for slug, comune in comuni.items():
        last = latest_day(comune, policy, now)
        for back in range(CATCH_UP_DAYS):
            release = await build(sessions, comune, last - timedelta(days=back), policy, now)
            if release.built_at == now:
                built.append(f"{slug}/{release.day.isoformat()}")
    published = await publish(sessions, None, now)
    return {"built": built, "published": published}


def opendata_cities(known: dict[str, City], settings: OpenDataSettings) -> dict[str, City]:
    """The comuni whose open data are built and catalogued: every comune published here, or
    those of `LUPIAE_OPENDATA_CITIES` among them."""
    wanted = settings.opendata_cities
    return {slug: c for slug, c in sorted(known.items()) if not wanted or slug in wanted}


async def published(session: AsyncSession, slug: str) -> list[OpenDataRelease]:
    stmt = (
        select(OpenDataRelease)
        .where(OpenDataRelease.city == slug, OpenDataRelease.published_at.is_not(None))
        .order_by(OpenDataRelease.day)
    )
    return list((await session.execute(stmt)).scalars())


async def published_release(session: AsyncSession, slug: str, day: date) -> OpenDataRelease | None:
    release = await session.get(OpenDataRelease, (slug, day))
    return release if release is not None and release.published_at is not None else None
