"""Real `lupiae serve` worker processes on loopback ports, for cross-worker tests.

    async with run_workers(2, env, logs=tmp_path) as (a, b):
        ...  # a, b are base URLs like "http://127.0.0.1:41234"

Each worker's output goes to `logs/worker-<i>.log`; a worker that dies or never gets ready
fails the test with the tail of its log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.paths import ROOT


@dataclass
class Worker:
    url: str
    process: asyncio.subprocess.Process
    log: Path

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _start(index: int, env: Mapping[str, str], logs: Path) -> Worker:
    port = free_port()
    log = logs / f"worker-{index}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "game_server.cli",
            "serve",
            "--port",
            str(port),
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return Worker(f"http://127.0.0.1:{port}", process, log)


async def _wait_ready(worker: Worker, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=worker.url, timeout=1.0) as http:
        while time.monotonic() < deadline:
            if worker.process.returncode is not None:
                raise RuntimeError(f"worker {worker.url} exited:\n{worker.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"worker {worker.url} not ready in time:\n{worker.tail()}")


async def _stop(worker: Worker) -> None:
    if worker.process.returncode is not None:
        return
    worker.process.terminate()
    try:
        async with asyncio.timeout(10):
            await worker.process.wait()
    except TimeoutError:
        worker.process.kill()
        await worker.process.wait()


@contextlib.asynccontextmanager
async def run_workers(
    count: int, env: Mapping[str, str], *, logs: Path, ready_timeout_s: float = 90.0
) -> AsyncIterator[list[str]]:
    """Start `count` workers with `env` added to the environment; stop them afterwards."""
    workers: list[Worker] = []
    try:
        for index in range(count):
            workers.append(await _start(index, env, logs))
        deadline = time.monotonic() + ready_timeout_s
        await asyncio.gather(*(_wait_ready(w, deadline) for w in workers))
        yield [w.url for w in workers]
    finally:
        await asyncio.gather(*(_stop(w) for w in workers))
