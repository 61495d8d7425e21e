"""A visit is stored once per presence, whatever the worker, the kill or the reconnect.

A worker killed with `kill -9` after storing a visit but before saving the player's tracker
state leaves the previous state behind (in Redis): the player's next worker continues the same
presence from there and reports its visit a second time. The event log must still say the site
was visited once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from game_server.events import log as events_log
from game_server.gateway.trackers import tracker_key
from game_server.kit.db import make_engine, make_session_factory
from geo import TrackerState
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, dwell_at, guest, publish_shipped, serving

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


async def test_a_visit_reported_again_after_a_lost_tracker_save_is_not_stored_twice(
    live: tuple[str, FastAPI], database_url: str
) -> None:
    host, app = live
    tokens = await guest(host)
    player_id = uuid.UUID(tokens["player_id"])
    fixes = dwell_at(*SANT_ANNA, 60)
    entering, dwelling, staying = fixes[:3], fixes[3:40], fixes[40:]

    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": entering})
        await phone.events_until("poi.enter")
        await phone.drain()  # the state is saved right after the events are stored
        lagging = await app.state.backend.get(tracker_key(player_id))
        await phone.send({"type": "positions", "fixes": dwelling})
        await phone.events_until("poi.visit")
        await phone.drain()

    # The worker "died" before saving the state after the visit: the saved state lags.
    assert lagging is not None
    await app.state.backend.set(tracker_key(player_id), lagging)

    async with Player.connect(host, tokens["access_token"]) as (phone, _):  # live events only
        await phone.send({"type": "positions", "fixes": staying})
        seen = await phone.drain()
    assert [e["kind"] for e in seen if e["kind"] == "poi.visit"] == []
    assert await _poi_events(database_url, player_id) == ["poi.enter", "poi.visit"]


@pytest.mark.parametrize("lost", ["saved before the enter", "not saved at all"])
async def test_the_next_socket_continues_the_stay_the_log_knows_of(
    live: tuple[str, FastAPI], database_url: str, lost: str
) -> None:
    """The saved tracker state lags behind the log (or Redis lost it): the next socket replays
    the stored `poi.*` events onto it, so the player standing at the site is not 'entering' it
    again, and the visit already stored is not reported again under a new entry time."""
    host, app = live
    tokens = await guest(host)
    player_id = uuid.UUID(tokens["player_id"])
    fixes = dwell_at(*SANT_ANNA, 70)
    async with Player.connect(host, tokens["access_token"]) as (phone, welcome):
        await phone.send({"type": "positions", "fixes": fixes[:40]})
        await phone.events_until("poi.visit")
        await phone.drain()
    if lost == "not saved at all":
        await app.state.backend.delete(tracker_key(player_id))
    else:  # what a worker saved at connect, killed before it saved anything newer
        await app.state.gateway.trackers.save(player_id, TrackerState(), welcome["last_seq"])

    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "positions", "fixes": fixes[40:]})
        seen = await phone.drain()
    assert [e["kind"] for e in seen if e["kind"].startswith("poi.")] == []
    assert await _poi_events(database_url, player_id) == ["poi.enter", "poi.visit"]
