"""A real uvicorn server on a loopback socket, and a small protocol client, for socket tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from content import load_bundle
from game_server.app import create_app
from game_server.catalog.service import publish_all
from game_server.kit.db import make_engine, make_session_factory
from game_server.settings import Settings
from tests.paths import CONTENT


async def publish_shipped(database_url: str) -> None:
    bundle = load_bundle(CONTENT).bundle
    assert bundle is not None
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        await publish_all(session, bundle, author="tests")
        await session.commit()
    await engine.dispose()


@contextlib.asynccontextmanager
async def serving(
    settings: Settings, *, clock: Callable[[], datetime] | None = None, port: int = 0
) -> AsyncIterator[tuple[str, FastAPI]]:
    """Serve the app on 127.0.0.1:<free port> until the block ends (`clock`: the gateway's
    server time, for walking a quest in real time without waiting for it)."""
    app = create_app(settings) if clock is None else create_app(settings, clock=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_per_message_deflate=False,
        ws_max_size=settings.max_frame_bytes,
        lifespan="on",
        timeout_graceful_shutdown=10,  # a socket left open cannot hold the test forever
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):  # bounded: at most ~5 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await task
        sock.close()


async def guest(host: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=f"http://{host}") as http:
        response = await http.post("/v1/auth/guest")
        response.raise_for_status()
        body: dict[str, str] = response.json()
        return body


class Player:
    """One phone: a socket that speaks the protocol."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        host: str,
        token: str,
        resume_after: int | None = None,
        *,
        welcome_timeout_s: float = 5.0,
    ) -> AsyncIterator[tuple[Player, dict[str, Any]]]:
        async with connect(f"ws://{host}/v1/play", compression=None) as ws:
            player = cls(ws)
            await player.send({"type": "hello", "token": token, "resume_after": resume_after})
            welcome = await player.recv(welcome_timeout_s)
            assert welcome["type"] == "welcome", welcome
            yield player, welcome

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(orjson.dumps(frame).decode())

    async def recv(self, timeout_s: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout_s):
            frame: dict[str, Any] = orjson.loads(await self.ws.recv())
        return frame

    async def reply(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """The next frame that is not an event (auto-started quests may send events first)."""
        while True:
            frame = await self.recv(timeout_s)
            if frame["type"] != "event":
                return frame

    async def drain(self) -> list[dict[str, Any]]:
        """Every event already sent: ping, and collect events until the pong."""
        await self.send({"type": "ping"})
        events = []
        while (frame := await self.recv())["type"] != "pong":
            events.append(frame)
        return events

    async def events_until(self, kind: str, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """Receive frames until an event of `kind` arrives; return the events seen."""
        seen: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout_s):
            while True:
                frame = await self.recv(timeout_s)
                if frame["type"] == "event":
                    seen.append(frame)
                    if frame["kind"] == kind:
                        return seen


def dwell_at(lat: float, lon: float, seconds: int, *, start_ms: int | None = None) -> list[dict]:
    """Fixes at 1 Hz standing at a site, ending now (device time)."""
    end = start_ms if start_ms is not None else int(time.time() * 1000)
    first = end - seconds * 1000
    return [
        {"lat": lat, "lon": lon, "accuracy": 8.0, "ts": first + i * 1000}
        for i in range(seconds + 1)
    ]
