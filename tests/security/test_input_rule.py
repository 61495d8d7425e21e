"""The one input rule (game_server.kit.inputs) over HTTP: every malformed value the outside test
sent (a NUL in a name, dates at the ends of the calendar, integers over 64 bits, NaN, lone
surrogates) is a 422 problem, never a 500, and nothing is logged as an error."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from tests.rewards.helpers import shop

NUL = "\u0000"


@pytest.fixture(autouse=True)
def no_error_logged(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


def refused(response: httpx.Response) -> dict:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict = response.json()
    assert body["status"] == 422
    return body


async def player(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/v1/auth/guest")
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize(
    "name", [f"Ada{NUL}", "Ada\u0007", "Ada\u001b[31m", "Ada\u007f", "Ada\u0085", "Ada\nLovelace"]
)
async def test_a_control_character_in_a_display_name_is_422(
    client: httpx.AsyncClient, name: str
) -> None:
    body = refused(await client.post("/v1/auth/guest", json={"display_name": name}))
    assert body["errors"][0]["loc"][-1] == "display_name"


async def test_a_nul_in_a_staff_login_email_is_422(client: httpx.AsyncClient) -> None:
    payload = {"email": f"admin{NUL}@comune.lecce.it", "password": "whatever-it-is"}
    refused(await client.post("/admin/v1/auth/login", json=payload))


async def test_a_nul_in_a_team_name_is_422(client: httpx.AsyncClient) -> None:
    auth = await player(client)
    refused(await client.post("/v1/teams", json={"name": f"I Lupi{NUL}"}, headers=auth))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"display_name": "\\ud800"}',  # a lone surrogate: not storable as UTF-8
        b'{"display_name": "Ada", "n": NaN}',
        b'{"display_name": "Ada", "n": Infinity}',
        b'{"display_name": "Ada", "n": 18446744073709551616}',
        b'{"display_name": "Ada", "n": 1e400}',
        b'{"display_name": "Ada\\u0000"}',
        b'{"display_\\u0000name": "Ada"}',
    ],
)
async def test_json_python_accepts_but_no_database_stores_is_422(
    client: httpx.AsyncClient, raw: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    refused(await client.post("/v1/auth/guest", content=raw, headers=headers))


async def test_a_nul_in_a_path_or_query_is_422(client: httpx.AsyncClient) -> None:
    refused(await client.get("/v1/leaderboards/weekly%00"))
    refused(await client.get("/v1/catalog?lang=it%00"))


@pytest.mark.parametrize("path", ["/merchant/v1/redemptions", "/merchant/v1/totals"])
@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31"},
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"to": "0001-01-01"},
        {"from": "9999-12-31T23:59:59"},
        {"to": "0001-01-01T00:00:00+14:00"},
    ],
)
async def test_dates_at_the_ends_of_the_calendar_are_422(
    app: FastAPI, client: httpx.AsyncClient, path: str, query: dict[str, str]
) -> None:
    shop_ = await shop(app)
    body = refused(await client.get(path, params=query, headers=shop_.auth))
    assert "within the years" in body["detail"]


async def test_integers_over_the_safe_range_are_422(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    shop_ = await shop(app)
    huge = str(2**64)
    refused(
        await client.get("/merchant/v1/redemptions", params={"offset": huge}, headers=shop_.auth)
    )
    auth = await player(client)
    refused(await client.get("/v1/feed", params={"before": huge}, headers=auth))
    refused(await client.get("/v1/feed", params={"before": "-" + huge}, headers=auth))


async def test_a_day_outside_the_calendar_is_422_on_open_data(client: httpx.AsyncClient) -> None:
    for day in ("9999-12-31", "0001-01-01"):
        refused(await client.get(f"/opendata/lecce/{day}/visits.csv"))


async def test_the_refusal_speaks_italian_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/guest", json={"display_name": f"Ada{NUL}"}, headers={"Accept-Language": "it"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "la richiesta non è valida"
