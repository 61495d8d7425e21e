"""Object-level access: every social endpoint acts on the caller, and only with a token."""

from __future__ import annotations

import httpx
import pytest

from tests.quests.social.helpers import guest, team_code

ENDPOINTS = [
    ("POST", "/v1/teams", {"name": "Lupa"}),
    ("POST", "/v1/teams/join", {"code": "K7QM-4XPR-T"}),
    ("POST", "/v1/teams/leave", None),
    ("GET", "/v1/me/team", None),
    ("GET", "/v1/me/invite-code", None),
    ("POST", "/v1/friends", {"code": "K7QM-4XPR-T"}),
    ("GET", "/v1/friends", None),
    ("DELETE", "/v1/friends/00000000-0000-0000-0000-000000000001", None),
    ("GET", "/v1/feed", None),
    ("GET", "/v1/leaderboards/players-weekly", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_every_endpoint_needs_a_token(
    client: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_team_management_only_ever_touches_the_callers_membership(
    client: httpx.AsyncClient,
) -> None:
    ada, eve = await guest(client, "Ada"), await guest(client, "Eve")
    await team_code(client, ada, "Lupa")
    # Eve has no way to name Ada's team: no endpoint takes a team or player id to manage.
    assert (await client.post("/v1/teams/leave", headers=eve.headers)).status_code == 204
    assert (await client.get("/v1/me/team", headers=eve.headers)).status_code == 404
    team = (await client.get("/v1/me/team", headers=ada.headers)).json()
    assert team["members"] == [{"display_name": "Ada"}]  # names only: no ids, no positions


async def test_team_routes_take_no_ids(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    await team_code(client, ada)
    openapi = (await client.get("/openapi.json")).json()
    social = [p for p in openapi["paths"] if "team" in p or "friend" in p or "feed" in p]
    assert social
    assert [p for p in social if "{" in p] == ["/v1/friends/{player_id}"]
