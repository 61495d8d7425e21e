"""Gateway benchmark (SPEC §5): one worker, thousands of sockets, positions at 1 Hz each.

Runs in one go, on loopback only:
1. a scratch database (PostGIS on 127.0.0.1:5432 when reachable, else SQLite), migrated, with
   the shipped content published and N players created;
2. ONE `lupiae serve` worker process, and in another process a load generator that opens N
   sockets (hello with a real token), waits idle (memory per socket), then sends one position
   per socket per second along real walking routes between Lecce sites;
3. a bare echo server on the same websocket stack (uvicorn + Starlette), driven the same way,
   for the CPU comparison.

The first WARMUP seconds of load are not measured (see benchmarks/loadgen.py: every bot starts
with a fresh tracker, a thundering herd of first entries that a city in steady state never sees).

Writes benchmarks/results/gateway.json. Usage: `make bench-gateway` (SOCKETS=5200 DURATION=30
WARMUP=45; PROFILE=1 samples the servers with py-spy during the measured window, and with
PYSPY_NATIVE=1 also their native frames, pausing them for each sample).
BENCH_DB names the scratch PostgreSQL database (default lupiae_bench_gateway), so two runs on
one machine do not drop each other's; BENCH_RESULTS the output file. DURATION=0 WARMUP=0
measures idle memory only (no load phase).
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing as mp
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import loadgen  # noqa: E402
from game_server import migrate  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "benchmarks" / "results" / "gateway.json"))
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = os.environ.get("BENCH_DB", "lupiae_bench_gateway")
PG_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{BENCH_DB}"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IDLE_SAMPLE_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    return sum(cpu_split_s(pid))


def cpu_split_s(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def prepare_database(players: int) -> tuple[str, str, list[str]]:
    import asyncpg

    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        url, kind = f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench-gateway.sqlite3'}", "sqlite"
        Path(ROOT / "var").mkdir(exist_ok=True)
        Path(ROOT / "var" / "bench-gateway.sqlite3").unlink(missing_ok=True)
    else:
        await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        await admin.close()
        db = await asyncpg.connect(PG_ADMIN.rsplit("/", 1)[0] + "/" + BENCH_DB)
        await db.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        await db.close()
        url, kind = PG_URL, "postgis"
    await asyncio.to_thread(migrate.upgrade, url)
    ids = await _seed(url, players)
    return url, kind, ids


async def _seed(url: str, players: int) -> list[str]:
    from sqlalchemy import insert

    from content import load_bundle
    from game_server.catalog.service import publish_all
    from game_server.events.models import EventCursor
    from game_server.kit.db import make_engine, make_session_factory
    from game_server.players.models import Player

    bundle = load_bundle(ROOT / "content").bundle
    assert bundle is not None
    engine = make_engine(url)
    ids = [uuid.uuid4() for _ in range(players)]
    async with make_session_factory(engine)() as session:
        await publish_all(session, bundle, author="benchmark")
        await session.execute(insert(Player), [{"id": i, "display_name": "bot"} for i in ids])
        await session.execute(insert(EventCursor), [{"player_id": i, "last_seq": 0} for i in ids])
        await session.commit()
    await engine.dispose()
    return [str(i) for i in ids]


def tokens_for(ids: list[str]) -> list[str]:
    from game_server.kit.clock import utcnow
    from game_server.players.tokens import issue_access_token

    now = utcnow()
    return [issue_access_token(uuid.UUID(i), secret=SECRET, now=now, ttl_s=3600) for i in ids]


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # Logs go to a file: an unread pipe would fill up and stall the server.
    with log.open("wb") as sink:
        return subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=sink, stderr=sink)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see var/bench-*.log")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout_s} s")


def wait_idle(pid: int, timeout_s: float = 300) -> None:
    """Until the server uses under 10% of a core over a second (heartbeats of thousands of
    idle sockets cost a little), bounded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = cpu_s(pid)
        time.sleep(1.0)
        if cpu_s(pid) - before < 0.10:
            return
    raise RuntimeError("the server never went idle")


WINDOW_METRICS = (
    "lupiae_ws_fixes_total",
    "lupiae_ws_commit_seconds_bucket",
    "lupiae_ws_closes_total",
    "lupiae_event_loop_lag_seconds_bucket",
    "lupiae_gc_pause_seconds_count",
    "lupiae_gc_pause_seconds_sum",
)


def server_metrics(base: str | None) -> dict[str, float]:
    """The server's counters and histogram buckets that the measured window is read from."""
    if base is None:
        return {}
    text = httpx.get(f"{base}/metrics", timeout=5).text
    return {
        name: float(value)
        for name, _, value in (line.rpartition(" ") for line in text.splitlines())
        if name.startswith(WINDOW_METRICS)
    }


