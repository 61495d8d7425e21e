"""The socket attacks of issue #16 against two real workers (PostGIS + Redis, production
mode): a hello for another player, a stolen token's socket past its expiry, many sockets on
one token, one client filling a worker, a `ts` over 2**64, slowloris headers and an
anonymous 16 MB upload. None may 500 or log a traceback (the `workers` fixture checks)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from game_server.kit.clock import utcnow
from game_server.players.tokens import issue_access_token
from tests.conftest import TEST_SECRET
from tests.security.conftest import HEADER_TIMEOUT_S, PER_CLIENT, PER_PLAYER

pytestmark = [
    pytest.mark.postgis,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.asyncio(loop_scope="module"),
]


def host(url: str) -> str:
    return url.removeprefix("http://")


async def guest(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/v1/auth/guest")
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
    return body


async def recv(ws: ClientConnection, timeout_s: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        frame: dict[str, Any] = orjson.loads(await ws.recv())
    return frame


async def until(ws: ClientConnection, kind: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """The next frame of `type` kind (events of auto-started quests may come first)."""
    async with asyncio.timeout(timeout_s):
        while (frame := await recv(ws, timeout_s))["type"] != kind:
            pass
    return frame


async def hello(ws: ClientConnection, token: str) -> dict[str, Any]:
    await ws.send(orjson.dumps({"type": "hello", "token": token}).decode())
    return await until(ws, "welcome")


async def closed_with(ws: ClientConnection, timeout_s: float = 15.0) -> int:
    """Read until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        frame = closed.rcvd
    if frame is None:
        raise AssertionError("closed without a close frame")
    return frame.code


async def alive(ws: ClientConnection) -> bool:
    await ws.send('{"type": "ping"}')
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        await until(ws, "pong", 5)
        return True
    return False


async def test_a_second_hello_for_another_player_closes_the_socket(workers: list[str]) -> None:
    a, b = workers
    ada, bea = await guest(a), await guest(a)
    async with connect(f"ws://{host(b)}/v1/play", compression=None) as ws:
        await hello(ws, ada["access_token"])
        await ws.send(orjson.dumps({"type": "hello", "token": bea["access_token"]}).decode())
        assert await closed_with(ws) == 1008
        assert "another player" in (ws.close_reason or "")


async def test_the_socket_closes_when_its_token_expires_unless_renewed(workers: list[str]) -> None:
    """A stolen token keeps its socket only until it expires (1008); the owner renews it with
    a hello carrying a fresh token of the same player."""
    a, b = workers
    ada = await guest(a)
    player_id = uuid.UUID(ada["player_id"])
    soon = issue_access_token(
        player_id, secret=TEST_SECRET, now=utcnow() - timedelta(seconds=58), ttl_s=60
    )
    async with connect(f"ws://{host(b)}/v1/play", compression=None) as stolen:
        await hello(stolen, soon)
        assert await closed_with(stolen) == 1008
        assert "expired" in (stolen.close_reason or "")
    soon = issue_access_token(
        player_id, secret=TEST_SECRET, now=utcnow() - timedelta(seconds=58), ttl_s=60
    )
    async with connect(f"ws://{host(a)}/v1/play", compression=None) as owned:
        await hello(owned, soon)
        await owned.send(orjson.dumps({"type": "hello", "token": ada["access_token"]}).decode())
        await asyncio.sleep(3)  # past the first token's expiry (not a race: a deadline)
        assert await alive(owned)


async def test_many_sockets_on_one_token_keep_only_the_newest(workers: list[str]) -> None:
    a, b = workers
    ada = await guest(a)
    async with contextlib.AsyncExitStack() as stack:
        sockets = []
        for i in range(PER_PLAYER + 4):
            url = f"ws://{host(a if i % 2 else b)}/v1/play"
            ws = await stack.enter_async_context(connect(url, compression=None))
            await hello(ws, ada["access_token"])
            sockets.append(ws)
        superseded = await asyncio.gather(*(closed_with(ws) for ws in sockets[:4]))
        assert superseded == [4001] * 4
        assert all([await alive(ws) for ws in sockets[4:]])


async def test_one_client_cannot_fill_a_worker(workers: list[str]) -> None:
    """One address opens sockets until refused (1013); a player from another address still
    gets in."""
    a, _ = workers
    address = host(a)
    bea = await guest(a)
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(PER_CLIENT):
            await stack.enter_async_context(connect(f"ws://{address}/v1/play", compression=None))
        extra = await stack.enter_async_context(
            connect(f"ws://{address}/v1/play", compression=None)
        )
        assert await closed_with(extra) == 1013
        other = await stack.enter_async_context(
            connect(f"ws://{address}/v1/play", compression=None, local_addr=("127.0.0.2", 0))
        )
        welcome = await hello(other, bea["access_token"])
        assert welcome["player_id"] == bea["player_id"]


@pytest.mark.parametrize("ts", [2**64, 2**63, 10**30])
async def test_a_ts_over_64_bits_is_a_bad_frame_not_a_crash(workers: list[str], ts: int) -> None:
    a, _ = workers
    ada = await guest(a)
    async with connect(f"ws://{host(a)}/v1/play", compression=None) as ws:
        await hello(ws, ada["access_token"])
        await ws.send(
            f'{{"type": "position", "lat": 40.35, "lon": 18.17, "accuracy": 8, "ts": {ts}}}'
        )
        error = await until(ws, "error")
        assert error["code"] == "bad_frame"
        assert await alive(ws)


async def test_slowloris_headers_are_cut_off(workers: list[str]) -> None:
    """One header line every 0.3 s: the server answers 408 and closes once the headers have
    taken longer than LUPIAE_HEADER_READ_TIMEOUT_S, whatever keeps trickling in."""
    a, _ = workers
    address, port = host(a).split(":")
    reader, writer = await asyncio.open_connection(address, int(port))
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    sent = 0
    answer = b""
    try:
        for sent in range(1, 60):  # at most 18 s: far past the 1 s deadline
            writer.write(f"X-Slow-{sent}: {'a' * 10}\r\n".encode())
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(1024), 0.3)
                break
    except ConnectionError:
        pass
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert sent * 0.3 < HEADER_TIMEOUT_S + 10


async def test_an_anonymous_16_mb_upload_is_refused_before_it_is_read(workers: list[str]) -> None:
    a, _ = workers
    address, port = host(a).split(":")
    reader, writer = await asyncio.open_connection(address, int(port))
    size = 16 * 1024 * 1024
    writer.write(
        b"POST /admin/v1/content/validate HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n"
        + f"Content-Length: {size}\r\n\r\n".encode()
        + b"--b\r\n"
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), 10)  # without sending the 16 MB
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer
