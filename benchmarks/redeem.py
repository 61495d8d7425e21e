"""Merchant redemption latency on PostGIS at a fixed arrival rate (SPEC §5: p99 ≤ 25 ms at 200/s).

A real `lupiae serve` (uvicorn, one worker) on a scratch PostGIS database, and an open-loop load
generator on keep-alive connections: request i is due at start + i / rate whether or not the
earlier ones have answered, and its latency counts from when it was due (no coordinated
omission). Every request redeems a distinct coupon with its own Idempotency-Key.

    make bench-redeem            # or: .venv/bin/python benchmarks/redeem.py --rate 200 --seconds 25
    LUPIAE_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres (default)

Writes benchmarks/results/redeem.json: {"rps": …, "p50_ms": …, "p99_ms": …}.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import orjson
from sqlalchemy import insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content import load_bundle  # noqa: E402
from game_server import migrate  # noqa: E402
from game_server.db import make_engine, make_session_factory  # noqa: E402
from game_server.players.models import Player  # noqa: E402
from rewards import codes  # noqa: E402
from rewards.merchants import MerchantService, MerchantSpec, district_of  # noqa: E402
from rewards.models import Coupon  # noqa: E402
from rewards.repository import MerchantRepository  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "redeem.json"
BASE_URL = os.environ.get(
    "LUPIAE_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
MERCHANT = "bar-della-piazza-demo"
TARGET_P99_MS = 25.0


def _admin_dsn(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(False)


async def create_database(name: str) -> str:
    admin = await asyncpg.connect(_admin_dsn(BASE_URL, make_url(BASE_URL).database or "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    connection = await asyncpg.connect(_admin_dsn(BASE_URL, name))
    await connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    await connection.close()
    return make_url(BASE_URL).set(database=name).render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(_admin_dsn(BASE_URL, make_url(BASE_URL).database or "postgres"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def seed(url: str, count: int) -> tuple[str, list[str]]:
    """A merchant of the shipped content and `count` coupons for it; returns key and codes."""
    bundle = load_bundle(ROOT / "content").bundle
    assert bundle is not None, "content/ does not validate"
    known = next(m for m in bundle.merchants if m.slug == MERCHANT)
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        service = MerchantService(MerchantRepository(session), actor="benchmark")
        spec = MerchantSpec(
            slug=known.slug,
            name=known.name,
            category=known.category,
            street=known.street,
            lat=known.lat,
            lon=known.lon,
            demo=True,
        )
        _, key = await service.create(spec, district_of(bundle))
        player = Player(id=uuid.uuid4(), display_name="bench")
        session.add(player)
        await session.flush()
        all_codes = list({codes.new_code() for _ in range(count)})
        rows = [
            {
                "id": uuid.uuid4(),
                "code": code,
                "player_id": player.id,
                "template_slug": "caffe-in-piazza",
                "merchant_slug": MERCHANT,
                "offer_it": "Un caffè in omaggio",
                "offer_en": "A free coffee",
                "reason": f"bench:{n}",
                "state": "issued",
            }
            for n, code in enumerate(all_codes)
        ]
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Coupon), rows[start : start + 1000])
        await session.commit()
    await engine.dispose()
    return key.api_key, all_codes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LUPIAE_DATABASE_URL": url,
        "LUPIAE_SECRET_KEY": SECRET,
        "LUPIAE_LOG_LEVEL": "warning",
        "LUPIAE_ENV": "test",
    }
    env.pop("LUPIAE_REDIS_URL", None)
    lupiae = Path(sys.executable).parent / "lupiae"
    command = [str(lupiae), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:  # `lupiae serve` runs one worker; several need uvicorn's own runner
        uvicorn = Path(sys.executable).parent / "uvicorn"
        command = [str(uvicorn), "game_server.app:create_app", "--factory", "--port", str(port)]
        command += ["--workers", str(workers), "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=ROOT)


async def wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        status = await reader.readline()
        writer.close()
        if b" 200 " in status:
            return
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not become healthy in 30 s")


class Client:
    """Minimal HTTP/1.1 keep-alive client: the generator must cost less than the server."""

    def __init__(self, port: int, api_key: str) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.auth = f"Authorization: Bearer {api_key}\r\n".encode()

    async def redeem(self, code: str) -> int:
        body = orjson.dumps({"code": codes.display(code)})
        request = (
            b"POST /merchant/v1/redemptions HTTP/1.1\r\nHost: bench\r\n"
            + self.auth
            + f"Idempotency-Key: {uuid.uuid4()}\r\n".encode()
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        reader, writer = self.idle.pop() if self.idle else await self._connect()
        writer.write(request)
        line = await reader.readline()
        if not line:  # the server closed an idle keep-alive connection: send it afresh
            writer.close()
            reader, writer = await self._connect()
            writer.write(request)
            line = await reader.readline()
        status = int(line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def run_load(
    client: Client, all_codes: list[str], rate: float, warmup_s: float, seconds: float
) -> tuple[list[float], dict[int, int], float]:
    """Open loop: request i is due at start + i / rate. Returns measured latencies (ms)."""
    total = int(rate * (warmup_s + seconds))
    warmup = int(rate * warmup_s)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def one(i: int, due: float) -> None:
        status = await client.redeem(all_codes[i])
        if i >= warmup:
            latencies.append((loop.time() - due) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    start = loop.time() + 0.2
    tasks = []
    for i in range(total):
        due = start + i / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - (start + warmup / rate)
    return latencies, statuses, elapsed


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


async def main(rate: float, seconds: float, warmup_s: float, workers: int) -> dict[str, float]:
    name = f"lupiae_bench_{uuid.uuid4().hex[:10]}"
    url = await create_database(name)
    server = None
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        api_key, all_codes = await seed(url, int(rate * (seconds + warmup_s)) + 10)
        port = free_port()
        server = start_server(url, port, workers)
        await wait_ready(port, server)
        client = Client(port, api_key)
        cpu_before = cpu_seconds(server.pid)
        latencies, statuses, elapsed = await run_load(client, all_codes, rate, warmup_s, seconds)
        cpu_per_request_ms = (cpu_seconds(server.pid) - cpu_before) / len(all_codes) * 1000
        client.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        await drop_database(name)
    result = {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }
    print(
        f"target {rate:.0f}/s for {seconds:.0f} s (+{warmup_s:.0f} s warm-up), {workers} worker(s)"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}  max: {max(latencies):.1f} ms")
    if workers == 1:  # with several workers the children burn the CPU, not this pid
        print(f"server CPU per redemption: {cpu_per_request_ms:.2f} ms")
    print(f"load average during the run: {os.getloadavg()}, {os.cpu_count()} CPUs")
    print(orjson.dumps(result).decode())
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    verdict = "met" if result["p99_ms"] <= TARGET_P99_MS else "NOT met"
    print(f"target p99 <= {TARGET_P99_MS} ms at {rate:.0f}/s: {verdict}")
    if set(statuses) != {201}:
        raise SystemExit("some redemptions did not answer 201 (server saturated?)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=25.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured warm-up")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.warmup, args.workers))
