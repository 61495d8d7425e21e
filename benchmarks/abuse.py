"""Honest bots through the shipped coupon quests: how many coupons would anti-cheat cost them?

`make bench-abuse` (or `.venv/bin/python benchmarks/abuse.py --bots 200`) signs up BOTS guests,
each from its own client, and walks each through one shipped coupon quest like the `simulate`
bots (1.4 m/s, 4 m of GPS noise, a fix a second, uploaded every 5 s), quizzes answered at the
site; the team quest is walked by teams of three. The server is the real application on a
scratch PostGIS database and Redis, in this process, with its clock injected and moved with the
walk (a Saturday evening, so that every shipped quest is open): twenty minutes of walking take
a few minutes. The quests' rewards are then counted: every coupon should be issued; one held,
withheld or missing is a false positive.

    LUPIAE_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres (default)
    LUPIAE_BENCH_REDIS_URL=redis://127.0.0.1:6379/0 (default; its visit fingerprints are reset)

Writes benchmarks/results/abuse.json; exits 1 if any coupon was held, withheld or lost.
The walking harness is the one of tests/abuse/ (tests/abuse/walkers.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game_server import migrate  # noqa: E402
from game_server.kit.clock import utcnow  # noqa: E402
from game_server.kit.settings import Environment  # noqa: E402
from game_server.settings import Settings  # noqa: E402
from tests.abuse.test_clocked import BUNDLE, forget_visit_prints  # noqa: E402
from tests.abuse.walkers import (  # noqa: E402
    FakeClock,
    Walker,
    outcome,
    plan,
    saturday_evening,
    sign_up,
    team_up,
    walk_together,
)
from tests.game_server.gateway.live import publish_shipped, serving  # noqa: E402
from tests.services import fresh_postgis_database  # noqa: E402

DATABASE_URL = os.environ.get(
    "LUPIAE_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("LUPIAE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PORT = int(os.environ.get("LUPIAE_BENCH_PORT", "18510"))
RESULTS = ROOT / "benchmarks" / "results" / "abuse.json"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"


def settings_for(url: str) -> Settings:
    return Settings.model_validate(
        {
            "env": Environment.TEST,
            "database_url": url,
            "redis_url": REDIS_URL,
            "secret_key": SECRET,
            "log_level": "warning",
            # The frame budget is per wall-clock second: the walk's minutes pass in seconds.
            "frames_per_s": 100_000,
            "frames_burst": 100_000,
            # One load generator signs every bot up (each with its own X-Forwarded-For).
            "guest_signups_per_client": 1_000_000,
            # ... and opens every bot's socket from one address (loopback).
            "max_sockets_per_client": 100_000,
            # The sockets live through the whole walk, which on a loaded machine takes longer
            # in real time than an access token (15 minutes): one day.
            "access_token_ttl_s": 86_400,
        }
    )


async def bots_for(
    base: str, count: int, rng: random.Random, *, teams: bool = True
) -> list[Walker]:
    """`count` walkers spread over the coupon quests in turn (teams of three for the team
    quest, unless `teams` is False), each signed up from its own client."""
    quests = [
        q
        for q in BUNDLE.quests
        if q.rewards.coupon and (teams or not any(s.kind == "team" for s in q.steps))
    ]
    walkers: list[Walker] = []
    added = True
    while added:
        added = False
        for quest in quests:
            size = 3 if any(s.kind == "team" for s in quest.steps) else 1
            if len(walkers) + size > count:
                continue
            group = []
            for _ in range(size):
                fixes, answers = plan(BUNDLE, quest, rng)
                group.append(Walker(quest, await sign_up(base), fixes, answers))
            if size > 1:
                await team_up(base, [w.token for w in group])
            walkers += group
            added = True
    return walkers


async def run(url: str, count: int, seed: int, *, teams: bool = True) -> dict[str, Any]:
    await publish_shipped(url)
    await forget_visit_prints(REDIS_URL)
    clock = FakeClock(saturday_evening(utcnow()))
    async with serving(settings_for(url), clock=clock, port=PORT) as (host, _):
        base = f"http://{host}"
        walkers = await bots_for(base, count, random.Random(seed), teams=teams)
        started = time.monotonic()
        await walk_together(host, clock, walkers, settle_s=120.0)
        wall_s = time.monotonic() - started
    return summarise(walkers, wall_s, seed)


def summarise(walkers: list[Walker], wall_s: float, seed: int) -> dict[str, Any]:
    per_quest: dict[str, Counter[str]] = {}
    rejections: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for w in walkers:
        got = outcome(w)
        tally = per_quest.setdefault(w.quest.slug, Counter())
        tally["bots"] += 1
        tally["completed"] += got["completed"]
        tally[got["coupon"] or "missing"] += 1
        rejections.update(got["rejections"])
        others.update(got["other_frames"])
    totals: Counter[str] = Counter()
    for tally in per_quest.values():
        totals.update(tally)
    walked_s = max(w.duration_s for w in walkers)
    return {
        "bots": len(walkers),
        "seed": seed,
        "coupons_issued": totals["issued"],
        "coupons_held": totals["held"],
        "coupons_withheld": totals["withheld"],
        "coupons_missing": totals["missing"],
        "false_positives": totals["held"] + totals["withheld"] + totals["missing"],
        "quests_completed": totals["completed"],
        "rejection_notices": dict(rejections),
        "other_frames": dict(others),  # error frames (e.g. a refused answer), by code
        "walked_s": walked_s,
        "wall_s": round(wall_s, 1),
        "per_quest": {slug: dict(t) for slug, t in sorted(per_quest.items())},
    }


def show(result: dict[str, Any]) -> None:
    print(f"{'quest':<24}{'bots':>6}{'done':>6}{'issued':>8}{'held':>6}{'withheld':>10}{'lost':>6}")
    for slug, t in result["per_quest"].items():
        print(
            f"{slug:<24}{t.get('bots', 0):>6}{t.get('completed', 0):>6}{t.get('issued', 0):>8}"
            f"{t.get('held', 0):>6}{t.get('withheld', 0):>10}{t.get('missing', 0):>6}"
        )
    print(
        f"{result['bots']} honest bots, {result['walked_s']} s of walking in {result['wall_s']} s: "
        f"{result['coupons_issued']} coupons issued, {result['coupons_held']} held, "
        f"{result['coupons_withheld']} withheld, {result['coupons_missing']} lost; "
        f"rejection notices {result['rejection_notices'] or 'none'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-teams", action="store_true", help="leave the team quest out")
    args = parser.parse_args()
    for url in fresh_postgis_database(DATABASE_URL):
        migrate.upgrade(url)
        result = asyncio.run(run(url, args.bots, args.seed, teams=not args.no_teams))
    show(result)
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 1 if result["false_positives"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
