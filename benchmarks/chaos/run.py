"""Run the faults one after the other under load and judge each (see the package docstring)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.chaos.clients import Bot, Prober, Till
from benchmarks.chaos.report import report
from benchmarks.chaos.services import ROOT, Postgres, Redis, Worker, lupiae
from benchmarks.chaos.verdict import (
    Window,
    judge_answers,
    judge_closes,
    judge_events,
    judge_till,
    stored_events,
)
from benchmarks.redeem import seed
from game_server.migrate import upgrade
from game_server.simulate import fetch_sites

PORT_BASE = int(os.environ.get("CHAOS_PORT_BASE", "18700"))  # 18700-18799: this suite's ports
SECRET = "chaos-suite-secret-key-0123456789-abcdefghijkl"
WARM_UP_S = 15.0
SETTLE_S = 15.0
STOPPED_S = 20.0
REDIS_DOWN_S = 3.0
RECOVERY_LIMIT_S = 60.0


class Suite:
    def __init__(self, workdir: Path, bots: int) -> None:
        self.pg = Postgres(workdir, PORT_BASE + 10)
        self.redis = Redis(workdir, PORT_BASE + 11)
        env = {
            "LUPIAE_DATABASE_URL": self.pg.url,
            "LUPIAE_REDIS_URL": self.redis.url,
            "LUPIAE_SECRET_KEY": SECRET,
            "LUPIAE_ENV": "test",
            "LUPIAE_HEARTBEAT_S": "1",
            "LUPIAE_MAX_SOCKETS_PER_CLIENT": "100000",  # every phone is on loopback
            "LUPIAE_GUEST_SIGNUPS_PER_CLIENT": "100000",  # ... and signs up from there
            "LUPIAE_LOG_LEVEL": "warning",
        }
        self.env = env
        self.workers = [Worker(i, PORT_BASE + 20 + i, env, workdir) for i in range(2)]
        self.urls = [w.url for w in self.workers]
        self.n_bots = bots
        self.bots: list[Bot] = []
        self.windows: list[Window] = []
        self.till: Till | None = None
        self.prober: Prober | None = None

    async def start(self) -> None:
        self.pg.init()
        self.pg.start()
        await self.pg.create_database()
        self.redis.start()
        await asyncio.to_thread(upgrade, self.pg.url)
        lupiae("content", "publish", str(ROOT / "content"), "--author", "chaos", env=self.env)
        for worker in self.workers:
            worker.start()
        for worker in self.workers:
            await worker.wait_ready()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()
        self.pg.stop()

    async def players(self) -> None:
        rng = random.Random(23)
        async with httpx.AsyncClient(timeout=10) as http:
            for i in range(self.n_bots + 1):
                body = (await http.post(f"{self.urls[i % 2]}/v1/auth/guest")).json()
                if i == self.n_bots:
                    self.prober = Prober(self.urls, body["access_token"])
                    break
                bot = Bot(
                    f"bot-{i}",
                    body["access_token"],
                    body["player_id"],
                    self.urls,
                    random.Random(rng.random()),
                    prefer=i % 2,
                )
                self.bots.append(bot)
        api_key, codes = await seed(self.pg.url, 2000)
        self.till = Till(self.urls, api_key, codes)

    # -- recovery ------------------------------------------------------------------------

    async def recovered(self, since: float, killed: Worker | None) -> bool:
        assert self.till is not None
        assert self.prober is not None
        if not all(b.connected and b.last_pong > since for b in self.bots):
            return False
        if self.till.last_ok <= since or self.prober.last_ok <= since:
            return False
        live = [w for w in self.workers if w is not killed]
        return all(await asyncio.gather(*(w.ready() for w in live)))

    async def fault(self, name: str, inject: Callable[[], Awaitable[Worker | None]]) -> Window:
        window = Window(name, time.time())
        if self.windows:
            self.windows[-1].closed_at = window.started_at
        self.windows.append(window)
        killed = await inject()
        window.ended_at = time.time()
        deadline = window.ended_at + RECOVERY_LIMIT_S
        while not await self.recovered(window.ended_at, killed) and time.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        window.recovered_at = time.time()
        print(f"  {name}: recovered in {window.recovery_s:.1f} s", flush=True)
        if killed is not None:
            await killed.wait_ready()
        await asyncio.sleep(SETTLE_S)
        return window

    # -- the faults ------------------------------------------------------------------------

    async def kill_worker(self) -> Worker | None:
        victim = self.workers[0]
        victim.kill()
        victim.start()  # as a supervisor would (systemd Restart=always)
        return victim

    async def stop_worker(self) -> Worker | None:
        victim = self.workers[1]
        victim.signal(signal.SIGSTOP)
        await asyncio.sleep(STOPPED_S)
        victim.signal(signal.SIGCONT)
        return None

    async def restart_redis(self) -> Worker | None:
        self.redis.stop()
        await asyncio.sleep(REDIS_DOWN_S)
        self.redis.start()
        return None

    async def restart_postgres(self, mode: str) -> Worker | None:
        await asyncio.to_thread(self.pg.restart, mode)
        return None

    async def scenario(self) -> None:
        # The baseline starts once every bot is in (40 first connects and their quests' auto-
        # start on a busy machine are not a steady state).
        deadline = time.time() + RECOVERY_LIMIT_S
        while not all(b.connected for b in self.bots) and time.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        self.windows.append(Window("steady", time.time()))
        await asyncio.sleep(WARM_UP_S)
        await self.fault("worker kill -9", self.kill_worker)
        await self.fault("worker SIGSTOP 20 s", self.stop_worker)
        await self.fault("Redis restart", self.restart_redis)
        await self.fault("PostgreSQL fast restart", lambda: self.restart_postgres("fast"))
        await self.fault("PostgreSQL immediate restart", lambda: self.restart_postgres("immediate"))
        self.windows[-1].closed_at = time.time() + 3600  # events of the final catch-up

    async def play(self) -> None:
        assert self.till is not None
        assert self.prober is not None
        sites = await fetch_sites(self.urls[0])
        stop_at = time.time() + 3600
        clients = [asyncio.create_task(b.run(sites, stop_at)) for b in self.bots]
        clients.append(asyncio.create_task(self.till.run(stop_at)))
        clients.append(asyncio.create_task(self.prober.run(stop_at)))
        try:
            await self.scenario()
            await self.catch_up()
        finally:
            for client in clients:
                client.cancel()
            await asyncio.gather(*clients, return_exceptions=True)

    async def catch_up(self) -> None:
        """Let every bot receive what was stored (each is connected and catches up itself)."""
        stored = await stored_events(_dsn(self.pg.url))
        await asyncio.gather(
            *(
                b.sync(max((e.seq for e in stored.get(b.player_id, [])), default=0), 20)
                for b in self.bots
            )
        )

    async def judge(self) -> dict[str, Any]:
        assert self.till is not None
        assert self.prober is not None
        dsn = _dsn(self.pg.url)
        judge_events(self.bots, await stored_events(dsn), self.windows)
        judge_answers(self.till.answers, self.windows, "till")
        judge_answers(self.prober.answers, self.windows, "REST")
        judge_closes(self.bots, self.windows)
        lost_redemptions = await judge_till(self.till, dsn)
        return await report(self, lost_redemptions, dsn)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _main(bots: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="lupiae-chaos-"))
    os.chmod(workdir, 0o755)  # the postgres user runs the cluster inside
    suite = Suite(workdir, bots)
    started = time.monotonic()
    try:
        print(
            f"chaos: own PostgreSQL on {suite.pg.port}, Redis on {suite.redis.port}, "
            f"workers on {[w.port for w in suite.workers]}; logs in {workdir}",
            flush=True,
        )
        await suite.start()
        await suite.players()
        print(f"chaos: {bots} bots and a till playing; faults follow", flush=True)
        await suite.play()
        result = await suite.judge()
    finally:
        suite.stop()
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    out = ROOT / "benchmarks" / "results" / "chaos.json"
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"written {out.relative_to(ROOT)} in {result['elapsed_s']} s")
    return 0 if result["passed"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bots", type=int, default=int(os.environ.get("CHAOS_BOTS", "40")))
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_main(args.bots))
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
