"""GET /v1/leaderboards/{board}, embedded (database) and with Redis: the same answers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from game_server.app import create_app
from game_server.kit.clock import utcnow
from quests.social.leaderboards import iso_week
from quests.social.settings import SocialSettings
from tests.conftest import make_settings
from tests.quests.social.helpers import (
    COORDINATE_KEYS,
    befriend,
    give_xp,
    guest,
    keys_anywhere,
    team_code,
)


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
async def board_app(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[FastAPI]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    application = create_app(make_settings(database_url, redis_url=redis_url))
    application.state.social_settings = SocialSettings(
        leaderboard_prefix=f"test:{uuid.uuid4().hex}:"
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def board_client(board_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=board_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_top_my_rank_and_neighbours(
    board_app: FastAPI, board_client: httpx.AsyncClient
) -> None:
    client = board_client
    players = [await guest(client, f"P{i}") for i in range(6)]
    for i, player in enumerate(players):
        await give_xp(board_app, player, 100 - i * 10)
    me = players[3]
    response = await client.get(
        "/v1/leaderboards/players-alltime?limit=2&around=1", headers=me.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["board"] == "players-alltime"
    assert body["period"] == "alltime"
    assert body["top"] == [
        {"rank": 1, "display_name": "P0", "me": False, "score": 100},
        {"rank": 2, "display_name": "P1", "me": False, "score": 90},
    ]
    assert body["me"] == {"rank": 4, "score": 70}
    assert [(e["rank"], e["display_name"], e["me"]) for e in body["around_me"]] == [
        (3, "P2", False),
        (4, "P3", True),
        (5, "P4", False),
    ]
    assert "player_id" not in str(body)
    assert not keys_anywhere(body) & COORDINATE_KEYS


async def test_weekly_is_this_week_in_rome_only(
    board_app: FastAPI, board_client: httpx.AsyncClient
) -> None:
    ada, bea = await guest(board_client, "Ada"), await guest(board_client, "Bea")
    await give_xp(board_app, ada, 500, at=utcnow() - timedelta(days=8))
    await give_xp(board_app, bea, 20)
    weekly = (await board_client.get("/v1/leaderboards/players-weekly", headers=ada.headers)).json()
    assert weekly["period"] == iso_week(utcnow())
    assert [(e["display_name"], e["score"]) for e in weekly["top"]] == [("Bea", 20)]
    assert weekly["me"] is None
    assert weekly["around_me"] == []
    alltime = (
        await board_client.get("/v1/leaderboards/players-alltime", headers=ada.headers)
    ).json()
    assert [(e["display_name"], e["score"]) for e in alltime["top"]] == [("Ada", 500), ("Bea", 20)]


async def test_team_boards_rank_the_callers_team(
    board_app: FastAPI, board_client: httpx.AsyncClient
) -> None:
    client = board_client
    ada, bea, cai, dan = [await guest(client, n) for n in ("Ada", "Bea", "Cai", "Dan")]
    lupa = await team_code(client, ada, "Lupa")
    await client.post("/v1/teams/join", json={"code": lupa}, headers=bea.headers)
    await team_code(client, cai, "Leccio")
    for player, xp in ((ada, 30), (bea, 30), (cai, 50), (dan, 99)):
        await give_xp(board_app, player, xp)
    for board in ("teams-weekly", "teams-alltime"):
        body = (await client.get(f"/v1/leaderboards/{board}", headers=cai.headers)).json()
        assert body["top"][0]["display_name"] == "Lupa"
        assert set(body["top"][0]) == {"rank", "team_id", "display_name", "score"}
        assert [(e["display_name"], e["score"]) for e in body["top"]] == [
            ("Lupa", 60),
            ("Leccio", 50),
        ]
        assert body["me"] == {"rank": 2, "score": 50}
    teamless = (await client.get("/v1/leaderboards/teams-alltime", headers=dan.headers)).json()
    assert teamless["me"] is None


async def test_friends_board_is_the_caller_and_friends(
    board_app: FastAPI, board_client: httpx.AsyncClient
) -> None:
    client = board_client
    ada, bea, cai, eve = [await guest(client, n) for n in ("Ada", "Bea", "Cai", "Eve")]
    await befriend(client, ada, bea)
    await befriend(client, ada, cai)
    for player, xp in ((ada, 10), (bea, 40), (eve, 1000)):
        await give_xp(board_app, player, xp)
    body = (await client.get("/v1/leaderboards/friends-alltime", headers=ada.headers)).json()
    assert [(e["display_name"], e["score"]) for e in body["top"]] == [
        ("Bea", 40),
        ("Ada", 10),
        ("Cai", 0),
    ]
    assert body["me"] == {"rank": 2, "score": 10}


async def test_unknown_board_is_a_404_problem(board_client: httpx.AsyncClient) -> None:
    ada = await guest(board_client, "Ada")
    for name in ("players", "players-daily", "merchants-weekly", "x"):
        response = await board_client.get(f"/v1/leaderboards/{name}", headers=ada.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "players-weekly" in response.json()["boards"]
    too_many = await board_client.get(
        "/v1/leaderboards/players-weekly?limit=1000", headers=ada.headers
    )
    assert too_many.status_code == 422