def window_metrics(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v - before.get(k, 0.0)}


def drive(
    target: str,
    url: str,
    tokens: list[str],
    load: tuple[float, float],
    pid: int,
    metrics_base: str | None,
) -> dict[str, Any]:
    """Connect every socket, measure idle memory, then load: warm up, then measure CPU for
    the measured window (`load` = (warm-up, duration) in seconds)."""
    warmup_s, duration_s = load
    parent, child = mp.Pipe()
    gen = mp.Process(target=loadgen.run, args=(child, target, url, tokens, duration_s, warmup_s))
    gen.start()
    rss_before = rss_kib(pid)
    connected = parent.recv()  # {"connected": n, "failed": m}
    wait_idle(pid)  # handshakes and auto-started quests done, buffers back to idle
    rss_idle = rss_kib(pid)
    idle_before, idle_t0 = cpu_s(pid), time.monotonic()
    time.sleep(IDLE_SAMPLE_S)  # what the open sockets cost with nothing sent: heartbeats
    idle_share = (cpu_s(pid) - idle_before) / (time.monotonic() - idle_t0)
    parent.send("go")
    assert parent.recv() == "measure"
    metrics_before = server_metrics(metrics_base)
    cpu_before, t0 = cpu_s(pid), time.monotonic()
    sys_before = cpu_split_s(pid)[1]
    gen_before = cpu_s(gen.pid)
    profiler = profile(pid, target)
    assert parent.recv() == "done"
    cpu_after, t1 = cpu_s(pid), time.monotonic()
    sys_cpu = cpu_split_s(pid)[1] - sys_before
    gen_cpu = cpu_s(gen.pid) - gen_before
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)  # py-spy writes its profile and exits
        profiler.wait(30)
    in_window = window_metrics(metrics_before, server_metrics(metrics_base))
    report = parent.recv()
    for name, value in sorted(in_window.items()):
        print(f"  {name} {value:g}")  # what the server saw during the measured window
    gen.join(30)
    return {
        **connected,
        **report,
        "rss_before_kib": rss_before,
        "rss_idle_kib": rss_idle,
        "idle_cpu_share": idle_share,
        "server_cpu_s": cpu_after - cpu_before,
        "elapsed_s": t1 - t0,
        "server_fixes": in_window.get("lupiae_ws_fixes_total", 0.0),
        "server_metrics": in_window,
        "loadgen_cpu_s": gen_cpu,
        "server_sys_cpu_s": sys_cpu,
        "warmup_s": warmup_s,
    }


def profile(pid: int, target: str) -> subprocess.Popen[bytes] | None:
    """With PROFILE=1 and py-spy installed: sample the server during the measured window into
    var/bench-<target>-profile.txt (collapsed stacks, for flamegraph.pl or speedscope)."""
    if not os.environ.get("PROFILE"):
        return None
    out = ROOT / "var" / f"bench-{target}-profile.txt"
    # py-spy comes with the venv (`pip install py-spy`) or from PATH.
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else "py-spy"
    cmd = [spy, "record", "-p", str(pid), "-r", "100", "-f", "raw", "-o", str(out)]
    extra = ["--native"] if os.environ.get("PYSPY_NATIVE") else ["--nonblocking"]
    return subprocess.Popen([*cmd, *extra], stdout=subprocess.DEVNULL)


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


