"""Honest walks in real time, on a server whose clock the test moves (PostGIS + Redis).

The walkers are the `simulate` bots (1.4 m/s, 4 m of GPS noise, a fix a second); they upload
every 5 s. With the shipped settings they earn every reward they earned before the anti-cheat
checks; three accounts of one client earn one team coupon, the others are held for a
moderator; a player on record gets held coupons; a moderator releases or refuses them.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from content.model import Quest
from game_server.anticheat.attestation import KeyedTestAttestor
from game_server.kit.clock import utcnow
from quests.presence import shortest_walk_s
from tests.abuse.script import admin_token, at_site, client_ip, coupons, kinds, me, record_of
from tests.abuse.walkers import (
    FakeClock,
    Walker,
    outcome,
    plan,
    saturday_evening,
    shipped,
    sign_up,
    team_up,
    walk_together,
)
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, publish_shipped, serving

pytestmark = [pytest.mark.postgis, pytest.mark.redis, pytest.mark.slow]

BUNDLE = shipped()
POIS = {p.slug: p for p in BUNDLE.pois}


def coupon_quests(*, team: bool) -> list[Quest]:
    return [
        q
        for q in BUNDLE.quests
        if q.rewards.coupon and any(s.kind == "team" for s in q.steps) == team
    ]


@pytest.fixture
async def clocked(
    postgis_url: str, redis_url: str
) -> AsyncIterator[tuple[str, FakeClock, FastAPI]]:
    await publish_shipped(postgis_url)
    await forget_visit_prints(redis_url)  # the walks are seeded: a second run is no replay
    clock = FakeClock(saturday_evening(utcnow()))
    # The frame budget is per wall-clock second: the walk's minutes pass in seconds here.
    settings = make_settings(
        postgis_url,
        redis_url=redis_url,
        attestation="test",
        frames_per_s=10_000,
        frames_burst=10_000,
    )
    async with serving(settings, clock=clock) as (host, app):
        yield host, clock, app


async def forget_visit_prints(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match="lupiae:visitprint:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def walker(host: str, quest: Quest, rng: random.Random, token: str | None = None) -> Walker:
    fixes, answers = plan(BUNDLE, quest, rng)
    return Walker(quest, token or await sign_up(f"http://{host}"), fixes, answers)


def earned_today(quest: Quest) -> dict[str, Any]:
    """What the quest paid before the anti-cheat checks: all of it."""
    return {"completed": True, "xp": quest.rewards.xp, "coupon": "issued"}


@pytest.mark.parametrize(
    ("city", "shortest"),
    [
        ("lecce", "lecce-di-sera"),  # about 5 minutes' walk; Fri–Sun evenings
        ("bergamo", "cuore-di-citta-alta"),
    ],
)
async def test_a_fresh_guest_walking_the_shortest_coupon_quest_earns_its_coupon(
    clocked: tuple[str, FakeClock, FastAPI], city: str, shortest: str
) -> None:
    host, clock, _ = clocked
    quest = min(
        (q for q in coupon_quests(team=False) if q.city == city),
        key=lambda q: shortest_walk_s(q, POIS, walk_mps=1.4, default_dwell_s=20),
    )
    assert quest.slug == shortest
    w = await walker(host, quest, random.Random(17))
    await walk_together(host, clock, [w])
    got = outcome(w)
    assert {k: got[k] for k in ("completed", "xp", "coupon")} == earned_today(quest)
    mine = await coupons(f"http://{host}", w.token)
    assert [(c["template"], c["state"]) for c in mine] == [(quest.rewards.coupon, "active")]


async def test_honest_walkers_earn_every_reward_of_every_coupon_quest(
    clocked: tuple[str, FakeClock, FastAPI], postgis_url: str
) -> None:
    host, clock, _ = clocked
    rng = random.Random(2026)
    walkers = [await walker(host, q, rng) for q in coupon_quests(team=False)]
    (team_quest,) = coupon_quests(team=True)
    team = [await walker(host, team_quest, rng) for _ in range(3)]  # three phones, three clients
    await team_up(f"http://{host}", [w.token for w in team])
    await walk_together(host, clock, walkers + team)
    base = f"http://{host}"
    auth = await admin_token(postgis_url, base)
    for w in walkers + team:
        got = outcome(w)
        if got["coupon"] != "issued":  # say why
            got["record"] = await record_of(base, auth, await me(base, w.token))
        assert {k: got[k] for k in ("completed", "xp", "coupon")} == earned_today(w.quest), (
            w.quest.slug,
            got,
        )
        assert [c["state"] for c in await coupons(f"http://{host}", w.token)] == ["active"]


async def test_one_client_with_three_accounts_walking_the_team_quest_gets_one_coupon(
    clocked: tuple[str, FakeClock, FastAPI], postgis_url: str
) -> None:
    host, clock, _ = clocked
    base = f"http://{host}"
    (quest,) = coupon_quests(team=True)
    client = client_ip()
    rng = random.Random(3)
    team = [await walker(host, quest, rng, await sign_up(base, client)) for _ in range(3)]
    await team_up(base, [w.token for w in team])
    await walk_together(host, clock, team)
    states = sorted(outcome(w)["coupon"] for w in team)
    assert states == ["held", "held", "issued"]
    auth = await admin_token(postgis_url, base)
    held = [w for w in team if outcome(w)["coupon"] == "held"]
    for w in held:
        record = await record_of(base, auth, await me(base, w.token))
        assert "shared_client" in kinds(record)
        (coupon,) = record["held_coupons"]
        assert coupon["hold_reason"].startswith("another account of the same client")
        (italian,) = (await record_of(base, auth, await me(base, w.token), "it"))["held_coupons"]
        assert italian["hold_reason"].startswith("un altro account dallo stesso dispositivo")
    release, refuse = [await coupons(base, w.token) for w in held]
    async with httpx.AsyncClient(base_url=base, headers=auth) as http:
        ok = await http.post(
            f"/admin/v1/anticheat/coupons/{release[0]['code']}/release",
            json={"note": "three friends on one hotel Wi-Fi"},
        )
        assert ok.status_code == 200
        assert ok.json()["state"] == "issued"
        no = await http.post(
            f"/admin/v1/anticheat/coupons/{refuse[0]['code']}/refuse", json={"note": "one phone"}
        )
        assert no.json()["state"] == "refused"
        again = await http.post(f"/admin/v1/anticheat/coupons/{refuse[0]['code']}/release", json={})
        assert again.status_code == 409
        listed = await http.get("/admin/v1/anticheat/players", params={"min_risk": 10})
        assert {await me(base, w.token) for w in held} <= {p["player_id"] for p in listed.json()}
    assert [c["state"] for c in await coupons(base, held[0].token)] == ["active"]
    (refused,) = await coupons(base, held[1].token)
    assert refused["state"] == "refused"
    assert refused["hold_reason"] == "refused by a moderator: one phone"
    (refused,) = await coupons(base, held[1].token, "it")
    assert refused["hold_reason"] == "rifiutato da un moderatore: one phone"


async def test_a_player_on_record_walks_honestly_and_the_coupon_is_held_with_a_reason(
    clocked: tuple[str, FakeClock, FastAPI],
) -> None:
    host, clock, _ = clocked
    quest = next(q for q in coupon_quests(team=False) if q.slug == "lecce-di-sera")
    w = await walker(host, quest, random.Random(5))
    start_ms = int(clock.now.timestamp() * 1000)
    async with Player.connect(host, w.token) as (phone, _):
        await phone.drain()
        mocked = at_site("porta_rudiae", start_ms - 60_000, 10, mock=True)
        await phone.send({"type": "positions", "fixes": mocked})
        await phone.events_until("position.rejected")
    await walk_together(host, clock, [w])
    assert outcome(w)["coupon"] == "held"
    issued = next(e for e in w.events if e["kind"] == "coupon.issued")
    assert issued["data"]["hold_reason"].startswith("risk score 10")
    (mine,) = await coupons(f"http://{host}", w.token)
    assert mine["state"] == "held"
    assert mine["hold_reason"] == issued["data"]["hold_reason"]


async def test_device_attestation_plug(clocked: tuple[str, FakeClock, FastAPI]) -> None:
    host, _, app = clocked
    base = f"http://{host}"
    token = await sign_up(base)
    player_id = await me(base, token)
    attestor = app.state.settings  # the test attestor signs with the server's secret

    good = KeyedTestAttestor(attestor.secret_key).token_for(__import__("uuid").UUID(player_id))
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=auth) as http:
        bad = await http.post("/v1/me/attestation", json={"platform": "test", "token": "forged"})
        assert bad.status_code == 422
        assert bad.json()["type"].endswith("attestation-refused")
        ok = await http.post("/v1/me/attestation", json={"platform": "test", "token": good})
        assert ok.status_code == 200
        assert ok.json()["attested"] is True
