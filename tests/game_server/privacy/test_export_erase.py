"""A played game, exported and erased (SQLite + in-process backend; PostGIS + real Redis).

Two players befriend each other and share a team; one plays a shipped quest over a real socket
(a wrong answer first), earns a badge, XP and a coupon, and spends the coupon at the shop. The
export holds every row the database keeps naming that player; after `DELETE /v1/me` no row and
no Redis key names the player, the tokens are refused, the open socket was closed, and the
shop's history still shows the redemption.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis import asyncio as aioredis
from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed

from game_server.kit.db import Base
from game_server.kit.pubsub import MemoryBackend
from game_server.privacy.export import naming
from game_server.privacy.plan import PLAN
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, guest, publish_shipped, serving
from tests.rewards.helpers import shop
from tests.test_end_to_end import (
    BIAGIO,
    NAPOLI,
    QUEST,
    RUDIAE,
    WALK_MPS,
    Clock,
    _fixes,
    _ride,
    _stay,
    _upload,
    signed_up_an_hour_ago,
)

# Sections a played game (as above) must fill; visited_sites only appears after pruning.
PLAYED = {
    "profile",
    "sessions",
    "event_cursor",
    "events",
    "visits",
    "quest_runs",
    "step_completions",
    "quest_completions",
    "xp_awards",
    "badges",
    "play_days",
    "quiz_failures",
    "team",
    "invite_code",
    "friends",
    "feed",
    "scores",
    "coupons",
    "redemptions",
    "tracker",
}


@pytest.fixture
async def live(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Any]:
    """SQLite with the in-process backend; PostGIS with a real Redis."""
    postgis = database_url.startswith("postgresql")
    redis_url = request.getfixturevalue("redis_url") if postgis else None
    await publish_shipped(database_url)
    # The game is walked in server time (a coupon needs it: docs/anti-cheat.md) on a clock the
    # test moves; the frame budget is per wall-clock second.
    clock = Clock()
    settings = make_settings(
        database_url, redis_url=redis_url, frames_per_s=1000, frames_burst=1000
    )
    async with serving(settings, clock=clock) as (host, app):
        app.state.walk_clock = clock
        yield host, app


async def _play(host: str, tokens: dict[str, str], clock: Clock) -> Player:
    path = _stay(NAPOLI, 25) + _ride(NAPOLI, RUDIAE, WALK_MPS) + _stay(RUDIAE, 36)
    rest = _ride(RUDIAE, BIAGIO, WALK_MPS) + _stay(BIAGIO, 25)
    fixes = _fixes(path + rest, int(clock.now.timestamp() * 1000))
    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "start", "quest": QUEST})
        await phone.drain()
        await _upload(phone, clock, fixes[: len(path)])
        await phone.send({"type": "answer", "quest": QUEST, "step": "quiz", "answer": "Lupiae"})
        await phone.reply()  # the wrong answer's error frame
        await phone.send({"type": "answer", "quest": QUEST, "step": "quiz", "answer": "rudiae"})
        seen = await _upload(phone, clock, fixes[len(path) :])
        if not any(e["kind"] == "coupon.issued" for e in seen):
            await phone.events_until("coupon.issued", timeout_s=20)
        await phone.drain()
    return phone


async def _befriend_and_team(http: httpx.AsyncClient, me: dict[str, str], mate: dict[str, str]):
    mine = {"Authorization": f"Bearer {me['access_token']}"}
    theirs = {"Authorization": f"Bearer {mate['access_token']}"}
    team = await http.post("/v1/teams", json={"name": "Contrada"}, headers=mine)
    assert team.status_code == 201, team.text
    joined = await http.post(
        "/v1/teams/join", json={"code": team.json()["join_code"]}, headers=theirs
    )
    assert joined.status_code == 200, joined.text
    code = (await http.get("/v1/me/invite-code", headers=mine)).json()["code"]
    assert (await http.post("/v1/friends", json={"code": code}, headers=theirs)).status_code == 201


async def _rows_naming(app: FastAPI, player_id: uuid.UUID) -> dict[str, int]:
    """Rows per plan section that name the player, straight from the database."""
    counts = {}
    async with app.state.session_factory() as session:
        for section in PLAN:
            table = Base.metadata.tables[section.table]
            stmt = select(func.count()).select_from(table)
            stmt = stmt.where(naming(table, section, player_id))
            counts[section.section] = int((await session.execute(stmt)).scalar_one())
    return counts


async def _anything_naming(app: FastAPI, player_id: uuid.UUID) -> list[str]:
    """Every (table, column) whose value contains the id, over the whole database."""
    found = []
    needles = {str(player_id), player_id.hex}
    async with app.state.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    text = str(value) if not isinstance(value, bytes) else value.hex()
                    if any(n in text.replace("-", "") or n in text for n in needles):
                        found.append(f"{table.name}.{column}")
    return found


async def _backend_naming(app: FastAPI, player_id: uuid.UUID, redis_url: str | None) -> list[str]:
    needle = str(player_id)
    if redis_url is None:
        backend = app.state.backend
        assert isinstance(backend, MemoryBackend)
        keys = [
            k
            for k in backend._values
            if needle in k or needle.encode() in _bytes(backend._values[k])
        ]
        members = [k for k, s in backend._sorted.items() if needle in k or needle in s]
        return keys + members
    redis = aioredis.Redis.from_url(redis_url)
    found = []
    try:
        async for key in redis.scan_iter(count=1000):
            name = key.decode()
            kind = (await redis.type(key)).decode()
            if needle in name:
                found.append(name)
            elif kind == "zset" and await redis.zscore(key, needle) is not None:
                found.append(f"{name} (member)")
            elif kind == "string" and needle.encode() in (await redis.get(key) or b""):
                found.append(f"{name} (value)")
    finally:
        await redis.aclose()
    return found


async def _until_closed(phone: Player) -> None:
    for _ in range(100):  # bounded: the close frame comes after a few events at most
        await phone.recv(10)


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


async def test_export_then_erase_a_played_game(live: Any) -> None:
    host, app = live
    redis_url = app.state.settings.redis_url
    me, mate = await guest(host), await guest(host)
    player_id = uuid.UUID(me["player_id"])
    auth = {"Authorization": f"Bearer {me['access_token']}"}
    async with httpx.AsyncClient(base_url=f"http://{host}") as http:
        await _befriend_and_team(http, me, mate)
        await signed_up_an_hour_ago(app, me["player_id"])
        await _play(host, me, app.state.walk_clock)
        coupon = (await http.get("/v1/me/coupons", headers=auth)).json()[0]
        code = coupon["code"]
        the_shop = await shop(app, slug=coupon["merchant"]["slug"])
        redeemed = await http.post(
            "/merchant/v1/redemptions",
            json={"code": code},
            headers={**the_shop.auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert redeemed.status_code == 201, redeemed.text
        # The board cache is built when read, so that erase must remove the player from it.
        assert (await http.get("/v1/leaderboards/players-alltime", headers=auth)).status_code == 200

        exported = await http.get("/v1/me/export", headers=auth)
        assert exported.status_code == 200
        document = exported.json()
        stored = await _rows_naming(app, player_id)
        for section, count in stored.items():
            assert (
                len(document[section] if section != "profile" else [document[section]]) == count
            ), section
        filled = {k for k, v in document.items() if v not in (None, [], {})}
        assert filled >= PLAYED, PLAYED - filled
        assert all("token_hash" not in s for s in document["sessions"])
        assert document["redemptions"][0]["coupon_id"] == document["coupons"][0]["id"]

        async with Player.connect(host, me["access_token"]) as (phone, _):
            refused = await http.delete("/v1/me", headers=auth)
            assert refused.status_code == 422
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert (await _rows_naming(app, player_id)) == stored
            erased = await http.delete("/v1/me", params={"confirm": str(player_id)}, headers=auth)
            assert erased.status_code == 204
            with pytest.raises(ConnectionClosed) as closed:
                await _until_closed(phone)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1008

        for _ in range(100):  # the socket's worker deletes the tracker state as it closes
            if not await _backend_naming(app, player_id, redis_url):
                break
            await asyncio.sleep(0.05)
        assert await _backend_naming(app, player_id, redis_url) == []
        assert await _anything_naming(app, player_id) == []
        assert (await http.get("/v1/me", headers=auth)).status_code == 401
        again = await http.post("/v1/auth/refresh", json={"refresh_token": me["refresh_token"]})
        assert again.status_code == 401
        history = await http.get("/merchant/v1/redemptions", headers=the_shop.auth)
        assert code in history.text
        mate_auth = {"Authorization": f"Bearer {mate['access_token']}"}
        team = (await http.get("/v1/me/team", headers=mate_auth)).json()
        assert team["member_count"] == 1