def main() -> None:
    # A margin over the 5,000 of SPEC §5: at 1 Hz per socket the measured window's edges shave
    # a few updates off 5,000 per second.
    sockets = int(os.environ.get("SOCKETS", "5200"))
    duration = float(os.environ.get("DURATION", "30"))
    warmup = float(os.environ.get("WARMUP", "45"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * sockets + 1000)), hard))
    print(f"preparing {sockets} players…", flush=True)
    db_url, db_kind, ids = asyncio.run(prepare_database(sockets))
    tokens = tokens_for(ids)
    env = {
        "LUPIAE_DATABASE_URL": db_url,
        "LUPIAE_SECRET_KEY": SECRET,
        "LUPIAE_ENV": "test",
        "LUPIAE_LOG_LEVEL": "warning",
        # Every simulated phone connects from loopback: lift the per-address admission.
        "LUPIAE_MAX_SOCKETS_PER_CLIENT": str(sockets + 100),
    }
    game_port, echo_port = free_port(), free_port()
    logs = ROOT / "var"
    logs.mkdir(exist_ok=True)
    game = start(
        [sys.executable, "-m", "game_server.cli", "serve", "--port", str(game_port)],
        env,
        logs / "bench-gateway-server.log",
    )
    echo = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.echo_app:app",
            "--port",
            str(echo_port),
            "--log-level",
            "warning",
            "--ws-per-message-deflate",
            "false",
        ],
        env,
        logs / "bench-echo-server.log",
    )
    try:
        wait_ready(f"http://127.0.0.1:{game_port}/readyz", game)
        wait_idle(echo.pid)
        base = f"http://127.0.0.1:{game_port}"
        print("game server: connecting and loading…", flush=True)
        load = (warmup, duration)
        g = drive("game", f"ws://127.0.0.1:{game_port}/v1/play", tokens, load, game.pid, base)
        print("echo server: connecting and loading…", flush=True)
        e = drive("echo", f"ws://127.0.0.1:{echo_port}/echo", tokens, load, echo.pid, None)
    finally:
        for proc in (game, echo):
            proc.terminate()
            proc.wait(10)
    result = summarise(g, e, db_kind)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def summarise(g: dict[str, Any], e: dict[str, Any], db_kind: str) -> dict[str, Any]:
    updates = g["server_fixes"]
    cpu_update = g["server_cpu_s"] / updates * 1e6 if updates else None
    cpu_echo = e["server_cpu_s"] / e["received"] * 1e6 if e["received"] else None
    return {
        "sockets": g["connected"],
        "failed_connections": g["failed"],
        "bots_lost": g.get("bots_lost", {}),
        "warmup_s": g["warmup_s"],
        "duration_s": round(g["elapsed_s"], 1),
        "updates_per_s": round(updates / g["elapsed_s"], 1),
        "sent_per_s": round(g["sent"] / g["elapsed_s"], 1),
        "events": g["events"],
        "p50_ms": percentile(g["latencies_ms"], 50),
        "p99_ms": percentile(g["latencies_ms"], 99),
        "cpu_us_per_update": round(cpu_update, 1) if cpu_update else None,
        "cpu_us_per_echo": round(cpu_echo, 1) if cpu_echo else None,
        "cpu_ratio": round(cpu_update / cpu_echo, 2) if cpu_update and cpu_echo else None,
        # The echo's messages in the measured window, both ways: they should agree.
        "echo_sent_per_s": round(e["sent"] / e["elapsed_s"], 1),
        "echo_received_per_s": round(e["received"] / e["elapsed_s"], 1),
        "server_cpu_share": round(g["server_cpu_s"] / g["elapsed_s"], 2),
        "loadgen_cpu_share": round(g["loadgen_cpu_s"] / g["elapsed_s"], 2),
        # The kernel's part (syscalls: sockets, epoll) of the server's CPU, game and echo.
        "server_sys_fraction": round(g["server_sys_cpu_s"] / max(g["server_cpu_s"], 1e-9), 2),
        "echo_sys_fraction": round(e["server_sys_cpu_s"] / max(e["server_cpu_s"], 1e-9), 2),
        "idle_kib_per_socket": round((g["rss_idle_kib"] - g["rss_before_kib"]) / g["connected"], 1),
        # CPU (share of one core) of the open sockets with nothing sent, game and echo.
        "idle_cpu_share": round(g["idle_cpu_share"], 3),
        "echo_idle_cpu_share": round(e["idle_cpu_share"], 3),
        "echo_idle_kib_per_socket": round(
            (e["rss_idle_kib"] - e["rss_before_kib"]) / max(1, e["connected"]), 1
        ),
        "server_window_metrics": g["server_metrics"],
        "database": db_kind,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }


def print_table(r: dict[str, Any]) -> None:
    rows = [
        ("sockets", r["sockets"], "≥ 5000"),
        ("position updates/s", r["updates_per_s"], "≥ 5000"),
        ("event latency p50 (ms)", r["p50_ms"], ""),
        ("event latency p99 (ms)", r["p99_ms"], "≤ 50"),
        ("CPU µs per update", r["cpu_us_per_update"], ""),
        ("CPU µs per echo (same stack)", r["cpu_us_per_echo"], ""),
        ("ratio update / echo", r["cpu_ratio"], "≤ 2"),
        ("idle KiB per socket", r["idle_kib_per_socket"], "≤ 30"),
        (
            "idle CPU, share of a core (echo)",
            f"{r['idle_cpu_share']:.3f} ({r['echo_idle_cpu_share']:.3f})",
            "",
        ),
    ]
    print(f"\n{'gateway benchmark (' + r['database'] + ')':40} {'measured':>12} {'target':>8}")
    for name, value, target in rows:
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        print(f"{name:40} {shown:>12} {target:>8}")
    for why, n in r["bots_lost"].items():  # sockets that closed under their bot mid-run
        print(f"bots lost: {n} × {why}")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
