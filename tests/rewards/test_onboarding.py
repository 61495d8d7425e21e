"""Merchants through the admin API and the `lupiae merchant` CLI."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from fastapi import FastAPI

from game_server.cli import main
from rewards.endpoints.admin import issue_staff_token
from tests.conftest import TEST_SECRET
from tests.rewards import factories
from tests.rewards.helpers import serve_content

LAT, LON = factories.INSIDE
NEW_SHOP = {
    "slug": "libreria-del-corso",
    "name": "Libreria del Corso",
    "category": "bookshop",
    "street": "Corso Vittorio Emanuele II",
    "lat": LAT,
    "lon": LON,
}


def _staff(role: str = "admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_staff_token(TEST_SECRET, subject='s1', role=role)}"}


async def test_staff_onboard_a_merchant_whose_key_works_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    serve_content(app)
    created = await client.post("/admin/v1/merchants", json=NEW_SHOP, headers=_staff())
    assert created.status_code == 201, created.text
    api_key = created.json()["api_key"]
    assert api_key.startswith("lpm_")
    merchant_auth = {"Authorization": f"Bearer {api_key}"}
    assert (await client.get("/merchant/v1/totals", headers=merchant_auth)).status_code == 200
    listed = await client.get("/admin/v1/merchants", headers=_staff())
    assert [m["slug"] for m in listed.json()] == ["libreria-del-corso"]
    assert "api_key" not in listed.text
    again = await client.post("/admin/v1/merchants", json=NEW_SHOP, headers=_staff())
    assert again.status_code == 409


async def test_a_working_merchant_key_is_refused_by_the_admin_api_as_a_merchants(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    serve_content(app)
    created = await client.post("/admin/v1/merchants", json=NEW_SHOP, headers=_staff())
    merchant_auth = {"Authorization": f"Bearer {created.json()['api_key']}"}
    refused = await client.get("/admin/v1/merchants", headers=merchant_auth)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == "merchant API keys cannot use the admin API"


async def test_rotation_and_revocation_by_staff(app: FastAPI, client: httpx.AsyncClient) -> None:
    serve_content(app)
    first = (await client.post("/admin/v1/merchants", json=NEW_SHOP, headers=_staff())).json()
    old = {"Authorization": f"Bearer {first['api_key']}"}
    rotated = await client.post(
        "/admin/v1/merchants/libreria-del-corso/keys/rotate", headers=_staff()
    )
    assert rotated.status_code == 201
    new = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
    assert (await client.get("/merchant/v1/totals", headers=old)).status_code == 401
    assert (await client.get("/merchant/v1/totals", headers=new)).status_code == 200
    revoked = await client.post(
        "/admin/v1/merchants/libreria-del-corso/keys/revoke", headers=_staff()
    )
    assert revoked.json() == {"revoked": 1}
    assert (await client.get("/merchant/v1/totals", headers=new)).status_code == 401
    audit = await client.get("/admin/v1/merchants/libreria-del-corso/audit", headers=_staff())
    actions = [entry["action"] for entry in audit.json()]
    assert actions == ["key.revoke", "totals", "key.rotate", "merchant.create"]


async def test_a_merchant_must_lie_inside_the_district(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    outside = {**NEW_SHOP, "lat": factories.OUTSIDE[0], "lon": factories.OUTSIDE[1]}
    no_content = await client.post("/admin/v1/merchants", json=NEW_SHOP, headers=_staff())
    assert no_content.status_code == 422
    assert no_content.json()["type"].endswith("/district-unknown")
    serve_content(app)
    refused = await client.post("/admin/v1/merchants", json=outside, headers=_staff())
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/merchant-outside-district")


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("moderator", 403)])
async def test_only_staff_with_the_right_role(
    client: httpx.AsyncClient, role: str | None, status: int
) -> None:
    headers = _staff(role) if role else {}
    assert (await client.get("/admin/v1/merchants", headers=headers)).status_code == status
    merchant_key = {"Authorization": "Bearer lpm_not-a-staff-token"}
    assert (await client.get("/admin/v1/merchants", headers=merchant_key)).status_code == 401


def test_cli_creates_a_merchant_from_the_shipped_content_and_prints_its_key_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = Path(__file__).parents[2] / "content"
    monkeypatch.setenv("LUPIAE_DATABASE_URL", database_url)
    monkeypatch.setenv("LUPIAE_SECRET_KEY", TEST_SECRET)
    args = ["merchant", "create", "--slug", "bar-della-piazza-demo", "--content", str(content)]
    assert main([*args, "--json"]) == 0
    created = orjson.loads(capsys.readouterr().out)
    assert created["api_key"].startswith("lpm_")
    assert created["name"] == "Bar della Piazza (DEMO)"
    assert main([*args, "--json"]) == 1  # already exists
    assert "already exists" in capsys.readouterr().err
    assert main(["merchant", "rotate-key", "bar-della-piazza-demo", "--json"]) == 0
    rotated = orjson.loads(capsys.readouterr().out)
    assert rotated["api_key"] != created["api_key"]
    assert main(["merchant", "list", "--json"]) == 0
    assert [m["slug"] for m in orjson.loads(capsys.readouterr().out)] == ["bar-della-piazza-demo"]
    assert main(["merchant", "revoke-keys", "bar-della-piazza-demo"]) == 0
    assert "1 key" in capsys.readouterr().out


def test_cli_refuses_a_shop_outside_the_district(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = Path(__file__).parents[2] / "content"
    monkeypatch.setenv("LUPIAE_DATABASE_URL", database_url)
    lat, lon = factories.OUTSIDE
    args = ["merchant", "create", "--slug", "far", "--name", "Far", "--category", "bar"]
    args += ["--street", "Via X", "--lat", str(lat), "--lon", str(lon), "--content", str(content)]
    assert main(args) == 1
    assert "outside the commercial district" in capsys.readouterr().err
    assert main(["merchant", "create", "--slug", "nowhere", "--name", "N"]) == 2
    assert "missing" in capsys.readouterr().err
