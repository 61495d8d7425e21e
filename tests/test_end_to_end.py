"""A player plays a shipped quest end to end over a real socket (issues 5, 6, 7).

Guest → start "Le porte della città" → walk through its three gates with realistic device
times, uploading every minute, answering the quiz while standing at Porta Rudiae → the socket
brings every step, the completion, the badge, the coupon and the XP; the REST views agree; the
badge credential verifies with the published key, offline.

The server's clock is injected and moves with the walk: a coupon needs the walk to have
happened in server time (docs/anti-cheat.md), and the test does not wait 20 minutes for it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from game_server.kit.clock import utcnow
from game_server.players.models import Player as PlayerRow
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, guest, publish_shipped, serving

NAPOLI = (40.356503, 18.168469)
RUDIAE = (40.351345, 18.164581)
BIAGIO = (40.349949, 18.173484)
RIDE_MPS = 8.0  # a bicycle: well under the 15 m/s plausibility bound
WALK_MPS = 1.4  # this test walks: a coupon's legs are bounded at 2.5 m/s in server time
UPLOAD_EVERY = 60  # fixes per `positions` frame
QUEST = "porte-della-citta"


def _ride(
    a: tuple[float, float], b: tuple[float, float], mps: float = RIDE_MPS
) -> list[tuple[float, float]]:
    dy = (b[0] - a[0]) * 111_320
    dx = (b[1] - a[1]) * 111_320 * 0.7616  # cos(40.35°)
    steps = max(1, int((dx * dx + dy * dy) ** 0.5 / mps))
    return [
        (a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps)
        for i in range(1, steps)
    ]


def _stay(at: tuple[float, float], seconds: int) -> list[tuple[float, float]]:
    return [at] * seconds


def _fixes(points: list[tuple[float, float]], first_ts: int) -> list[dict[str, Any]]:
    return [
        {"lat": lat, "lon": lon, "accuracy": 5.0, "ts": first_ts + i * 1000}
        for i, (lat, lon) in enumerate(points)
    ]


class Clock:
    """The server's time, moved by the test as the walk goes on. It starts half an hour ago,
    so that the walk is over (and its badge valid) by the real time of the REST checks."""

    def __init__(self) -> None:
        self.now = utcnow() - timedelta(minutes=30)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def live(database_url: str, clock: Clock) -> AsyncIterator[tuple[str, FastAPI]]:
    await publish_shipped(database_url)
    # The frame budget is per wall-clock second: the walk's twenty minutes pass in seconds.
    settings = make_settings(database_url, frames_per_s=1000, frames_burst=1000)
    async with serving(settings, clock=clock) as server:
        yield server


async def signed_up_an_hour_ago(app: FastAPI, player_id: str) -> None:
    """The clock starts half an hour ago: so must the account (coupons ask for its age)."""
    async with app.state.session_factory() as session:
        player = await session.get(PlayerRow, uuid.UUID(player_id))
        assert player is not None
        player.created_at = utcnow() - timedelta(hours=1)
        await session.commit()


async def _upload(phone: Player, clock: Clock, fixes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As a phone that uploads every minute: the server gets each chunk after its last fix."""
    events = []
    for i in range(0, len(fixes), UPLOAD_EVERY):
        chunk = fixes[i : i + UPLOAD_EVERY]
        clock.now = max(clock.now, datetime.fromtimestamp(chunk[-1]["ts"] / 1000 + 1, UTC))
        await phone.send({"type": "positions", "fixes": chunk})
        events += await phone.drain()  # read before the clock moves on
    return events


async def test_a_shipped_quest_played_over_the_socket(
    live: tuple[str, FastAPI], clock: Clock
) -> None:
    host, app = live
    tokens = await guest(host)
    await signed_up_an_hour_ago(app, tokens["player_id"])
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    to_rudiae = _stay(NAPOLI, 25) + _ride(NAPOLI, RUDIAE, WALK_MPS) + _stay(RUDIAE, 36)
    to_biagio = _ride(RUDIAE, BIAGIO, WALK_MPS) + _stay(BIAGIO, 25)
    first_ts = int(clock.now.timestamp() * 1000)
    fixes = _fixes(to_rudiae + to_biagio, first_ts)

    async with Player.connect(host, tokens["access_token"]) as (phone, _):
        await phone.send({"type": "start", "quest": QUEST})
        events = await phone.drain()
        events += await _upload(phone, clock, fixes[: len(to_rudiae)])
        await phone.send({"type": "answer", "quest": QUEST, "step": "quiz", "answer": " rudìae "})
        events += await _upload(phone, clock, fixes[len(to_rudiae) :])
        if not any(e["kind"] == "quest.completed" for e in events):
            events += await phone.events_until("quest.completed", timeout_s=20)
        events += await phone.drain()

    mine = [e for e in events if e["data"].get("quest") in (QUEST, None)]
    steps = [e["data"]["step"] for e in mine if e["kind"] == "quest.step_completed"]
    assert sorted(steps) == ["biagio", "napoli", "quiz", "rudiae"]
    kinds = [e["kind"] for e in events]
    assert "quest.started" in kinds
    assert kinds.count("quest.completed") >= 1
    badge = next(e["data"] for e in events if e["kind"] == "badge.awarded")
    coupon = next(e["data"] for e in events if e["kind"] == "coupon.issued")
    assert "state" not in coupon  # issued, not held
    assert badge["badge"] == "custode-delle-porte"
    assert any(e["kind"] == "xp.gained" for e in events)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)

    async with httpx.AsyncClient(base_url=f"http://{host}", headers=auth) as http:
        quests = (await http.get("/v1/me/quests")).json()
        badges = (await http.get("/v1/me/badges")).json()
        coupons = (await http.get("/v1/me/coupons")).json()
        board = (await http.get("/v1/leaderboards/players-alltime")).json()
        credential = await http.get(
            f"/v1/me/badges/{badge['badge']}/credential", headers={"Accept": "application/json"}
        )
        jwks = (await http.get("/.well-known/jwks.json")).json()

    assert _completed(quests, QUEST)
    assert "custode-delle-porte" in _slugs(badges, "badge")
    assert coupon["code"] in [c["code"] for c in _items(coupons)]
    assert board["me"]["score"] >= 150
    token = credential.json()["jwt"]
    claims = jwt.decode(
        token, jwt.PyJWK(jwks["keys"][0]).key, algorithms=["EdDSA"], options={"verify_aud": False}
    )
    assert claims["sub"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(tampered, jwt.PyJWK(jwks["keys"][0]).key, algorithms=["EdDSA"])


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return body
    for key in ("items", "coupons", "badges", "quests", "runs"):
        if isinstance(body.get(key), list):
            return list(body[key])
    raise AssertionError(f"no list in {body!r}")


def _slugs(body: Any, key: str) -> list[str]:
    return [item.get(key) or item.get("slug") for item in _items(body)]


def _completed(body: Any, quest: str) -> bool:
    return any(
        (item.get("quest") or item.get("slug")) == quest
        and (item.get("completed_at") or item.get("state") == "completed" or item.get("completed"))
        for item in _items(body)
    )
