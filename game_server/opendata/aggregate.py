"""Visits per site and local hour of one day, with each player's contribution capped.

One statement on either database: a player counts at most `cap` visits per site and day (their
first ones) and at most `max_sites` sites per day (the first ones in slug order), so that one
player changes the day's release by at most `cap × max_sites` (the L1 sensitivity the noise is
calibrated to). Rows are grouped by UTC hour in the database and mapped to the comune's local
hour here (a DST day has 23 or 25 UTC hours: two UTC hours may fold into one local hour).
Only counts leave the database: no player id, no time finer than the hour.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from quests.models import Visit

SORT_MEMORY = "64MB"  # PostgreSQL's work_mem for the build's one statement


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which the local `day` starts and ends."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def _epoch_hour(dialect: str) -> ColumnElement[int]:
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", Visit.visited_at) / 3600), Integer)
    seconds = cast(func.strftime("%s", Visit.visited_at), Integer)
    return cast(seconds / 3600, Integer)


# PostgreSQL, cap 1 (the default): one sort of the day's visits by (player, site number), the
# first visit of each player at each site by aggregation, then the player's first `max_sites`
# sites by one window over those. Sites are numbered in slug order by a join on the array of
# slugs, so that no text is compared in the sort (the general statement below sorts on the
# slug under the database's collation, twice as slow on 1,000,000 rows: README, Performance).
_FIRSTS_PG = text(
    """
SELECT site, floor(extract(epoch FROM first_at) / 3600)::integer AS epoch_hour, count(*) AS n
FROM (
    SELECT site, first_at,
           row_number() OVER (PARTITION BY player_id ORDER BY site) AS site_no
    FROM (
        SELECT v.player_id, s.site, min(v.visited_at) AS first_at
        FROM visits AS v
        JOIN unnest(CAST(:sites AS text[])) WITH ORDINALITY AS s(slug, site) ON s.slug = v.poi
        WHERE v.visited_at >= :start AND v.visited_at < :end
        GROUP BY v.player_id, s.site
    ) AS firsts
) AS ranked
WHERE site_no <= :max_sites
GROUP BY site, epoch_hour
"""
)


async def hourly_counts(
    session: AsyncSession,
    day: date,
    timezone: str,
    sites: list[str],
    *,
    cap: int,
    max_sites: int,
    general: bool = False,
) -> Counter[tuple[str, int]]:
    """(site, local hour) → capped visits. `general`: the window statement even where the
    faster one applies (tests compare the two)."""
    start, end = day_bounds(day, timezone)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # One sort of the day's visits by player and site: in memory rather than on disk.
        await session.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))
    if dialect == "postgresql" and cap == 1 and not general:
        ordered = sorted(set(sites))
        params = {"sites": ordered, "start": start, "end": end, "max_sites": max_sites}
        rows = [
            (ordered[int(site) - 1], epoch_hour, n)
            for site, epoch_hour, n in await session.execute(_FIRSTS_PG, params)
        ]
    else:
        rows = list(
            await session.execute(_window_statement(dialect, start, end, sites, cap, max_sites))
        )
    zone = ZoneInfo(timezone)
    counts: Counter[tuple[str, int]] = Counter()
    for poi, epoch_hour, n in rows:
        local = datetime.fromtimestamp(int(epoch_hour) * 3600, UTC).astimezone(zone)
        counts[(poi, local.hour)] += int(n)
    return counts


def _window_statement(
    dialect: str, start: datetime, end: datetime, sites: list[str], cap: int, max_sites: int
) -> Select[tuple[str, int, int]]:
    """Any cap, either database: each player's visits numbered per site, sites per player."""
    nth = func.row_number().over(
        partition_by=(Visit.player_id, Visit.poi), order_by=(Visit.visited_at, Visit.entered_ts_ms)
    )
    site_no = func.dense_rank().over(partition_by=Visit.player_id, order_by=Visit.poi)
    ranked = (
        select(
            Visit.poi.label("poi"),
            _epoch_hour(dialect).label("epoch_hour"),
            nth.label("nth"),
            site_no.label("site_no"),
        )
        .where(Visit.visited_at >= start, Visit.visited_at < end, Visit.poi.in_(sites))
        .subquery()
    )
    return (
        select(ranked.c.poi, ranked.c.epoch_hour, func.count().label("n"))
        .where(ranked.c.nth <= cap, ranked.c.site_no <= max_sites)
        .group_by(ranked.c.poi, ranked.c.epoch_hour)
    )
