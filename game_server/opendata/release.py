"""Build a comune's daily release once, then serve the same cells for ever.

Order of operations: capped counts (aggregate.py) over the full grid of sites × 24 hours (zeros
included, so that the noise hides absence too); optional noise from OpenDP's discrete Laplace
mechanism calibrated to the release's L1 sensitivity `cap × max_sites` and the configured ε;
then every cell under k is suppressed (post-processing: it spends no budget). The release row
and its cells are inserted in one transaction; a concurrent or later build of the same day
finds them and returns them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import Bundle, City
from game_server.catalog.service import active_version
from game_server.kit.errors import Unprocessable
from game_server.kit.uow import unit_of_work
from game_server.opendata.aggregate import hourly_counts
from game_server.opendata.models import OpenDataCell, OpenDataRelease

HOURS = range(24)


@dataclass(frozen=True, slots=True)
class Policy:
    lag_days: int = 2
    k: int = 10
    cap_per_site_day: int = 1
    max_sites_per_day: int = 10
    epsilon: float | None = None  # None: no noise


@dataclass(frozen=True, slots=True)
class Site:
    slug: str
    name: str
    lat: float
    lon: float


async def sites_of(session: AsyncSession, city: City) -> list[Site]:
    """The comune's heritage sites in its active content."""
    version = await active_version(session, city.slug)
    if version is None:
        raise Unprocessable("no content published: there are no sites to count visits at")
    bundle = Bundle.model_validate_json(version.bundle_json)
    return [
        Site(p.slug, p.name.it, p.lat, p.lon) for p in sorted(bundle.pois, key=lambda p: p.slug)
    ]


def latest_day(city: City, policy: Policy, now: datetime) -> date:
    """The most recent day that may be released at `now` (local day minus the lag)."""
    return now.astimezone(ZoneInfo(city.timezone)).date() - timedelta(days=policy.lag_days)


def _noise(counts: list[int], policy: Policy) -> tuple[list[int], float | None]:
    if policy.epsilon is None:
        return counts, None
    import opendp.prelude as dp  # noqa: PLC0415 - a compiled library, loaded when used

    dp.enable_features("contrib")
    sensitivity = policy.cap_per_site_day * policy.max_sites_per_day
    scale = sensitivity / policy.epsilon
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    mechanism = dp.m.make_laplace(*space, scale=scale)
    spent = mechanism.map(d_in=sensitivity)  # type: ignore[no-untyped-call]
    assert spent <= policy.epsilon + 1e-9
    return [max(0, int(v)) for v in mechanism(counts)], scale


async def _compute(
    session: AsyncSession, city: City, day: date, policy: Policy, now: datetime
) -> tuple[OpenDataRelease, list[OpenDataCell]]:
    sites = await sites_of(session, city)
    counts = await hourly_counts(
        session,
        day,
        city.timezone,
        [s.slug for s in sites],
        cap=policy.cap_per_site_day,
        max_sites=policy.max_sites_per_day,
    )
    grid = [(s.slug, h) for s in sites for h in HOURS]
    values, scale = _noise([counts.get(cell, 0) for cell in grid], policy)
    cells = [
        OpenDataCell(
            city=city.slug,
            day=day,
            poi=poi,
            hour=hour,
            visits=v if v >= policy.k else None,
            suppressed=v < policy.k,
        )
        for (poi, hour), v in zip(grid, values, strict=True)
    ]
    release = OpenDataRelease(
        city=city.slug,
        day=day,
        built_at=now,
        k=policy.k,
        cap_per_site_day=policy.cap_per_site_day,
        max_sites_per_day=policy.max_sites_per_day,
        mechanism=None if scale is None else "discrete Laplace (OpenDP make_laplace)",
        noise_scale=scale,
        epsilon=policy.epsilon,
        cells=len(cells),
        suppressed=sum(c.suppressed for c in cells),
    )
    return release, cells


def _detached(session: AsyncSession, release: OpenDataRelease) -> OpenDataRelease:
    session.expunge(release)
    return release


async def build(
    sessions: async_sessionmaker[AsyncSession],
    city: City,
    day: date,
    policy: Policy,
    now: datetime,
) -> OpenDataRelease:
    """The release of `city` for `day`: stored once, returned as stored afterwards."""
    if day > latest_day(city, policy, now):
        raise Unprocessable(
            f"{day} cannot be released before {day + timedelta(days=policy.lag_days + 1)}: "
            f"releases lag at least {policy.lag_days} days"
        )
    try:
        async with unit_of_work(sessions) as session:
            existing = await session.get(OpenDataRelease, (city.slug, day))
            if existing is not None:
                return _detached(session, existing)
            release, cells = await _compute(session, city, day, policy, now)
            session.add(release)
            await session.flush()  # the release row first: a concurrent build stops here
            session.add_all(cells)
    except IntegrityError:  # another worker built it first: theirs is the release
        async with unit_of_work(sessions) as session:
            stored = await session.get(OpenDataRelease, (city.slug, day))
            assert stored is not None
            return _detached(session, stored)
    return release


async def cells_of(session: AsyncSession, city: str, day: date) -> list[OpenDataCell]:
    stmt = (
        select(OpenDataCell)
        .where(OpenDataCell.city == city, OpenDataCell.day == day)
        .order_by(OpenDataCell.poi, OpenDataCell.hour)
    )
    return list((await session.execute(stmt)).scalars())
