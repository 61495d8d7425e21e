"""The suite's own PostgreSQL cluster, Redis server and `lupiae serve` workers, as processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path:
    """CHAOS_PG_BIN, else Debian's newest server (15 on this project's machines)."""
    if "CHAOS_PG_BIN" in os.environ:
        return Path(os.environ["CHAOS_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class Postgres:
    def __init__(self, workdir: Path, port: int) -> None:
        self.root = workdir / "pg"
        self.data = self.root / "data"
        self.port = port
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/lupiae"

    def _run(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / args[0]), *args[1:]]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        conf = self.data / "postgresql.conf"
        with conf.open("a") as settings:
            settings.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 200\n"
                # The machine does not crash in this suite, only PostgreSQL: durable enough.
                "fsync = off\nfull_page_writes = off\n"
            )

    def pg_ctl(self, *args: str) -> None:
        log = str(self.root / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", *args)

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self, mode: str) -> None:
        self.pg_ctl("-m", mode, "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("-m", "immediate", "stop")

    async def create_database(self) -> None:
        admin = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
        try:
            await admin.execute("CREATE DATABASE lupiae")
        finally:
            await admin.close()
        db = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/lupiae")
        try:
            await db.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        finally:
            await db.close()


class Redis:
    def __init__(self, workdir: Path, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(self.log),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _wait_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Worker:
    def __init__(self, index: int, port: int, env: dict[str, str], workdir: Path) -> None:
        self.index = index
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.log = workdir / f"worker-{index}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "game_server.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    async def ready(self) -> bool:
        try:
            async with httpx.AsyncClient(base_url=self.url, timeout=1.0) as http:
                response = await http.get("/readyz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.json().get("status") == "ready"

    async def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.index} exited; see {self.log}")
            if await self.ready():
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"worker {self.index} not ready in {timeout_s:g} s; see {self.log}")


def _wait_port(port: int, timeout_s: float = 10) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def lupiae(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "game_server.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout
