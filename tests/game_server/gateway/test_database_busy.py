"""A database that cannot take a socket's events: close 1013, and lose nothing.

Under overload the database pool has no connection free in time (SQLAlchemy raises its
`TimeoutError` after `pool_timeout`, the fast log after `ACQUIRE_TIMEOUT_S`). The events of that
batch were never stored, so the socket is closed with 1013 (try again later) rather than 1011,
and the tracker state saved at the close must not remember enters and visits that nobody
stored: after reconnecting, the phone may upload those fixes again, and they count.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy.exc
from fastapi import FastAPI

from game_server.events import log as events_log
from game_server.gateway.service import Gateway
from game_server.kit.db import make_engine, make_session_factory
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, dwell_at, guest, publish_shipped, serving
from tests.game_server.gateway.test_play import closed_with

SANT_ANNA = (40.3512, 18.16592)  # a church no open step waits for


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await publish_shipped(database_url)
    async with serving(make_settings(database_url)) as server:
        yield server


async def _poi_events(url: str, player_id: uuid.UUID) -> list[str]:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            stored = await events_log.after(session, player_id, 0, 100)
    finally:
        await engine.dispose()
    return [e.kind for e in stored if e.kind.startswith("poi.")]


async def test_a_batch_the_database_cannot_take_closes_1013_and_is_earned_again(
    live: tuple[str, FastAPI], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, app = live
    gateway: Gateway = app.state.gateway
    store = gateway._store
    refused: list[int] = []

    async def busy_once(*args: Any, **kwargs: Any) -> Any:
        if not refused:
            refused.append(1)
            raise sqlalchemy.exc.TimeoutError("QueuePool limit reached, timed out")
        return await store(*args, **kwargs)

    monkeypatch.setattr(gateway, "_store", busy_once)
    tokens = await guest(host)
    player_id = uuid.UUID(tokens["player_id"])

    async with Player.connect(host, tokens["access_token"]) as (phone, welcome):
        first = dwell_at(*SANT_ANNA, 25)
        await phone.send({"type": "positions", "fixes": first})
        assert await closed_with(phone.ws) == 1013
    assert refused == [1]
    assert await _poi_events(database_url, player_id) == []  # nothing stored, nothing sent

    # After reconnecting, the phone uploads the same fixes again: they count in full.
    async with Player.connect(host, tokens["access_token"], welcome["last_seq"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": first})
        seen = await phone.events_until("poi.visit")
    pois = [e for e in seen if e["kind"].startswith("poi.")]
    assert [e["kind"] for e in pois] == ["poi.enter", "poi.visit"]
    assert first[0]["ts"] <= pois[0]["data"]["ts"] <= first[-1]["ts"]  # from the same fixes
    assert await _poi_events(database_url, player_id) == ["poi.enter", "poi.visit"]
