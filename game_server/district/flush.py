"""The `district_footfall` job: copy the backend's hourly street counts into the database.

Runs every few minutes on one worker. It reads the last `LOOKBACK_HOURS` hours of every
street of the published content in one pipelined round trip and upserts the rows; a value
never goes down (should the backend have lost a key, the database keeps what it had), so the
figures survive a worker or a Redis restart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import Street
from game_server.catalog.service import Catalog
from game_server.district.footfall import HOUR_MS, hour_of, keys
from game_server.district.models import StreetFootfall
from game_server.kit.clock import utcnow
from game_server.kit.db import dialect_insert
from game_server.kit.pubsub import Backend
from game_server.kit.uow import unit_of_work

LOOKBACK_HOURS = 48


async def published_streets(sessions: async_sessionmaker[AsyncSession]) -> list[Street]:
    async with sessions() as session:
        loaded = await Catalog().reload(session)
    return [] if loaded is None else list(loaded.bundle.streets)


async def flush(
    sessions: async_sessionmaker[AsyncSession],
    backend: Backend,
    *,
    now: datetime | None = None,
    lookback_hours: int = LOOKBACK_HOURS,
) -> dict[str, Any]:
    """Copy the counts of the last hours to `street_footfall`; returns what it wrote."""
    now = now or utcnow()
    streets = await published_streets(sessions)
    last = hour_of(int(now.timestamp() * 1000))
    cells = [(s.city, s.slug, h) for s in streets for h in range(last - lookback_hours, last + 1)]
    distinct = [keys(*cell)[0] for cell in cells]
    counters = [k for cell in cells for k in keys(*cell)[1:]]
    players, values = await backend.tallies(distinct, counters)
    rows = []
    for i, (city, street, hour) in enumerate(cells):
        passes, dwell = values[2 * i], values[2 * i + 1]
        if players[i] or passes:
            at = datetime.fromtimestamp(hour * HOUR_MS / 1000, UTC)
            rows.append(
                {
                    "city": city,
                    "street": street,
                    "hour": at,
                    "players": players[i],
                    "passes": passes,
                    "dwell_s": dwell,
                    "updated_at": now,
                }
            )
    if rows:
        async with unit_of_work(sessions) as session:
            await upsert(session, rows)
    return {"streets": len(streets), "hours": lookback_hours + 1, "rows": len(rows)}


async def upsert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = dialect_insert(session, StreetFootfall).values(rows)
    larger = func.greatest if postgres else func.max
    excluded = insert.excluded
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["city", "street", "hour"],
            set_={
                "players": larger(StreetFootfall.players, excluded.players),
                "passes": larger(StreetFootfall.passes, excluded.passes),
                "dwell_s": larger(StreetFootfall.dwell_s, excluded.dwell_s),
                "updated_at": excluded.updated_at,
            },
        )
    )
