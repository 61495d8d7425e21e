from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from quests.social.feed import record
from tests.quests.social.helpers import (
    COORDINATE_KEYS,
    achieve,
    befriend,
    guest,
    keys_anywhere,
    team_code,
)


async def test_shows_own_friends_and_team_mates_newest_first(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada, bea, cai, eve = [await guest(client, n) for n in ("Ada", "Bea", "Cai", "Eve")]
    await befriend(client, ada, bea)
    code = await team_code(client, ada)
    await client.post("/v1/teams/join", json={"code": code}, headers=cai.headers)
    await achieve(app, ada, "quest.completed", quest="porte-della-citta", xp=150)
    await achieve(
        app, bea, "badge.awarded", badge="custode", title={"it": "Custode", "en": "Keeper"}
    )
    await achieve(app, eve, "level.up", level=3)  # a stranger: never in Ada's feed
    await achieve(app, cai, "level.up", level=2)
    response = await client.get("/v1/feed", headers=ada.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["display_name"], i["kind"]) for i in items] == [
        ("Cai", "level.up"),
        ("Bea", "badge.awarded"),
        ("Ada", "quest.completed"),
    ]
    assert items[1]["data"] == {"badge": "custode", "title": {"it": "Custode", "en": "Keeper"}}
    assert set(items[0]) == {"display_name", "me", "kind", "data", "at"}  # no player ids
    assert [i["me"] for i in items] == [False, False, True]
    assert not keys_anywhere(response.json()) & COORDINATE_KEYS
    # Eve sees only herself; Bea sees Ada (friend) but not Cai (Ada's team mate, not Bea's).
    eve_feed = (await client.get("/v1/feed", headers=eve.headers)).json()["items"]
    assert [i["display_name"] for i in eve_feed] == ["Eve"]
    bea_feed = (await client.get("/v1/feed", headers=bea.headers)).json()["items"]
    assert [i["display_name"] for i in bea_feed] == ["Bea", "Ada"]


async def test_pages_with_a_cursor(app: FastAPI, client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    for level in range(1, 6):
        await achieve(app, ada, "level.up", level=level)
    first = (await client.get("/v1/feed?limit=2", headers=ada.headers)).json()
    assert [i["data"]["level"] for i in first["items"]] == [5, 4]
    second = (
        await client.get(f"/v1/feed?limit=2&before={first['next_before']}", headers=ada.headers)
    ).json()
    assert [i["data"]["level"] for i in second["items"]] == [3, 2]
    last = (
        await client.get(f"/v1/feed?limit=2&before={second['next_before']}", headers=ada.headers)
    ).json()
    assert [i["data"]["level"] for i in last["items"]] == [1]
    assert last["next_before"] is None


async def test_leaving_a_friendship_or_team_hides_their_feed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada, bea, cai = [await guest(client, n) for n in ("Ada", "Bea", "Cai")]
    await befriend(client, ada, bea)
    code = await team_code(client, ada)
    await client.post("/v1/teams/join", json={"code": code}, headers=cai.headers)
    await achieve(app, bea, "level.up", level=2)
    await achieve(app, cai, "level.up", level=2)
    await client.delete(f"/v1/friends/{bea.id}", headers=ada.headers)
    await client.post("/v1/teams/leave", headers=cai.headers)
    assert (await client.get("/v1/feed", headers=ada.headers)).json()["items"] == []


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("quest.completed", {"lat": 40.3529, "lon": 18.1722}),
        ("quest.completed", {"poi": "duomo"}),
        ("quest.completed", {"quest": "x", "xp": 40.35}),  # floats never pass
        ("quest.completed", {"title": {"it": 1}}),
        ("quest.completed", {"title": {"position": "40.35,18.17"}}),
        ("quest.completed", {"quest": ["a", "b"]}),
        ("quest.completed", {"quest": "x" * 201}),
        ("Quest Completed", {}),
        ("visit", {}),
    ],
)
async def test_records_only_whitelisted_achievements(
    app: FastAPI, client: httpx.AsyncClient, kind: str, data: dict[str, object]
) -> None:
    ada = await guest(client, "Ada")
    async with app.state.session_factory() as session:
        with pytest.raises(ValueError, match="feed"):
            await record(session, ada.id, kind, data)
        await session.rollback()


async def test_feed_limits_are_checked(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    for query in ("limit=0", "limit=101", "before=0", "before=abc"):
        assert (await client.get(f"/v1/feed?{query}", headers=ada.headers)).status_code == 422
