"""The reactions a dead worker owed are granted within seconds, not at the sweep's age threshold.

A worker records a visit ahead of the game's reaction and names itself its owner; it beats
every `heartbeat_s`. When it is killed (or stopped) before the reaction, any other worker's next
beat finds an owner silent for three beats and grants the reaction — whatever the visit's age.
A living owner's young visits are left to it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI

from quests.service import GameService
from tests.conftest import make_settings, truncate_all
from tests.game_server.gateway.live import Player, publish_shipped, serving
from tests.game_server.gateway.test_reactions_ahead import _at_napoli, _db_counts, _started

pytestmark = pytest.mark.postgis


@pytest.fixture
async def live(postgis_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await truncate_all(postgis_url)
    await publish_shipped(postgis_url)
    # The age threshold is an hour: only the owner's death can get the reaction granted.
    settings = make_settings(postgis_url, reaction_sweep_s=3600, heartbeat_s=0.5)
    async with serving(settings) as server:
        yield server


def _never_reacting(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """The worker's own reaction never happens (it 'dies' right after sending the visit)."""
    react = GameService.react_to_pending
    dropped: list[uuid.UUID] = []

    async def dies_first(service: GameService, player_id: uuid.UUID) -> Any:
        if player_id not in dropped:
            dropped.append(player_id)
            raise ConnectionResetError("the worker is gone")
        return await react(service, player_id)

    monkeypatch.setattr(GameService, "react_to_pending", dies_first)
    return dropped


async def test_a_dead_workers_owed_reaction_is_granted_at_the_next_beat(
    live: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch, postgis_url: str
) -> None:
    host, app = live
    dropped = _never_reacting(app, monkeypatch)
    app.state.gateway.fast_log.worker_id = "killed-worker:4242:0"  # never beats
    tokens = await _started(host)
    player_id = uuid.UUID(tokens["player_id"])
    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": _at_napoli()})
        await phone.events_until("poi.visit")
        assert dropped == [player_id]
        then = await phone.events_until("quest.step_completed", timeout_s=10)
    assert then[-1]["data"]["step"] == "napoli"
    assert await _db_counts(postgis_url, player_id) == (1, 0)


async def test_a_living_workers_young_owed_reaction_is_left_to_it(
    live: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch, postgis_url: str
) -> None:
    host, app = live
    dropped = _never_reacting(app, monkeypatch)
    gateway = app.state.gateway
    await gateway.liveness.beat()
    tokens = await _started(host)
    player_id = uuid.UUID(tokens["player_id"])
    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": _at_napoli()})
        await phone.events_until("poi.visit")
        await phone.drain()
    assert dropped == [player_id]
    await gateway.liveness.beat()
    assert await gateway.sweep_owed_reactions(older_than_s=3600) == 0
    assert await _db_counts(postgis_url, player_id) == (0, 1)
    # Past the age threshold it is granted whoever owes it.
    assert await gateway.sweep_owed_reactions(older_than_s=0) == 1
    assert await _db_counts(postgis_url, player_id) == (1, 0)
