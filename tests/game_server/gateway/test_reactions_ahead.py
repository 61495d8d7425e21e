"""On PostgreSQL a visit's geo events are stored and sent before the game reacts to it.

The game's reaction to a visit (a step, a quest, XP, a badge) is a unit of work of ten to
twenty statements; the `poi.*` events that caused it must not wait for it. The gateway records
the visit with its reaction owed and sends its events; one of a few reaction tasks of the worker
then grants it (`quests.service.GameService.react_to_pending`), off the socket's read loop. If
that fails or the worker dies in between, the visit stays owed and a periodic sweep on any
worker grants it, exactly once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from game_server.kit.db import make_engine, make_session_factory
from quests.models import StepCompletion, Visit
from quests.service import GameService
from tests.conftest import make_settings, truncate_all
from tests.game_server.gateway.live import Player, guest, publish_shipped, serving
from tests.test_end_to_end import _fixes, _stay

pytestmark = pytest.mark.postgis

NAPOLI = (40.356503, 18.168469)  # Porta Napoli: a step of "porte-della-citta"
QUEST = "porte-della-citta"


@pytest.fixture
async def live(postgis_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await truncate_all(postgis_url)
    await publish_shipped(postgis_url)
    async with serving(make_settings(postgis_url, reaction_sweep_s=0.5)) as server:
        yield server


async def _started(host: str) -> dict[str, str]:
    tokens = await guest(host)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with httpx.AsyncClient(base_url=f"http://{host}", headers=auth) as http:
        started = await http.post(f"/v1/quests/{QUEST}/start")
        assert started.status_code in (200, 201), started.text
    return tokens


def _at_napoli() -> list[dict[str, Any]]:
    points = _stay(NAPOLI, 25)
    return _fixes(points, int(time.time() * 1000) - len(points) * 1000)


async def _db_counts(url: str, player_id: uuid.UUID) -> tuple[int, int]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        steps = select(func.count()).select_from(StepCompletion).filter_by(player_id=player_id)
        owed = select(func.count()).select_from(Visit).filter_by(player_id=player_id)
        result = (
            int(await session.scalar(steps) or 0),
            int(await session.scalar(owed.where(Visit.reaction_pending)) or 0),
        )
    await engine.dispose()
    return result


async def test_geo_events_are_sent_before_the_games_reaction_and_the_socket_keeps_reading(
    live: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, _app = live
    release = asyncio.Event()

    def held(method: Any) -> Any:
        async def wait_then(*args: Any, **kwargs: Any) -> Any:
            await release.wait()
            return await method(*args, **kwargs)

        return wait_then

    # Hold the reaction wherever it runs: in its own unit of work, or inside record_visit.
    monkeypatch.setattr(GameService, "react_to_pending", held(GameService.react_to_pending))
    monkeypatch.setattr(GameService, "record_visit", held(GameService.record_visit))
    tokens = await _started(host)
    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": _at_napoli()})
        try:
            first = await phone.events_until("poi.visit", timeout_s=5)
            # The socket keeps reading while the game reacts: its pings (and the keepalive's
            # pongs, which uvicorn reads only while no frame waits for the app) get through.
            await phone.send({"type": "ping"})
            assert await phone.reply() == {"type": "pong"}
        finally:
            release.set()  # never leave the server holding a unit of work
        then = await phone.events_until("quest.step_completed")

    kinds = [e["kind"] for e in first]
    assert [k for k in kinds if k.startswith("poi.")] == ["poi.enter", "poi.visit"]
    assert "quest.step_completed" not in kinds
    assert then[-1]["data"]["step"] == "napoli"
    seqs = [e["seq"] for e in first + then]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)


async def test_a_reaction_that_failed_is_granted_by_the_sweep_exactly_once(
    live: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch, postgis_url: str
) -> None:
    host, app = live
    react = GameService.react_to_pending
    failures: list[uuid.UUID] = []

    async def fails_once(service: GameService, player_id: uuid.UUID) -> Any:
        if not failures:  # e.g. the worker died, or the database dropped the connection
            failures.append(player_id)
            raise ConnectionResetError("connection lost mid-reaction")
        return await react(service, player_id)

    monkeypatch.setattr(GameService, "react_to_pending", fails_once)
    tokens = await _started(host)
    player_id = uuid.UUID(tokens["player_id"])
    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": _at_napoli()})
        first = await phone.events_until("poi.visit")
        assert failures == [player_id]
        # No socket asks again: the worker's sweep (every 0.5 s here) finds the owed visit.
        then = await phone.events_until("quest.step_completed")

    assert "quest.step_completed" not in [e["kind"] for e in first]
    assert then[-1]["data"]["step"] == "napoli"
    assert await _db_counts(postgis_url, player_id) == (1, 0)
    assert await app.state.gateway.sweep_owed_reactions(older_than_s=0) == 0
    assert await _db_counts(postgis_url, player_id) == (1, 0)
