"""Factories for the social endpoint tests: players, XP and feed items, by keyword."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from game_server.kit.clock import utcnow
from quests.social import feed
from quests.social.leaderboards import RedisLeaderboardStore, leaderboard_store, record_xp
from quests.social.teams import team_of


class Guest:
    def __init__(self, player_id: str, token: str, name: str) -> None:
        self.id = uuid.UUID(player_id)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.name = name


async def guest(client: httpx.AsyncClient, name: str) -> Guest:
    response = await client.post("/v1/auth/guest", json={"display_name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return Guest(body["player_id"], body["access_token"], name)


async def give_xp(app: FastAPI, player: Guest, xp: int, *, at: datetime | None = None) -> None:
    """What the quest engine does: XP to the player and to their current team."""
    async with app.state.session_factory() as session:
        store = leaderboard_store(app.state, session)
        team_id = await team_of(session, player.id)
        await record_xp(store, player.id, team_id, xp, at or utcnow())
        await session.commit()
    if isinstance(store, RedisLeaderboardStore):
        await store.settled()


async def achieve(app: FastAPI, player: Guest, kind: str, **data: Any) -> None:
    async with app.state.session_factory() as session:
        await feed.record(session, player.id, kind, data)
        await session.commit()


async def team_code(client: httpx.AsyncClient, owner: Guest, name: str = "Contrada") -> str:
    response = await client.post("/v1/teams", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    code: str = response.json()["join_code"]
    return code


async def befriend(client: httpx.AsyncClient, a: Guest, b: Guest) -> None:
    code = (await client.get("/v1/me/invite-code", headers=b.headers)).json()["code"]
    response = await client.post("/v1/friends", json={"code": code}, headers=a.headers)
    assert response.status_code in (200, 201), response.text


def keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


COORDINATE_KEYS = {"lat", "lon", "lng", "latitude", "longitude", "position", "accuracy", "geom"}
