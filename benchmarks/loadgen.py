"""The gateway benchmark's load generator, run in its own process.

Opens one socket per token, then sends one position per socket per second, each on its own
schedule (device time = the scheduled send time), along real routes between Lecce sites.
Latency of an event = arrival time − device time of the fix that caused it.

The first `warmup_s` of load are not measured. Every bot starts with a fresh tracker, so the
first fix of each bot standing at a site enters it at the same moment, and its visit follows a
dwell later: a thundering herd no city produces in steady state. The parent is told when the
measured window starts and ends (to read the server's CPU then), and only fixes sent inside it
count, for the rate and for the latencies.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import random
import time
from multiprocessing.connection import Connection
from typing import Any

import orjson
from websockets.asyncio.client import connect

from game_server.simulate import Site, walk

RAMP_PER_S = 400
SITES = [
    Site("porta_napoli", 40.356503, 18.168469),
    Site("duomo", 40.35167, 18.16944),
    Site("piazza_sant_oronzo", 40.35274, 18.17271),
    Site("basilica_santa_croce", 40.35395, 18.17356),
    Site("porta_rudiae", 40.351345, 18.164581),
    Site("san_matteo", 40.35058, 18.17197),
    Site("santa_chiara", 40.35180, 18.17120),
    Site("porta_san_biagio", 40.349949, 18.173484),
]


def run(
    pipe: Connection,
    target: str,
    url: str,
    tokens: list[str],
    duration_s: float,
    warmup_s: float,
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_main(pipe, target, url, tokens, duration_s, warmup_s))


def _route(rng: random.Random) -> list[tuple[float, float, float]]:
    """A closed walk through four sites (back to the first), so a bot never teleports."""
    stops = rng.sample(SITES, 4)
    fixes = []
    for a, b in itertools.pairwise([*stops, stops[0]]):
        fixes += walk(a, b, rng, dwell_s=rng.randint(25, 40))
    offset = rng.randrange(len(fixes))  # start somewhere along the route: a steady state
    return fixes[offset:] + fixes[:offset]


async def _main(
    pipe: Connection,
    target: str,
    url: str,
    tokens: list[str],
    duration_s: float,
    warmup_s: float,
) -> None:
    # Routes first (~4 ms of CPU each): built after connecting, they blocked this loop for 20 s
    # at the start of the load, and the servers closed most sockets on keepalive timeouts.
    rng = random.Random(42)
    routes = [_route(rng) for _ in tokens]
    sockets = await _connect_all(target, url, tokens)
    pipe.send({"connected": len(sockets), "failed": len(tokens) - len(sockets)})
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    start = time.time() + 0.5
    window = (start + warmup_s, start + warmup_s + duration_s)
    stats: dict[str, Any] = {
        "sent": 0,
        "received": 0,
        "events": 0,
        "latencies_ms": [],
        "window": window,
    }
    tasks = [
        asyncio.create_task(
            _player(ws, target, route, start + rng.random(), warmup_s + duration_s, stats)
        )
        for ws, route in zip(sockets, routes, strict=False)
    ]
    for at, phase in zip(window, ("measure", "done"), strict=True):
        await asyncio.sleep(max(0.0, at - time.time()))
        pipe.send(phase)
    ended = await asyncio.gather(*tasks, return_exceptions=True)
    # A bot whose socket closed under it stops sending: say how many, and why.
    stats["bots_lost"] = dict(
        collections.Counter(
            f"{type(e).__name__}: {str(e)[:60]}… ({'; '.join(getattr(e, '__notes__', []))})"
            for e in ended
            if isinstance(e, BaseException)
        )
    )
    for ws in sockets:
        await ws.close()
    pipe.send(stats)


async def _connect_all(target: str, url: str, tokens: list[str]) -> list[Any]:
    sockets: list[Any] = []
    sem = asyncio.Semaphore(64)

    async def one(token: str) -> None:
        async with sem:
            try:
                ws = await connect(url, compression=None, open_timeout=60, max_queue=64)
                if target == "game":
                    await ws.send(orjson.dumps({"type": "hello", "token": token}).decode())
                    while orjson.loads(await ws.recv())["type"] != "welcome":
                        pass
                sockets.append(ws)
            except Exception:
                return
            await asyncio.sleep(0)

    batch = []
    for i, token in enumerate(tokens):
        batch.append(asyncio.create_task(one(token)))
        if i % RAMP_PER_S == RAMP_PER_S - 1:
            await asyncio.sleep(1)
    await asyncio.gather(*batch)
    return sockets


async def _player(
    ws: Any,
    target: str,
    route: list[tuple[float, float, float]],
    first_s: float,
    duration_s: float,
    stats: dict[str, Any],
) -> None:
    reader = asyncio.create_task(_read(ws, target, stats))
    try:
        for k in range(int(duration_s)):
            at = first_s + k
            await asyncio.sleep(max(0.0, at - time.time()))
            lat, lon, accuracy = route[k % len(route)]
            fix = {
                "type": "position",
                "lat": lat,
                "lon": lon,
                "accuracy": accuracy,
                "ts": int(at * 1000),
            }
            try:
                await ws.send(orjson.dumps(fix).decode())
            except Exception as exc:
                # When, from the start of the load: during the warm-up, or in the window.
                exc.add_note(f"{k // 10 * 10}–{k // 10 * 10 + 10} s into the load")
                raise
            if stats["window"][0] <= at < stats["window"][1]:
                stats["sent"] += 1
        await asyncio.sleep(1.0)  # let the last events arrive
    finally:
        reader.cancel()


async def _read(ws: Any, target: str, stats: dict[str, Any]) -> None:
    async for raw in ws:
        # Frames that arrive in the measured window only: the servers' CPU is measured over
        # that window, and the echo's CPU per message divides by this count. (Counting the
        # warm-up too, as before, made the echo look 2.5 times cheaper than it is.)
        if stats["window"][0] <= time.time() < stats["window"][1]:
            stats["received"] += 1
        if target != "game":
            continue
        frame = orjson.loads(raw)
        if frame.get("type") == "event" and frame["kind"].startswith("poi."):
            fix_s = frame["data"]["ts"] / 1000
            if stats["window"][0] <= fix_s < stats["window"][1]:
                stats["events"] += 1
                stats["latencies_ms"].append(time.time() * 1000 - frame["data"]["ts"])
