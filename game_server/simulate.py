"""`lupiae simulate`: bots that walk real routes through the old town, for demos and load.

Each bot signs up as a guest, opens `/v1/play`, and walks between heritage sites of the
published content at walking speed, standing at each for a while, sending one noisy fix per
second. Latency is measured for fence events: from the device time of the fix that caused the
event to its arrival.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from game_server.kit.cli_errors import UserError

WALK_MPS = 1.4
GPS_SIGMA_M = 4.0
METRES_PER_DEG_LAT = 111_320.0


@dataclass
class Site:
    slug: str
    lat: float
    lon: float


@dataclass
class Stats:
    connected: int = 0
    fixes: int = 0
    errors: int = 0
    events: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    def line(self, elapsed_s: float) -> str:
        lat = sorted(self.latencies_ms[-5000:])
        p50 = f"{_pct(lat, 50):.0f}" if lat else "-"
        p99 = f"{_pct(lat, 99):.0f}" if lat else "-"
        kinds = " ".join(f"{k}={v}" for k, v in sorted(self.events.items()))
        return (
            f"[{elapsed_s:6.0f}s] bots {self.connected:5d}  fixes {self.fixes:8d}  "
            f"latency p50 {p50} ms p99 {p99} ms  errors {self.errors}  {kinds}"
        )


def _pct(values: list[float], pct: float) -> float:
    index = min(len(values) - 1, max(0, math.ceil(pct / 100 * len(values)) - 1))
    return values[index]


def route(sites: list[Site], rng: random.Random, stops: int) -> list[Site]:
    return rng.sample(sites, k=min(stops, len(sites)))


def walk(
    start: Site, end: Site, rng: random.Random, *, dwell_s: int
) -> list[tuple[float, float, float]]:
    """One fix per second: (lat, lon, accuracy) from `start` to `end`, then standing at `end`."""
    dy = (end.lat - start.lat) * METRES_PER_DEG_LAT
    dx = (end.lon - start.lon) * METRES_PER_DEG_LAT * math.cos(math.radians(start.lat))
    steps = max(1, int(math.hypot(dx, dy) / WALK_MPS))
    points = [
        (
            start.lat + (end.lat - start.lat) * i / steps,
            start.lon + (end.lon - start.lon) * i / steps,
        )
        for i in range(steps + 1)
    ]
    points += [(end.lat, end.lon)] * dwell_s
    return [_noisy(lat, lon, rng) for lat, lon in points]


def _noisy(lat: float, lon: float, rng: random.Random) -> tuple[float, float, float]:
    north, east = rng.gauss(0, GPS_SIGMA_M), rng.gauss(0, GPS_SIGMA_M)
    lat += north / METRES_PER_DEG_LAT
    lon += east / (METRES_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat, lon, round(rng.uniform(5, 15), 1)


async def fetch_sites(base_url: str) -> list[Site]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.get("/v1/pois")
        response.raise_for_status()
    return [
        Site(
            f["properties"]["slug"],
            f["geometry"]["coordinates"][1],
            f["geometry"]["coordinates"][0],
        )
        for f in response.json()["features"]
        if f["geometry"]["type"] == "Point" and not f["properties"].get("outside_walls")
    ]


async def _reachable_sites(base_url: str) -> list[Site]:
    """The server's sites, or a UserError saying in one line why they cannot be had."""
    try:
        sites = await fetch_sites(base_url)
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        raise UserError(
            f"{base_url} answered {status} to GET /v1/pois: is it a Lupiae server "
            "with published content?"
        ) from None
    except (httpx.HTTPError, OSError) as exc:
        reason = str(exc).strip() or type(exc).__name__
        raise UserError(f"cannot reach the server at {base_url}: {reason}") from None
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{base_url}/v1/pois did not answer with Lupiae sites") from None
    if len(sites) < 2:
        raise UserError(f"{base_url} publishes fewer than two sites inside the walls")
    return sites


async def bot(
    base_url: str, sites: list[Site], stats: Stats, rng: random.Random, stop_at: float
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        response = await http.post("/v1/auth/guest")
        response.raise_for_status()
        token = response.json()["access_token"]
    ws_url = base_url.replace("http", "ws", 1) + "/v1/play"
    async with connect(ws_url, compression=None, open_timeout=30, max_size=2**20) as ws:
        await ws.send(orjson.dumps({"type": "hello", "token": token}).decode())
        stats.connected += 1
        try:
            reader = asyncio.create_task(_read(ws, stats))
            await _walk_route(ws, sites, stats, rng, stop_at)
        finally:
            stats.connected -= 1
            reader.cancel()


async def _walk_route(
    ws: Any, sites: list[Site], stats: Stats, rng: random.Random, stop_at: float
) -> None:
    stops = route(sites, rng, 6)
    await asyncio.sleep(rng.random())  # spread the bots over the second
    last_ts = 0
    for start, end in itertools.pairwise(stops):
        for lat, lon, accuracy in walk(start, end, rng, dwell_s=rng.randint(25, 45)):
            if time.monotonic() >= stop_at:
                return
            # Device time moves on by at least a second per fix, as a phone's GPS does.
            last_ts = max(int(time.time() * 1000), last_ts + 1000)
            fix = {"type": "position", "lat": lat, "lon": lon, "accuracy": accuracy, "ts": last_ts}
            await ws.send(orjson.dumps(fix).decode())
            stats.fixes += 1
            await asyncio.sleep(1.0)


async def _read(ws: Any, stats: Stats) -> None:
    async for raw in ws:
        frame = orjson.loads(raw)
        if frame.get("type") == "event":
            stats.events[frame["kind"]] += 1
            ts = frame["data"].get("ts")
            if frame["kind"].startswith("poi.") and isinstance(ts, int):
                stats.latencies_ms.append(time.time() * 1000 - ts)
        elif frame.get("type") == "error":
            stats.errors += 1


async def simulate(base_url: str, players: int, duration_s: float, seed: int) -> Stats:
    sites = await _reachable_sites(base_url)
    stats = Stats()
    started = time.monotonic()
    stop_at = started + duration_s
    rng = random.Random(seed)
    tasks = [
        asyncio.create_task(
            _guarded(bot(base_url, sites, stats, random.Random(rng.random()), stop_at), stats)
        )
        for _ in range(players)
    ]
    progress = asyncio.create_task(_progress(stats, started))
    await asyncio.gather(*tasks)
    progress.cancel()
    print(stats.line(time.monotonic() - started))
    return stats


async def _guarded(coro: Any, stats: Stats) -> None:
    try:
        await coro
    except (OSError, WebSocketException, httpx.HTTPError) as exc:
        stats.errors += 1
        print(f"bot stopped: {exc}", file=sys.stderr)


async def _progress(stats: Stats, started: float) -> None:
    end = "\r" if sys.stdout.isatty() else "\n"
    while True:
        await asyncio.sleep(1.0)
        print(stats.line(time.monotonic() - started), end=end, flush=True)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = commands.add_parser(
        "simulate", help="bots walking real routes through the old town (demo and load)"
    )
    sim.add_argument("--players", type=_positive, default=10, help="number of bots (default 10)")
    sim.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
    sim.add_argument("--duration", type=_seconds, default=120.0, help="seconds (default 120)")
    sim.add_argument("--seed", type=int, default=1, help="random seed for routes and noise")
    sim.set_defaults(handler=_run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of at least 1")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _run(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        raise UserError(f"--url must start with http:// or https://, got {args.url!r}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(simulate(args.url.rstrip("/"), args.players, args.duration, args.seed))
    return 0
