"""Several workers behind one PostGIS and one Redis, and Redis going away (SPEC §2, §6)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import orjson
import pytest
from websockets.asyncio.client import connect

from game_server.kit.pubsub import backend_from_url
from game_server.players.moderation import kick
from tests.conftest import TEST_SECRET, make_settings
from tests.game_server.gateway.live import Player, dwell_at, guest, publish_shipped, serving
from tests.game_server.gateway.test_play import RUDIAE, closed_with
from tests.services import IN_CI
from tests.workers import run_workers

pytestmark = [pytest.mark.postgis, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
async def two_workers(
    postgis_url: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    await publish_shipped(postgis_url)
    env = {
        "LUPIAE_DATABASE_URL": postgis_url,
        "LUPIAE_REDIS_URL": redis_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_ENV": "test",
    }
    async with run_workers(2, env, logs=tmp_path) as (a, b):
        yield a.removeprefix("http://"), b.removeprefix("http://")


async def test_an_event_made_on_one_worker_reaches_the_socket_on_another(
    two_workers: tuple[str, str],
) -> None:
    a, b = two_workers
    tokens = await guest(a)
    async with (
        Player.connect(b, tokens["access_token"]) as (phone, _),
        Player.connect(a, tokens["access_token"]) as (tablet, _),
    ):
        await phone.drain()  # auto-started quests, if any
        await tablet.send({"type": "positions", "fixes": dwell_at(*RUDIAE, 25)})
        on_a = await tablet.events_until("poi.visit")
        on_b = await phone.events_until("poi.visit")
    assert [e["seq"] for e in on_b][-len(on_a) :] == [e["seq"] for e in on_a]
    assert on_b[-1]["data"]["poi"] == "porta_rudiae"


async def test_tracker_state_follows_the_player_to_another_worker(
    two_workers: tuple[str, str],
) -> None:
    a, b = two_workers
    tokens = await guest(a)
    fixes = dwell_at(*RUDIAE, 25)
    async with Player.connect(a, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": fixes[:8]})  # enter, not yet a visit
        entered = await phone.events_until("poi.enter")
        tail = await phone.drain()
    assert not [e for e in entered + tail if e["kind"] == "poi.visit"]
    async with Player.connect(b, tokens["access_token"]) as (phone, _):
        await phone.drain()
        await phone.send({"type": "positions", "fixes": fixes[8:]})
        later = await phone.events_until("poi.visit")
    # B continued A's dwell: a visit without a second enter.
    assert [e["kind"] for e in later if e["kind"].startswith("poi.")] == ["poi.visit"]


async def test_a_kick_from_anywhere_closes_sockets_on_every_worker(
    two_workers: tuple[str, str], redis_url: str
) -> None:
    a, b = two_workers
    tokens = await guest(a)
    backend = backend_from_url(redis_url)
    await backend.connect()
    try:
        async with (
            Player.connect(a, tokens["access_token"]) as (on_a, _),
            Player.connect(b, tokens["access_token"]) as (on_b, _),
        ):
            player_id = uuid.UUID(tokens["player_id"])
            await kick(backend, player_id, code=1008, reason="kicked by a moderator")
            codes = await asyncio.gather(closed_with(on_a.ws), closed_with(on_b.ws))
        assert codes == [1008, 1008]
    finally:
        await backend.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server binary not installed (CI=true: this suite must run)")
        pytest.skip("redis-server binary not installed")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):  # bounded: ~2 s
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            subprocess.run(["sleep", "0.01"], check=False)
        yield process
    finally:
        process.terminate()
        process.wait(5)


@pytest.mark.redis
async def test_redis_going_away_degrades_loudly_and_recovers(postgis_url: str) -> None:
    await publish_shipped(postgis_url)
    port = _free_port()
    settings = make_settings(postgis_url, redis_url=f"redis://127.0.0.1:{port}/0")
    with private_redis(port) as redis:
        async with serving(settings) as (host, _):
            tokens = await guest(host)
            async with Player.connect(host, tokens["access_token"]) as (phone, _):
                await phone.drain()
                redis.terminate()
                redis.wait(5)
                notice = await phone.reply()
                assert notice["type"] == "error"
                assert notice["code"] == "degraded"
                # Positions still count: events are stored and reach this socket from the DB.
                await phone.send({"type": "positions", "fixes": dwell_at(*RUDIAE, 25)})
                events = await phone.events_until("poi.visit")
                assert events[-1]["data"]["poi"] == "porta_rudiae"
            # A new socket while Redis is down is refused with a clear close code.
            async with connect(f"ws://{host}/v1/play") as late:
                await late.send(
                    orjson.dumps({"type": "hello", "token": tokens["access_token"]}).decode()
                )
                assert await closed_with(late) == 1013
            with private_redis(port):
                for _ in range(100):  # bounded: the backend reconnects within its backoff
                    ready = await _ready(host)
                    if ready:
                        break
                    await asyncio.sleep(0.05)
                async with Player.connect(host, tokens["access_token"]) as (again, _):
                    assert await again.drain() is not None


async def _ready(host: str) -> bool:
    import httpx

    async with httpx.AsyncClient(base_url=f"http://{host}") as http:
        response = await http.get("/readyz")
        return response.status_code == 200 and response.json()["status"] == "ready"
