"""Migration 0031 on a played PostGIS database: each play day goes to the comune played in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from game_server import migrate
from tests.game_server.test_migration_comuni import _rows, _run
from tests.services import fresh_postgis_database, require_env

pytestmark = pytest.mark.postgis
PLAYER, LECCE_ONLY = uuid.uuid4(), uuid.uuid4()
DAYS = [date(2026, 11, d) for d in (20, 21, 22, 23)]

PLAYED = [
    *(
        "INSERT INTO content_versions (id, city, content_hash, author, published_at,"
        f" activated_at, bundle_json) VALUES ({i}, '{city}', '{c * 64}', 'ada', :at, :at, '')"
        for i, city, c in ((1, "lecce", "a"), (2, "bergamo", "b"))
    ),
    *(
        "INSERT INTO pois (version_id, slug, kind, name_it, name_en, radius_m, geom) VALUES"
        f" ({v}, '{slug}', 'square', '{slug}', '{slug}', 30,"
        " ST_GeomFromText('POINT(10 45)', 4326))"
        for v, slug in ((1, "duomo"), (2, "piazza_vecchia"))
    ),
    "INSERT INTO players (id, display_name, created_at) VALUES (:player, 'Ada', :at),"
    " (:lecce_only, 'Bea', :at)",
    # 20th: Lecce; 21st: Bergamo; 22nd: both (Bergamo's at 00:30 local, still the 21st in UTC);
    # 23rd: answers only (no visit).
    "INSERT INTO visits (player_id, poi, entered_ts_ms, visited_at) VALUES"
    " (:player, 'duomo', 1, '2026-11-20 10:00+00'),"
    " (:player, 'piazza_vecchia', 2, '2026-11-21 10:00+00'),"
    " (:player, 'piazza_vecchia', 3, '2026-11-21 23:30+00'),"
    " (:player, 'duomo', 4, '2026-11-22 15:00+00'),"
    " (:lecce_only, 'duomo', 5, '2026-11-20 10:00+00')",
    "INSERT INTO play_days (player_id, day) VALUES"
    " (:player, '2026-11-20'), (:player, '2026-11-21'), (:player, '2026-11-22'),"
    " (:player, '2026-11-23'), (:lecce_only, '2026-11-20')",
]
PARAMS = {"at": datetime(2026, 11, 20, tzinfo=UTC), "player": PLAYER, "lecce_only": LECCE_ONLY}


@pytest.fixture
def played() -> Iterator[str]:
    base = require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")
    for url in fresh_postgis_database(base):
        migrate.upgrade(url, "0030")
        asyncio.run(_run(url, PLAYED, PARAMS))
        yield url


def _days(url: str) -> set[tuple[object, ...]]:
    return set(asyncio.run(_rows(url, "SELECT player_id, city, day FROM play_days")))


def test_each_day_goes_to_the_comuni_of_its_visits_and_back(played: str) -> None:
    migrate.upgrade(played, "0031")
    assert _days(played) == {
        (PLAYER, "lecce", DAYS[0]),
        (PLAYER, "bergamo", DAYS[1]),
        (PLAYER, "bergamo", DAYS[2]),
        (PLAYER, "lecce", DAYS[2]),
        (PLAYER, "lecce", DAYS[3]),  # answers only: Lecce's, as before comuni
        (LECCE_ONLY, "lecce", DAYS[0]),
    }
    migrate.downgrade(played, "0030")
    assert set(asyncio.run(_rows(played, "SELECT player_id, day FROM play_days"))) == {
        *((PLAYER, day) for day in DAYS),
        (LECCE_ONLY, DAYS[0]),
    }
