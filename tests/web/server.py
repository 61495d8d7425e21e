"""A real `lupiae serve` process serving the built web app, for the browser tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

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


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server not ready:\n{log.read_text(errors='replace')[-3000:]}")


def fresh_sqlite(template: Path, folder: Path) -> str:
    return copy_sqlite(template, folder)
