"""Each attack of issue #17, scripted against two real workers (PostGIS + Redis): it earns
no coupon, and the player's record says why (docs/anti-cheat.md)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import httpx
import pytest

from tests.abuse.conftest import SIGNUPS_PER_CLIENT
from tests.abuse.script import (
    SITES,
    admin_token,
    at_site,
    batch_walk,
    client_ip,
    coupons,
    guest,
    kinds,
    me,
    record_of,
)
from tests.game_server.gateway.live import Player

pytestmark = [pytest.mark.postgis, pytest.mark.redis, pytest.mark.slow]

GATES = ["porta_napoli", "porta_san_biagio", "porta_rudiae"]


def host(url: str) -> str:
    return url.removeprefix("http://")


async def farm_gates(url: str, token: str) -> list[dict[str, Any]]:
    """The script: start the quest, one batch of fixes dated now−290 s on, the quiz answer."""
    fixes = batch_walk(GATES, int(time.time() * 1000) - 290_000)
    assert len(fixes) == 9
    async with Player.connect(host(url), token) as (phone, _):
        await phone.drain()
        await phone.send({"type": "start", "quest": "porte-della-citta"})
        await phone.send({"type": "positions", "fixes": fixes})
        seen = await phone.events_until("poi.exit")  # Napoli, then on
        seen += await until_visit(phone, "porta_rudiae")
        await phone.send(
            {"type": "answer", "quest": "porte-della-citta", "step": "quiz", "answer": "Rudiae"}
        )
        seen += await phone.events_until("quest.completed")
        for _ in range(20):  # the coupon's verdict follows the completion in its unit of work
            seen += await phone.drain()
            if {"coupon.withheld", "coupon.issued"} & {e["kind"] for e in seen}:
                break
            await asyncio.sleep(0.1)
    return seen


async def until_visit(phone: Player, poi: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while not any(e["kind"] == "poi.visit" and e["data"]["poi"] == poi for e in seen):
        seen += await phone.events_until("poi.visit")
    return seen


async def test_a_late_batch_and_the_quiz_complete_the_quest_but_earn_no_coupon(
    workers: list[str], postgis_url: str
) -> None:
    a, _ = workers
    tokens = await guest(a, client_ip())
    seen = await farm_gates(a, tokens["access_token"])
    by_kind = {e["kind"] for e in seen}
    # Late fixes still count for visits, XP and badges...
    assert {"quest.completed", "xp.gained", "badge.awarded"} <= by_kind
    # ...but not for the coupon: in server time the gates were seconds apart.
    assert "coupon.issued" not in by_kind
    withheld = next(e for e in seen if e["kind"] == "coupon.withheld")
    assert withheld["data"]["template"] == "caffe-in-piazza"
    assert "a walk needs" in withheld["data"]["reason"]
    assert await coupons(a, tokens["access_token"]) == []
    auth = await admin_token(postgis_url, a)
    record = await record_of(a, auth, await me(a, tokens["access_token"]))
    late = next(r for r in record["evidence"] if r["kind"] == "late_batch")
    assert late["evidence"]["seen_s"] < late["evidence"]["needed_s"]


async def test_twenty_guests_from_one_client_earn_nothing(
    workers: list[str], postgis_url: str
) -> None:
    a, b = workers
    client = client_ip()
    made, refused = [], 0
    async with httpx.AsyncClient() as http:
        for i in range(20):
            url = (a, b)[i % 2]  # both workers share the count (Redis)
            r = await http.post(f"{url}/v1/auth/guest", headers={"X-Forwarded-For": client})
            if r.status_code == 429:
                refused += 1
                assert r.json()["type"].endswith("guest-signup-limited")
            else:
                assert r.status_code == 201
                made.append(r.json()["access_token"])
    assert (len(made), refused) == (SIGNUPS_PER_CLIENT, 20 - SIGNUPS_PER_CLIENT)
    for token in made:
        await farm_gates(a, token)
        assert await coupons(a, token) == []
    auth = await admin_token(postgis_url, a)
    for token in made:
        assert {"signup_burst", "late_batch"} <= kinds(await record_of(a, auth, await me(a, token)))


async def test_one_client_with_three_accounts_gets_no_team_coupon(
    workers: list[str], postgis_url: str
) -> None:
    a, _ = workers
    client = client_ip()
    tokens = [(await guest(a, client))["access_token"] for _ in range(3)]
    async with httpx.AsyncClient(base_url=a) as http:
        team = await http.post(
            "/v1/teams", json={"name": f"Farm {client}"}, headers=_auth(tokens[0])
        )
        team.raise_for_status()
        for token in tokens[1:]:
            joined = await http.post(
                "/v1/teams/join", json={"code": team.json()["join_code"]}, headers=_auth(token)
            )
            joined.raise_for_status()
    start = int(time.time() * 1000) - 200_000
    for step, site in enumerate(["piazza_sant_oronzo", "piazza_duomo"]):
        for token in tokens:
            async with Player.connect(host(a), token) as (phone, _):
                await phone.drain()
                if step == 0:
                    await phone.send({"type": "start", "quest": "insieme-in-piazza"})
                fixes = at_site(site, start + step * 60_000, 30, every_s=5)
                await phone.send({"type": "positions", "fixes": fixes})
                await until_visit(phone, site)
    async with Player.connect(host(a), tokens[-1], resume_after=0) as (phone, _):
        seen = await phone.events_until("quest.completed", timeout_s=30)  # XP, badge paid
        for _ in range(20):
            seen += await phone.drain()
            if "coupon.withheld" in {e["kind"] for e in seen}:
                break
            await asyncio.sleep(0.1)
    assert "coupon.issued" not in {e["kind"] for e in seen}
    for token in tokens:
        assert await coupons(a, token) == []
    auth = await admin_token(postgis_url, a)
    assert "late_batch" in kinds(await record_of(a, auth, await me(a, tokens[0])))


async def test_a_replayed_trace_is_on_record(workers: list[str], postgis_url: str) -> None:
    a, b = workers
    honest, copycat = await guest(a, client_ip()), await guest(b, client_ip())
    now = int(time.time() * 1000)
    trace = at_site("porta_rudiae", now - 60_000, 25)
    async with Player.connect(host(a), honest["access_token"]) as (phone, _):
        await phone.drain()
        await phone.send({"type": "positions", "fixes": trace})
        await until_visit(phone, "porta_rudiae")
    replay = [{**f, "ts": f["ts"] + 30_000} for f in trace]  # fresh timestamps
    async with Player.connect(host(b), copycat["access_token"]) as (phone, _):
        await phone.drain()
        await phone.send({"type": "positions", "fixes": replay})
        await until_visit(phone, "porta_rudiae")
        await phone.drain()
    auth = await admin_token(postgis_url, a)
    record = await record_of(a, auth, await me(a, copycat["access_token"]))
    replayed = next(r for r in record["evidence"] if r["kind"] == "replay")
    assert replayed["evidence"] == {
        "poi": "porta_rudiae",
        "ts": replayed["evidence"]["ts"],
        "same_player": False,
    }
    assert record["risk"] >= record["threshold"]  # any coupon of theirs is now held
    assert "replay" not in kinds(await record_of(a, auth, await me(a, honest["access_token"])))


async def test_mock_fixes_are_on_record_before_the_same_fixes_unflagged(
    workers: list[str], postgis_url: str
) -> None:
    a, _ = workers
    tokens = await guest(a, client_ip())
    now = int(time.time() * 1000)
    async with Player.connect(host(a), tokens["access_token"]) as (phone, _):
        await phone.drain()
        mocked = at_site("porta_rudiae", now - 100_000, 25, mock=True)
        await phone.send({"type": "positions", "fixes": mocked})
        rejected = await phone.events_until("position.rejected")
        assert rejected[-1]["data"]["reason"] == "mock"
        await phone.send(
            {
                "type": "positions",
                "fixes": [{**f, "mock": False, "ts": f["ts"] + 40_000} for f in mocked],
            }
        )
        await until_visit(phone, "porta_rudiae")
        await phone.drain()
    auth = await admin_token(postgis_url, a)
    record = await record_of(a, auth, await me(a, tokens["access_token"]))
    assert "mock" in kinds(record)
    assert record["risk"] >= record["threshold"]


async def test_a_claimed_accuracy_does_not_turn_288_km_h_into_a_walk(
    workers: list[str], postgis_url: str
) -> None:
    a, _ = workers
    tokens = await guest(a, client_ip())
    lat, lon = SITES["porta_rudiae"]
    east = 80 / (111_320 * math.cos(math.radians(lat)))  # 80 m of longitude
    now = int(time.time() * 1000)
    fixes = [
        {"lat": lat, "lon": lon + i * east, "accuracy": 35.0, "ts": now - 10_000 + i * 1000}
        for i in range(8)
    ]
    async with Player.connect(host(a), tokens["access_token"]) as (phone, _):
        await phone.drain()
        await phone.send({"type": "positions", "fixes": fixes})
        seen = await phone.events_until("position.rejected")
        seen += await phone.drain()
    assert [e["data"]["reason"] for e in seen if e["kind"] == "position.rejected"] == [
        "implausible_speed"
    ]  # one notice per reason per 10 s; the record has the rest
    assert not [e for e in seen if e["kind"] == "poi.visit"]
    auth = await admin_token(postgis_url, a)
    record = await record_of(a, auth, await me(a, tokens["access_token"]))
    speed = next(r for r in record["evidence"] if r["kind"] == "speed")
    assert speed["evidence"]["apart_m"] == 80
    assert speed["evidence"]["claimed_accuracy_m"] == 35.0


async def test_one_player_on_two_sockets_is_in_one_place(
    workers: list[str], postgis_url: str
) -> None:
    a, b = workers
    tokens = await guest(a, client_ip())
    start = int(time.time() * 1000) - 60_000
    napoli = at_site("porta_napoli", start, 25, every_s=5)
    biagio = at_site("porta_san_biagio", start, 25, every_s=5)  # 844 m away, same times
    token = tokens["access_token"]
    async with (
        Player.connect(host(a), token) as (phone, _),
        Player.connect(host(b), token) as (tablet, _),
    ):
        await phone.drain()
        await tablet.drain()
        for here, there in zip(napoli, biagio, strict=True):
            await asyncio.gather(
                phone.send({"type": "position", **here}),
                tablet.send({"type": "position", **there}),
            )
        seen = await phone.drain() + await tablet.drain()
        for _ in range(50):  # both sockets get every event; stop when quiet
            more = await phone.drain()
            if not more:
                break
            seen += more
    visited = {e["data"]["poi"] for e in seen if e["kind"] == "poi.visit"}
    assert len(visited) <= 1, visited
    reasons = {e["data"]["reason"] for e in seen if e["kind"] == "position.rejected"}
    assert "two_places" in reasons
    auth = await admin_token(postgis_url, a)
    record = await record_of(a, auth, await me(a, token))
    apart = next(r for r in record["evidence"] if r["kind"] == "two_places")
    assert apart["evidence"]["apart_m"] > 800


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
