"""Building one day's open-data release from 1,000,000 visit rows on PostGIS (target ≤ 10 s,
≤ 200 MB RSS).

A scratch PostGIS database, migrated, with the shipped content published; `--rows` visits of
one local day (default 1,000,000) by `--players` players (default 50,000) at the shipped sites,
loaded with COPY, then analysed. The build is what an operator runs, `lupiae opendata build
--date D`, in its own process: its wall time and peak RSS (getrusage of the child) are the
figures. The database is dropped afterwards.

    make bench-opendata   # LUPIAE_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Writes benchmarks/results/opendata.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content import load_bundle  # noqa: E402
from game_server import migrate  # noqa: E402
from tests.game_server.gateway.live import publish_shipped  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "opendata.json"
BASE_URL = os.environ.get(
    "LUPIAE_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
ZONE = ZoneInfo("Europe/Rome")


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _create(name: str) -> str:
    admin = await asyncpg.connect(_dsn(BASE_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    conn = await asyncpg.connect(_dsn(BASE_URL, name))
    await conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    await conn.close()
    return make_url(BASE_URL).set(database=name).render_as_string(hide_password=False)


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(_dsn(BASE_URL))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def _visits(day: date, rows: int, players: list[uuid.UUID], sites: list[str]):  # type: ignore[no-untyped-def]
    start = datetime.combine(day, dtime(8), ZONE).astimezone(UTC)
    rng = random.Random(19)
    for i in range(rows):
        at = start + timedelta(seconds=rng.randrange(14 * 3600))
        ts = int(start.timestamp() * 1000) + i  # distinct keys
        yield (players[i % len(players)], rng.choice(sites), ts, at, 120.0, None, False)


async def _load(url: str, day: date, rows: int, n_players: int) -> None:
    bundle = load_bundle(ROOT / "content").bundle
    assert bundle is not None
    sites = [p.slug for p in bundle.pois]
    players = [uuid.uuid4() for _ in range(n_players)]
    conn = await asyncpg.connect(_dsn(url))
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "players",
        records=[(p, "bench", now) for p in players],
        columns=["id", "display_name", "created_at"],
    )
    await conn.copy_records_to_table(
        "visits",
        records=_visits(day, rows, players, sites),
        columns=[
            "player_id",
            "poi",
            "entered_ts_ms",
            "visited_at",
            "dwell_s",
            "team_id",
            "reaction_pending",
        ],
    )
    await conn.execute("ANALYZE visits")
    await conn.close()


def _build(url: str, day: date) -> dict[str, object]:
    env = {**os.environ, "LUPIAE_DATABASE_URL": url, "LUPIAE_ENV": "development"}
    command = [
        sys.executable,
        "-m",
        "game_server.cli",
        "opendata",
        "build",
        "--date",
        day.isoformat(),
    ]
    started = time.perf_counter()
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "output": json.loads(out.stdout.strip().splitlines()[-1]),
    }


async def _prepare(name: str, day: date, rows: int, players: int) -> str:
    url = await _create(name)
    await asyncio.to_thread(migrate.upgrade, url)
    await publish_shipped(url)
    started = time.perf_counter()
    await _load(url, day, rows, players)
    print(f"loaded {rows:,} visits in {time.perf_counter() - started:.1f} s")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--players", type=int, default=50_000)
    args = parser.parse_args()
    day = datetime.now(ZONE).date() - timedelta(days=3)
    name = f"lupiae_bench_opendata_{uuid.uuid4().hex[:8]}"
    try:
        url = asyncio.run(_prepare(name, day, args.rows, args.players))
        build = _build(url, day)
    finally:
        asyncio.run(_drop(name))
    result = {
        "rows": args.rows,
        "players": args.players,
        "day": day.isoformat(),
        "build_seconds": build["seconds"],
        "peak_rss_mb": build["peak_rss_mb"],
        "command_cpu_seconds": build["cpu_seconds"],
        "build_in_command_seconds": build["output"]["seconds"],  # type: ignore[index]
        "targets": {"seconds": 10, "peak_rss_mb": 200},
        "target_met": build["seconds"] <= 10 and build["peak_rss_mb"] <= 200,  # type: ignore[operator]
        "release": build["output"],
        "machine": "2 vCPU shared with other jobs; PostgreSQL on the same machine",
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'rows':>12} {'build s':>8} {'peak RSS MB':>12} target met")
    print(
        f"{args.rows:>12,} {build['seconds']:>8} {build['peak_rss_mb']:>12} {result['target_met']}"
    )


if __name__ == "__main__":
    main()
