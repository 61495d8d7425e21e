"""Staff accounts: argon2id passwords, login, short-lived typed tokens, throttling, the CLI."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from game_server.app import create_app
from game_server.audit.models import AuditEntry
from game_server.cli import main
from game_server.kit.clock import utcnow
from game_server.players.tokens import issue_access_token
from game_server.staff.models import StaffAccount
from game_server.staff.roles import Role
from game_server.staff.tokens import issue_staff_token
from tests.conftest import TEST_SECRET, make_settings
from tests.game_server.admin.helpers import PASSWORD, create_staff, login, player_auth, staff


async def _audit(app: FastAPI) -> list[tuple[str, str, int]]:
    async with app.state.session_factory() as session:
        rows = await session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.status).order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_login_gives_a_short_lived_staff_token(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    staff_id, email = await create_staff(app, role=Role.ADMIN, email="Ada@Comune.Lecce.it")
    assert email == "Ada@Comune.Lecce.it"
    response = await login(client, "  ada@comune.lecce.it ")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "admin"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["typ"] == "staff"
    assert claims["sub"] == str(staff_id)
    assert claims["exp"] - claims["iat"] == 900
    me = await client.get(
        "/admin/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json() == {
        "subject": str(staff_id),
        "role": "admin",
        "grants": {"bergamo": "admin", "lecce": "admin"},
    }
    async with app.state.session_factory() as session:
        account = await session.get(StaffAccount, staff_id)
        assert account is not None
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        assert account.last_login_at is not None


async def test_wrong_password_and_unknown_email_fail_alike_and_are_audited(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, email = await create_staff(app)
    wrong = await login(client, email, "not the password at all")
    unknown = await login(client, "nobody@comune.lecce.it", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert ("anonymous", "staff.login", 401) in await _audit(app)


async def test_logins_are_throttled_per_email(app: FastAPI, client: httpx.AsyncClient) -> None:
    _, email = await create_staff(app)
    _, other = await create_staff(app)
    for _ in range(5):
        assert (await login(client, email, "wrong password!")).status_code == 401
    throttled = await login(client, email)  # even the right password waits now
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900
    assert (await login(client, other)).status_code == 200
    assert ("anonymous", "staff.login", 429) in await _audit(app)


async def test_staff_and_player_tokens_do_not_cross(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    assert (await client.get("/v1/me", headers=admin.auth)).status_code == 401
    _, player = await player_auth(client)
    assert (await client.get("/admin/v1/staff", headers=player)).status_code == 403


async def test_expired_forged_and_unknown_role_tokens_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    past = utcnow() - timedelta(hours=1)
    expired = issue_staff_token(admin.id, Role.ADMIN, secret=TEST_SECRET, now=past, ttl_s=900)
    forged = issue_staff_token(admin.id, Role.ADMIN, secret="x" * 64, now=utcnow(), ttl_s=900)
    for token in (expired, forged):
        response = await client.get("/admin/v1/staff", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    now = int(utcnow().timestamp())
    claims = {"sub": str(admin.id), "typ": "staff", "role": "root", "iat": now, "exp": now + 60}
    root = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    response = await client.get("/admin/v1/staff", headers={"Authorization": f"Bearer {root}"})
    assert response.status_code == 403
    player_typed = issue_access_token(uuid.uuid4(), secret=TEST_SECRET, now=utcnow(), ttl_s=60)
    headers = {"Authorization": f"Bearer {player_typed}"}
    assert (await client.get("/admin/v1/staff", headers=headers)).status_code == 403


async def test_admins_manage_staff_and_a_disabled_account_stops_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    weak = await client.post(
        "/admin/v1/staff",
        json={"email": "c@comune.lecce.it", "role": "curator", "password": "short"},
        headers=admin.auth,
    )
    assert weak.status_code == 422
    created = await client.post(
        "/admin/v1/staff",
        json={"email": "c@comune.lecce.it", "role": "curator", "password": PASSWORD},
        headers=admin.auth,
    )
    assert created.status_code == 201
    token = (await login(client, "c@comune.lecce.it")).json()["access_token"]
    curator = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/admin/v1/content/versions", headers=curator)).status_code == 200

    disabled = await client.post(
        f"/admin/v1/staff/{created.json()['id']}/disable", headers=admin.auth
    )
    assert disabled.json()["disabled_at"] is not None
    assert (await client.get("/admin/v1/content/versions", headers=curator)).status_code == 401
    assert (await login(client, "c@comune.lecce.it")).status_code == 401
    actions = {(action, status) for _, action, status in await _audit(app)}
    assert {("staff.create", 201), ("staff.disable", 200)} <= actions
    listed = (await client.get("/admin/v1/staff", headers=admin.auth)).json()
    assert {s["email"] for s in listed} == {admin.email, "c@comune.lecce.it"}


def test_cli_creates_and_disables_staff(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LUPIAE_DATABASE_URL", database_url)
    monkeypatch.setenv("LUPIAE_SECRET_KEY", TEST_SECRET)
    create = ["staff", "create", "--email", "cli@comune.lecce.it", "--role", "curator"]

    monkeypatch.setattr("sys.stdin", io.StringIO("too short\n"))
    assert main([*create, "--password-stdin"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main([*create, "--password-stdin"]) == 0
    assert "cli@comune.lecce.it (curator) created" in capsys.readouterr().out

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main([*create, "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err

    assert main(["staff", "disable", "--email", "cli@comune.lecce.it"]) == 0
    assert main(["staff", "list", "--json"]) == 0
    assert '"disabled":true' in capsys.readouterr().out.replace(" ", "")


def test_cli_prints_the_role_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "roles"]) == 0
    out = capsys.readouterr().out
    assert "| POST | `/admin/v1/content/publish` | yes | — | yes |" in out
    assert "| POST | `/admin/v1/players/{player_id}/ban` | — | — | yes |" in out


async def test_a_staff_token_ttl_is_configurable(database_url: str) -> None:
    app = create_app(make_settings(database_url, staff_token_ttl_s=120))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            _, email = await create_staff(app)
            assert (await login(http, email)).json()["expires_in"] == 120
