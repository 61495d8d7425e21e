"""A real `lupiae serve` process serving the built web app, for the browser tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

from game_server.app import create_app
from game_server.kit.clock import utcnow
from game_server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.game_server.gateway.live import publish_shipped
from tests.paths import ROOT
from tests.services import copy_sqlite

DIST = ROOT / "web" / "dist"
# Ports tried for the server (loopback only); LUPIAE_TEST_PORTS=first-last overrides.
DEFAULT_PORTS = "18200-18299"


def free_port() -> int:
    first, last = (int(p) for p in os.environ.get("LUPIAE_TEST_PORTS", DEFAULT_PORTS).split("-"))
    for port in range(first, last + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


def test_env(database_url: str, **extra: str) -> dict[str, str]:
    """The server's settings for browser tests. The page's clock is driven by the test
    (Playwright's fake clock, ahead of the server's), so fixes may come from the "future"."""
    return {
        "LUPIAE_ENV": "test",
        "LUPIAE_DATABASE_URL": database_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_WEB_DIST": str(DIST),
        "LUPIAE_GEO__MAX_FUTURE_S": "86400",
        # The fake clock feeds a fix every few milliseconds of wall time (tests/web/walk.py).
        "LUPIAE_FRAMES_PER_S": "1000",
        "LUPIAE_FRAMES_BURST": "1000",
        "LUPIAE_GC_YOUNG_THRESHOLD": "0",
        **extra,
    }


@contextlib.contextmanager
def serve(database_url: str, logs: Path, **extra: str) -> Iterator[str]:
    """`lupiae serve` on a loopback port until the block ends; yields its base URL."""
    asyncio.run(publish_shipped(database_url))
    port = free_port()
    log = logs / f"server-{port}.log"
    env: Mapping[str, str] = {**os.environ, **test_env(database_url, **extra)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "game_server.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ServerClock:
    """The server's time in a test: the wall clock plus what the test advanced, so the server
    sees a walk take the minutes it takes on the page's fake clock (the server-time presence
    rule, quests/presence.py, judges coupon-bearing quests by it)."""

    def __init__(self) -> None:
        self._ahead = timedelta(0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return utcnow() + self._ahead

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._ahead += timedelta(seconds=seconds)


@contextlib.contextmanager
def serve_with_clock(database_url: str, clock: ServerClock) -> Iterator[str]:
    """The app with `clock` as its server time (create_app's injectable clock), served by
    uvicorn on a loopback port in a thread of this process until the block ends."""
    saved = dict(os.environ)
    os.environ.update(test_env(database_url))
    try:
        settings = Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=10,  # a page left open cannot hold the test forever
    )
    server = uvicorn.Server(config)

    def run() -> None:
        asyncio.run(publish_shipped(database_url))
        server.run()

    thread = threading.Thread(target=run, name=f"lupiae-test-server-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, lambda: not thread.is_alive(), None)
        yield url
    finally:
        server.should_exit = True
        thread.join(15)


def _wait_ready(
    url: str, process: subprocess.Popen[bytes] | Callable[[], bool], log: Path | None
) -> None:
    """Until `/readyz` answers; `process` is the server's process, or says whether it ended."""
    exited = process if callable(process) else lambda: process.poll() is not None

    def output() -> str:
        return (
            "(in this process: see the test's log)"
            if log is None
            else log.read_text(errors="replace")[-3000:]
        )

    deadline = time.monotonic() + 90  # a bound: a loaded machine starts slowly
    while time.monotonic() < deadline:
        if exited():
            raise RuntimeError(f"server exited:\n{output()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server not ready:\n{output()}")


def fresh_sqlite(template: Path, folder: Path) -> str:
    return copy_sqlite(template, folder)
