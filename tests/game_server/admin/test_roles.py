"""The role × route matrix, checked from the OpenAPI document against real requests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from game_server.admin.matrix import UnprotectedAdminRoute, markdown_table, role_matrix
from game_server.app import create_app
from game_server.staff.roles import Role
from tests.conftest import make_settings
from tests.game_server.admin.helpers import merchant_auth, player_auth, staff

LOGIN = ("post", "/admin/v1/auth/login")
OPERATORS_MD = Path(__file__).parents[3] / "docs" / "operators.md"
_DUMMIES = {"integer": "1", "string": "x"}


def _admin_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/admin/v1")
        for method, operation in item.items()
    ]


def _url(path: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            schema = parameter["schema"]
            dummy = (
                "00000000-0000-4000-8000-000000000000"
                if schema.get("format") == "uuid"
                else "lecce"
                if parameter["name"] == "city"
                else _DUMMIES.get(schema.get("type", "string"), "x")
            )
            path = path.replace("{" + parameter["name"] + "}", dummy)
    return path


def _body(operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return {"files": [("files", ("quests.yaml", b"quests: []\n", "application/yaml"))]}
    if "application/json" in content:
        return {"json": {}}
    return {}


async def test_every_admin_route_answers_401_without_a_token_and_403_to_the_wrong_caller(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    curator = await staff(app, client, Role.CURATOR)
    district = await staff(app, client, Role.DISTRICT)
    _, player = await player_auth(client)
    merchant = await merchant_auth(app)
    operations = _admin_operations(app.openapi())
    assert len(operations) >= 15
    for method, path, operation in operations:
        role = operation.get("x-required-role")
        if (method, path) == LOGIN:
            assert role == "none"
            continue
        assert role in {"staff", "curator", "district", "admin"}, (
            f"{method} {path} declares no role"
        )
        url = _url(path, operation)
        refusals = [
            ("no token", {}, 401),
            ("garbage", {"Authorization": "Bearer not-a-token"}, 401),
            ("player", player, 403),
            ("merchant", merchant, 403),
        ]
        if role == "admin":
            refusals.append(("curator", curator.auth, 403))
            refusals.append(("district manager", district.auth, 403))
        if role == "district":
            refusals.append(("curator", curator.auth, 403))
        if role == "curator":
            refusals.append(("district manager", district.auth, 403))
        for who, headers, expected in refusals:
            got = await _status(client, method, url, operation, headers)
            assert got == expected, f"{method.upper()} {url} as {who}: {got}"
        holders = {"staff": [curator, district], "curator": [curator], "district": [district]}
        for holder in holders.get(role, []):
            got = await _status(client, method, url, operation, holder.auth)
            assert got not in {401, 403}, f"{method.upper()} {url} as {holder.role}: {got}"


async def _status(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    operation: dict[str, Any],
    headers: dict[str, str],
) -> int:
    response = await client.request(method, url, headers=headers, **_body(operation))
    return response.status_code


def test_a_route_under_admin_without_a_guard_is_refused(database_url: str) -> None:
    app = create_app(make_settings(database_url))

    @app.get("/admin/v1/forgotten")
    async def forgotten() -> dict[str, str]:
        return {}

    with pytest.raises(UnprotectedAdminRoute, match="GET /admin/v1/forgotten"):
        role_matrix(app)


def test_the_role_matrix_in_operators_md_is_the_one_the_routes_declare(database_url: str) -> None:
    table = markdown_table(role_matrix(create_app(make_settings(database_url))))
    text = OPERATORS_MD.read_text(encoding="utf-8")
    found = re.search(r"<!-- role-matrix -->\n(.*?)\n<!-- /role-matrix -->", text, re.S)
    assert found is not None, "docs/operators.md lost its role-matrix markers"
    assert found.group(1) == table, "regenerate it with `lupiae staff roles`"
