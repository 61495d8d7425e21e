"""Socket error frames follow the API's language rule: ?lang=, Accept-Language, else Italian."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect

from tests.conftest import make_settings
from tests.game_server.gateway.live import guest, publish_shipped, serving


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await publish_shipped(database_url)
    async with serving(make_settings(database_url)) as server:
        yield server


async def _error_for_unknown_quest(url: str, token: str, **headers: str) -> dict[str, Any]:
    async with connect(url, compression=None, additional_headers=headers) as ws:
        await ws.send(orjson.dumps({"type": "hello", "token": token}).decode())
        while orjson.loads(await ws.recv())["type"] != "welcome":
            pass
        await ws.send(orjson.dumps({"type": "start", "quest": "nessuna"}).decode())
        while True:
            frame: dict[str, Any] = orjson.loads(await ws.recv())
            if frame["type"] == "error":
                return frame


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ("", {}, "non esiste la missione 'nessuna'"),
        ("", {"Accept-Language": "en-GB"}, "there is no quest 'nessuna'"),
        ("?lang=it", {"Accept-Language": "en"}, "non esiste la missione 'nessuna'"),
    ],
)
async def test_socket_errors_in_the_clients_language(
    live: tuple[str, FastAPI], query: str, headers: dict[str, str], expected: str
) -> None:
    host, _ = live
    token = (await guest(host))["access_token"]
    error = await _error_for_unknown_quest(f"ws://{host}/v1/play{query}", token, **headers)
    assert error["message"] == expected
