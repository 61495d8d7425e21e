"""The fast statement for the default cap (PostgreSQL) counts exactly what the general one
does: each player's first visit per site, their first `max_sites` sites in slug order."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest

from game_server.kit.db import make_engine, make_session_factory
from game_server.opendata.aggregate import day_bounds, hourly_counts
from game_server.players.models import Player
from quests.models import Visit
from tests.conftest import truncate_all

pytestmark = pytest.mark.postgis

DAY = date(2026, 11, 27)
SITES = ["duomo", "porta_napoli", "porta_rudiae", "sedile", "teatro_romano", "villa"]


async def test_the_fast_statement_counts_what_the_general_one_does(postgis_url: str) -> None:
    await truncate_all(postgis_url)
    engine = make_engine(postgis_url)
    sessions = make_session_factory(engine)
    rng = random.Random(19)
    start, _ = day_bounds(DAY, "Europe/Rome")
    try:
        async with sessions() as session:
            for p in range(120):
                player = Player(id=uuid.uuid4(), display_name=f"p{p}")
                session.add(player)
                await session.flush()
                for v in range(rng.randrange(1, 14)):
                    at = start + timedelta(seconds=rng.randrange(-3600, 25 * 3600))
                    session.add(
                        Visit(
                            player_id=player.id,
                            # a site of another comune, or none any more, now and then
                            poi=rng.choice([*SITES, "duomo_di_bergamo"]),
                            entered_ts_ms=int(at.timestamp() * 1000) + v,
                            visited_at=at,
                            dwell_s=60.0,
                        )
                    )
            await session.commit()
        for max_sites in (1, 3, 10):
            async with sessions() as session:
                args = (session, DAY, "Europe/Rome", SITES)
                fast = await hourly_counts(*args, cap=1, max_sites=max_sites)
                general = await hourly_counts(*args, cap=1, max_sites=max_sites, general=True)
            assert fast == general, max_sites
            assert sum(fast.values()) > 0
            assert {site for site, _ in fast} <= set(SITES)
    finally:
        await engine.dispose()
