"""Migration 0008 on a played PostGIS database: everything becomes comune `lecce`, nothing lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import text

from content import load_bundle
from content.model import LECCE, Bundle
from game_server import migrate
from game_server.kit.db import make_engine
from tests.paths import CONTENT, ROOT
from tests.services import fresh_postgis_database, require_env

pytestmark = pytest.mark.postgis
BEFORE = ("0005", "0006", "0017", "0019", "0020", "0023", "0024")  # the heads before comuni
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PLAYER, STAFF, MERCHANT, COUPON = (uuid.uuid4() for _ in range(4))
TABLES = (
    "content_versions", "pois", "players", "visits", "quest_runs", "quest_completions",
    "xp_awards", "xp_scores", "merchants", "coupons", "staff_accounts", "audit_log",
)  # fmt: skip


@pytest.fixture
def old_database() -> Iterator[str]:
    base = require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")
    for url in fresh_postgis_database(base):
        for head in BEFORE:
            migrate.upgrade(url, head)
        yield url


def _old_bundle_json() -> bytes:
    """Lecce's content as the release before comuni stored it: no `cities`, no `city`."""
    result = load_bundle(CONTENT / "lecce")
    assert result.bundle is not None
    data = result.bundle.model_dump(mode="json")
    del data["cities"]
    for kind in ("areas", "pois", "quests", "badges", "coupons", "merchants"):
        for item in data[kind]:
            del item["city"]
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


PLAYED = [
    "INSERT INTO content_versions (id, content_hash, author, published_at, activated_at,"
    " bundle_json) VALUES (1, :hash, 'ada', :now, :now, :bundle)",
    "INSERT INTO pois (version_id, slug, kind, name_it, name_en, radius_m, geom) VALUES"
    " (1, 'duomo', 'cathedral', 'Duomo', 'Cathedral', 30,"
    " ST_GeomFromText('POINT(18.16 40.35)', 4326))",
    "INSERT INTO players (id, display_name, created_at) VALUES (:player, 'Ada', :now)",
    "INSERT INTO visits (player_id, poi, entered_ts_ms, visited_at)"
    " VALUES (:player, 'duomo', 1, :now)",
    "INSERT INTO quest_runs (player_id, quest, run_no, started_at, auto)"
    " VALUES (:player, 'porte-della-citta', 1, :now, false)",
    "INSERT INTO quest_completions (player_id, quest, run_no, completed_at)"
    " VALUES (:player, 'porte-della-citta', 1, :now)",
    "INSERT INTO xp_awards (player_id, reason, xp, awarded_at)"
    " VALUES (:player, 'quest:porte-della-citta:1', 150, :now)",
    "INSERT INTO xp_scores (board, member, score) VALUES ('players:alltime', :member, 150)",
    "INSERT INTO merchants (id, slug, name, category, street, lat, lon, geom, demo, created_at)"
    " VALUES (:merchant, 'bar-della-piazza-demo', 'Bar', 'cafe', 'Piazza', 40.35, 18.17,"
    " ST_GeomFromText('POINT(18.17 40.35)', 4326), true, :now)",
    "INSERT INTO coupons (id, code, player_id, template_slug, merchant_slug, offer_it, offer_en,"
    " reason, state, issued_at) VALUES (:coupon, 'ABCD23456', :player, 'caffe-in-piazza',"
    " 'bar-della-piazza-demo', 'Caffè', 'Coffee', 'quest:porte-della-citta:1', 'issued', :now)",
    "INSERT INTO staff_accounts (id, email, role, password_hash, created_at)"
    " VALUES (:staff, 'ada@comune.lecce.it', 'curator', 'x', :now)",
    "INSERT INTO audit_log (at, actor, role, action, target, status)"
    " VALUES (:now, 'cli:ada', NULL, 'content.publish', 'content:1', 201)",
]


async def _run(url: str, statements: list[str], params: dict[str, object]) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement), params)
    await engine.dispose()


async def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        rows = [tuple(row) for row in await connection.execute(text(query))]
    await engine.dispose()
    return rows


def _count(url: str) -> dict[str, int]:
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES)
    return {str(t): int(n) for t, n in asyncio.run(_rows(url, query))}  # type: ignore[call-overload]


def test_a_played_database_moves_into_lecce_with_nothing_lost(old_database: str) -> None:
    bundle = _old_bundle_json()
    params = {
        "hash": "f" * 64, "now": NOW, "bundle": bundle, "player": PLAYER, "member": str(PLAYER),
        "merchant": MERCHANT, "coupon": COUPON, "staff": STAFF,
    }  # fmt: skip
    asyncio.run(_run(old_database, PLAYED, params))
    before = _count(old_database)
    assert all(before.values())

    migrate.upgrade(old_database)  # to the single head

    assert _count(old_database) == before
    [(city, stored)] = asyncio.run(
        _rows(old_database, "SELECT city, bundle_json FROM content_versions")
    )
    migrated = Bundle.model_validate_json(bytes(stored))  # type: ignore[arg-type]
    assert city == "lecce"
    # A migration is frozen: it names Lecce as city.yaml described it then (before istat_code).
    assert migrated.cities == [LECCE.model_copy(update={"istat_code": None})]
    lecce = load_bundle(CONTENT / "lecce").bundle
    assert lecce is not None
    # every item kept, now naming its comune
    assert migrated.model_copy(update={"cities": lecce.cities}) == lecce
    assert asyncio.run(_rows(old_database, "SELECT city FROM merchants")) == [("lecce",)]
    assert asyncio.run(_rows(old_database, "SELECT city, state FROM coupons")) == [
        ("lecce", "issued")
    ]
    grants = asyncio.run(_rows(old_database, "SELECT staff_id, city, role FROM staff_grants"))
    assert grants == [(STAFF, "lecce", "curator")]
    assert asyncio.run(_rows(old_database, "SELECT score FROM xp_scores")) == [(150,)]
    migrate.check(old_database)


def test_workers_started_together_migrate_one_at_a_time() -> None:
    """compose.yaml starts N workers that each run `lupiae db upgrade` on the same database."""
    base = require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")
    for url in fresh_postgis_database(base):
        env = {**os.environ, "LUPIAE_DATABASE_URL": url}
        command = [sys.executable, "-m", "game_server.cli", "db", "upgrade"]
        runs = [
            subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE) for _ in range(3)
        ]
        for run in runs:
            _, err = run.communicate(timeout=300)
            assert run.returncode == 0, err.decode()  # none met a table another had just made
        migrate.check(url)
