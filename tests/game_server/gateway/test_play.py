"""/v1/play over real sockets on loopback (SPEC §3.3)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from game_server.events.log import player_channel
from game_server.kit.clock import utcnow
from game_server.players.moderation import kick
from game_server.players.tokens import issue_access_token
from tests.conftest import TEST_SECRET, make_settings
from tests.game_server.gateway.live import Player, dwell_at, guest, publish_shipped, serving
from tests.services import copy_sqlite

RUDIAE = (40.351345, 18.164581)  # Porta Rudiae: no other site within 100 m


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    await publish_shipped(database_url)
    settings = make_settings(database_url, hello_timeout_s=0.5, outbound_queue=16)
    async with serving(settings) as server:
        yield server


async def closed_with(ws: Any, timeout_s: float = 5.0) -> int:
    async with asyncio.timeout(timeout_s):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            return int(closed.rcvd.code) if closed.rcvd else -1


def test_hello_timeout_default_is_five_seconds() -> None:
    assert make_settings("sqlite+aiosqlite://").hello_timeout_s == 5.0


async def test_missing_hello_closes_with_1008(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    async with connect(f"ws://{host}/v1/play") as ws:
        assert await closed_with(ws) == 1008


async def test_first_frame_must_be_hello(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    async with connect(f"ws://{host}/v1/play") as ws:
        await ws.send('{"type": "ping"}')
        assert await closed_with(ws) == 1008


@pytest.mark.parametrize("token", ["garbage", "", "eyJhbGciOiJub25lIn0.e30."])
async def test_bad_token_closes_with_1008(live: tuple[str, FastAPI], token: str) -> None:
    host, _ = live
    async with connect(f"ws://{host}/v1/play") as ws:
        await ws.send(orjson.dumps({"type": "hello", "token": token}).decode())
        assert await closed_with(ws) == 1008


async def test_token_in_the_url_is_ignored(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    async with connect(f"ws://{host}/v1/play?token={tokens['access_token']}") as ws:
        assert await closed_with(ws) == 1008  # still waits for hello, then times out


async def test_oversize_frame_closes_with_1009(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"]) as (player, _):
        await player.ws.send("x" * 70_000)
        assert await closed_with(player.ws) == 1009


async def test_ping_pong_and_bad_frames_get_errors(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"]) as (player, welcome):
        assert welcome["last_seq"] == 0
        assert welcome["player_id"] == tokens["player_id"]
        await player.send({"type": "ping"})
        assert await player.reply() == {"type": "pong"}
        await player.send({"type": "position", "lat": 999, "lon": 0, "accuracy": 5, "ts": 1})
        error = await player.reply()
        assert error["type"] == "error"
        assert error["code"] == "bad_frame"
        assert "lat" in error["message"]


async def test_a_visit_produces_enter_then_visit_with_increasing_seq(
    live: tuple[str, FastAPI],
) -> None:
    host, _ = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"]) as (player, welcome):
        await player.send({"type": "positions", "fixes": dwell_at(*RUDIAE, 25)})
        await player.events_until("poi.visit")
        events = await player.drain()
    async with Player.connect(host, tokens["access_token"], resume_after=0) as (player, welcome):
        events = [await player.recv() for _ in range(welcome["last_seq"])]
    geo = [(e["kind"], e["data"]["poi"]) for e in events if e["kind"].startswith("poi.")]
    assert geo == [("poi.enter", "porta_rudiae"), ("poi.visit", "porta_rudiae")]
    assert [e["seq"] for e in events] == list(range(1, welcome["last_seq"] + 1))
    assert '"lat"' not in orjson.dumps(events).decode()  # no coordinates ever go out


async def test_mock_fixes_are_rejected_with_a_reason(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    fixes = [{**fix, "mock": True} for fix in dwell_at(*RUDIAE, 25)]
    async with Player.connect(host, tokens["access_token"]) as (player, _):
        await player.send({"type": "positions", "fixes": fixes})
        events = await player.events_until("position.rejected")
    assert events[-1]["data"]["reason"] == "mock"
    assert not [e for e in events if e["kind"].startswith("poi.")]


async def test_fixes_closer_than_a_second_add_nothing(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    fixes = dwell_at(*RUDIAE, 25)
    # Every fix sent four times within the same second of device time: still one visit.
    jittered = [{**f, "ts": f["ts"] + d} for f in fixes for d in (0, 100, 300, 900)]
    async with Player.connect(host, tokens["access_token"]) as (player, _):
        await player.send({"type": "positions", "fixes": jittered})
        events = await player.events_until("poi.visit")
        events += await player.drain()
    geo = [e["kind"] for e in events if e["kind"].startswith("poi.")]
    assert geo == ["poi.enter", "poi.visit"]


async def test_a_flood_is_rate_limited_then_closed(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"]) as (player, _):
        fixes = dwell_at(*RUDIAE, 30)
        for fix in fixes:  # 31 frames at once: a burst of 20 is allowed, the rest dropped
            await player.send({"type": "position", **fix})
        events = await player.events_until("position.rejected")
        assert events[-1]["data"] == {"reason": "rate_limited", "ts": None}
        for fix in dwell_at(*RUDIAE, 200):  # sustained abuse: the socket is closed
            try:
                await player.send({"type": "position", **fix})
            except ConnectionClosed:
                break
        assert await closed_with(player.ws) == 1008


async def test_resume_replays_exactly_the_missed_events_in_order(
    live: tuple[str, FastAPI],
) -> None:
    host, _ = live
    tokens = await guest(host)
    token = tokens["access_token"]
    async with Player.connect(host, token) as (phone, _):
        await phone.send({"type": "positions", "fixes": dwell_at(*RUDIAE, 25)})
        seen = await phone.events_until("poi.visit")
        seen += await phone.drain()
    # While the phone is away, a second device of the same player earns more events.
    async with Player.connect(host, token) as (tablet, _):
        mocked = [{**dwell_at(40.3530, 18.1725, 0)[0], "mock": True}]
        await tablet.send({"type": "positions", "fixes": mocked})
        missed = await tablet.events_until("position.rejected")
    assert [e["seq"] for e in missed] == [seen[-1]["seq"] + 1]
    # The phone comes back having kept only its first event: it gets the rest, in order.
    kept = seen[0]["seq"]
    async with Player.connect(host, token, resume_after=kept) as (phone, welcome):
        replayed = await phone.drain()
    assert welcome["last_seq"] == missed[-1]["seq"]
    assert replayed == seen[1:] + missed


async def test_resume_from_the_future_gets_resync(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"], resume_after=99) as (player, _):
        assert await player.recv() == {"type": "resync"}


async def test_slow_consumer_is_cut_off_without_delaying_others(
    live: tuple[str, FastAPI],
) -> None:
    host, app = live
    slow_tokens, fast_tokens = await guest(host), await guest(host)
    async with connect(f"ws://{host}/v1/play", max_queue=1) as slow:
        # Hello at once: this server closes a socket silent for 0.5 s.
        await slow.send(
            orjson.dumps({"type": "hello", "token": slow_tokens["access_token"]}).decode()
        )
        assert orjson.loads(await slow.recv())["type"] == "welcome"  # subscribed from here on
        async with Player.connect(host, fast_tokens["access_token"]) as (fast, _):
            await _flood(app, slow, fast, slow_tokens["player_id"])


async def _flood(app: FastAPI, slow: Any, fast: Player, slow_player: str) -> None:
    """Publish far more to the slow phone than it and its queue hold, the fast one pinging."""
    channel = player_channel(uuid.UUID(slow_player))
    pad = "x" * 60_000
    for seq in range(1, 400):
        frame = {"type": "event", "seq": seq, "kind": "test", "data": {"pad": pad}}
        await app.state.backend.publish(channel, orjson.dumps(frame))
        if seq % 50 == 0:
            await fast.send({"type": "ping"})
            assert await fast.reply() == {"type": "pong"}
    # The slow phone never read: the server closed it with 1013 (reconnect and resume).
    code = await closed_with(slow, timeout_s=10)
    assert code == 1013


async def test_token_expiry_closes_the_socket(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    short = issue_access_token(
        uuid.UUID(tokens["player_id"]),
        secret=TEST_SECRET,
        now=utcnow() - timedelta(seconds=59),
        ttl_s=60,
    )
    async with Player.connect(host, short) as (player, _):
        assert await closed_with(player.ws) == 1008


async def test_a_kick_closes_the_players_sockets(live: tuple[str, FastAPI]) -> None:
    host, app = live
    tokens = await guest(host)
    async with Player.connect(host, tokens["access_token"]) as (player, _):
        await kick(app.state.backend, uuid.UUID(tokens["player_id"]), code=1008, reason="banned")
        assert await closed_with(player.ws) == 1008


COUNT = 200


async def test_many_players_connecting_at_once_all_get_in(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """Each hello writes (auto-started quests): on SQLite's single writer they queue in the
    worker instead of failing on the file lock."""
    url = copy_sqlite(sqlite_template, tmp_path)
    await publish_shipped(url)
    async with serving(make_settings(url)) as (host, _):
        await _all_get_in(host)


async def _all_get_in(host: str) -> None:
    players = [await guest(host) for _ in range(COUNT)]

    async def connect_and_ping(tokens: dict[str, str]) -> dict[str, Any]:
        # Generous but bounded: the hellos' writes queue one after another by design, so the
        # last welcome comes after COUNT writes (about 5 s on a busy 2-vCPU machine).
        async with Player.connect(host, tokens["access_token"], welcome_timeout_s=60) as (
            player,
            _,
        ):
            await player.send({"type": "ping"})
            return await player.reply(timeout_s=60)

    replies = await asyncio.gather(*(connect_and_ping(t) for t in players))
    assert replies == [{"type": "pong"}] * COUNT


async def test_origin_allowlist(database_url: str) -> None:
    await publish_shipped(database_url)
    settings = make_settings(database_url, allowed_origins=["https://app.lupiae.example"])
    async with serving(settings) as (host, _):
        tokens = await guest(host)
        with pytest.raises(InvalidStatus):
            async with connect(f"ws://{host}/v1/play", origin="https://evil.example"):
                pass
        async with connect(f"ws://{host}/v1/play", origin="https://app.lupiae.example") as ws:
            await ws.send(orjson.dumps({"type": "hello", "token": tokens["access_token"]}).decode())
            assert orjson.loads(await ws.recv())["type"] == "welcome"


async def test_a_new_hello_extends_an_expiring_session(live: tuple[str, FastAPI]) -> None:
    host, _ = live
    tokens = await guest(host)
    player_id = uuid.UUID(tokens["player_id"])
    # Ten seconds left: enough to connect and say hello again on a loaded machine.
    issued = utcnow() - timedelta(seconds=50)
    almost_expired = issue_access_token(player_id, secret=TEST_SECRET, now=issued, ttl_s=60)
    fresh = issue_access_token(player_id, secret=TEST_SECRET, now=utcnow(), ttl_s=600)
    async with Player.connect(host, almost_expired) as (player, _):
        await player.send({"type": "hello", "token": fresh})
        # Until just past the first token's expiry (the point of this test), not a guess.
        expiry = issued + timedelta(seconds=60)
        await asyncio.sleep((expiry - utcnow()).total_seconds() + 0.5)
        await player.send({"type": "ping"})
        assert await player.reply() == {"type": "pong"}


async def test_a_full_worker_refuses_new_sockets_with_1013_and_keeps_serving(
    database_url: str,
) -> None:
    await publish_shipped(database_url)
    async with serving(make_settings(database_url, max_sockets=1)) as (host, app):
        first, second = await guest(host), await guest(host)
        async with Player.connect(host, first["access_token"]) as (inside, _):
            async with connect(f"ws://{host}/v1/play") as ws:
                assert await closed_with(ws) == 1013  # refused before any hello
            await inside.send({"type": "ping"})
            assert (await inside.reply())["type"] == "pong"  # the player inside is served
        # The first socket is gone (once the server has finished with it): room again.
        async with asyncio.timeout(5):
            while app.state.gateway._open:  # noqa: ASYNC110 - the server's count, no event
                await asyncio.sleep(0.01)
        async with Player.connect(host, second["access_token"]) as (_, welcome):
            assert welcome["type"] == "welcome"
