"""Visits the socket judges quiet (the visit log's short write) against the full unit of work.

A visit that changes nothing in the game is recorded by the visit log alone (`quests.visitlog`:
one statement on PostgreSQL, a short ORM unit of work on SQLite), judged from the socket's view
of the player (`quests.view`). The view must never be trusted once somebody else has written to
the player's log: here a quest started over REST, by another unit of work, while the socket is
open. A visit the game must react to is recorded ahead of its reaction on PostgreSQL, and in the
full unit of work on SQLite; the behaviour seen from outside is the same.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from game_server.kit.db import make_engine, make_session_factory
from quests.models import PlayDay, Visit
from quests.service import GameService
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, guest, publish_shipped, serving
from tests.test_end_to_end import _fixes, _ride, _stay

SANT_ANNA = (40.3512, 18.16592)  # a church no open step waits for
NAPOLI = (40.356503, 18.168469)  # Porta Napoli: a step of "porte-della-citta", and alone


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await publish_shipped(database_url)
    async with serving(make_settings(database_url)) as server:
        yield server


def _writes(metrics: str, path: str) -> float:
    return _sample(metrics, f'lupiae_ws_commit_seconds_count{{path="{path}"}}')


def _sample(metrics: str, name: str) -> float:
    prefix = f"{name} "
    return next(float(x[len(prefix) :]) for x in metrics.splitlines() if x.startswith(prefix))


async def test_a_quest_started_elsewhere_counts_at_the_next_visit(
    live: tuple[str, FastAPI], database_url: str
) -> None:
    host, _ = live
    tokens = await guest(host)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    at_church = _stay(SANT_ANNA, 25)
    onwards = _ride(SANT_ANNA, NAPOLI) + _stay(NAPOLI, 25)
    fixes = _fixes(at_church + onwards, int(time.time() * 1000) - len(at_church + onwards) * 1000)

    async with (
        Player.connect(host, tokens["access_token"]) as (phone, _),
        httpx.AsyncClient(base_url=f"http://{host}", headers=auth) as http,
    ):
        await phone.send({"type": "positions", "fixes": fixes[: len(at_church)]})
        church = await phone.events_until("poi.visit")
        started = await http.post("/v1/quests/porte-della-citta/start")
        assert started.status_code in (200, 201), started.text
        await phone.send({"type": "positions", "fixes": fixes[len(at_church) :]})
        later = await phone.events_until("quest.step_completed")
        metrics = (await http.get("/metrics")).text

    assert church[-1]["data"]["poi"] == "sant_anna"
    # The per-frame counters (plain integers, exported at scrape time) saw both batches.
    assert _sample(metrics, "lupiae_ws_frames_total") == 2
    assert _sample(metrics, "lupiae_ws_fixes_total") == len(fixes)
    step = later[-1]["data"]
    assert (step["quest"], step["step"]) == ("porte-della-citta", "napoli")
    assert _writes(metrics, "fast") >= 1  # the church: entered and visited, one batch
    if database_url.startswith("postgresql"):
        # … and the visit the game had to look at: its geo events first, then the reaction.
        assert _writes(metrics, "ahead") >= 1
        assert _writes(metrics, "reaction") >= 1
    else:
        assert _writes(metrics, "full") >= 1  # … events and reaction in one unit of work

    player_id = uuid.UUID(tokens["player_id"])
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        visited = select(Visit.poi).where(Visit.player_id == player_id).order_by(Visit.visited_at)
        pois = list((await session.execute(visited)).scalars())
        days = select(PlayDay.city, PlayDay.day).where(PlayDay.player_id == player_id)
        play_days = (await session.execute(days)).all()
    await engine.dispose()
    assert pois == ["sant_anna", "porta_napoli"]
    assert [city for city, _ in play_days] == ["lecce"]  # the fast path names the comune


async def test_a_reconnect_with_nothing_to_start_skips_the_games_unit_of_work(
    live: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped content starts a quest by itself at the first connect; at the second there is
    nothing left to start, and the socket's view of the player says so (on both databases)."""
    host, _app = live
    auto_start = GameService.auto_start
    calls: list[list[str]] = []

    async def counting(service: GameService, *args: Any, **kwargs: Any) -> list:
        events = await auto_start(service, *args, **kwargs)
        calls.append([e.kind for e in events])
        return events

    monkeypatch.setattr(GameService, "auto_start", counting)
    tokens = await guest(host)
    for _ in range(2):
        async with Player.connect(host, tokens["access_token"]) as (phone, _):
            await phone.send({"type": "ping"})
            assert await phone.reply() == {"type": "pong"}
    assert set(calls[0]) == {"quest.started"}
    assert calls[1:] == []
