"""Socket frames under the input rule, and request bodies: auth before a large body is read,
and a body trickled in is cut off (in-process: the rule's units; tests/security/test_workers.py
sends the same attacks to real workers)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI

from game_server.gateway import protocol
from game_server.kit.inputs import MAX_EPOCH_MS


def fix(**extra: object) -> str:
    return json.dumps({"type": "position", "lat": 40.35, "lon": 18.17, "accuracy": 8, **extra})


@pytest.mark.parametrize("ts", [2**64, 2**63, MAX_EPOCH_MS + 1, -1])
def test_a_position_ts_out_of_range_is_a_bad_frame(ts: int) -> None:
    with pytest.raises(protocol.BadFrame, match="ts"):
        protocol.parse(fix(ts=ts))


def test_the_last_ms_of_the_range_is_a_position() -> None:
    assert isinstance(protocol.parse(fix(ts=MAX_EPOCH_MS)), protocol.Position)


@pytest.mark.parametrize(
    "raw",
    [
        '{"type": "answer", "quest": "q\\u0000", "step": "s", "answer": "a"}',
        '{"type": "answer", "quest": "q", "step": "s", "answer": "\\ud800"}',
        '{"type": "start", "quest": "\\u001b[2J"}',
        '{"type": "hello", "token": "t\\u0000"}',
        '{"type": "hello", "token": "t", "resume_after": 18446744073709551616}',
        '{"type": "positions", "fixes": [{"lat": 1, "lon": 1, "accuracy": 1, "ts": 1e30}]}',
    ],
)
def test_control_characters_and_huge_numbers_in_frames_are_bad_frames(raw: str) -> None:
    with pytest.raises(protocol.BadFrame):
        protocol.parse(raw)


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:  # type: ignore[no-untyped-def]
    from tests.services import copy_sqlite

    return copy_sqlite(sqlite_template, tmp_path)


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(app: FastAPI) -> None:
    """16 MB declared to the content upload without a staff token: 413 at once, from the
    Content-Length, and not one body chunk is asked for."""
    reads = 0

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/admin/v1/content/bundles",
        "raw_path": b"/admin/v1/content/bundles",
        "query_string": b"",
        "headers": [(b"content-length", str(16 * 1024 * 1024).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert reads == 0


async def test_a_body_trickled_in_is_cut_off_with_408() -> None:
    from game_server.middleware import BodyLimitMiddleware

    chunks = [b'{"display_name": "A', b'da"}']

    async def receive() -> dict:
        if len(chunks) == 2:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": True}
        await asyncio.Event().wait()  # the rest never comes
        raise AssertionError

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def app_reading(scope, receive_, send_) -> None:  # type: ignore[no-untyped-def]
        while (await receive_())["type"] == "http.request":
            pass

    limited = BodyLimitMiddleware(app_reading, 1024, read_timeout_s=0.2)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/auth/guest",
        "headers": [],
        "query_string": b"",
    }
    await limited(scope, receive, send)
    assert sent[0]["status"] == 408


async def test_a_staff_upload_still_gets_the_upload_limit(app: FastAPI) -> None:
    from tests.game_server.admin.helpers import create_staff

    _, email = await create_staff(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        login = await http.post(
            "/admin/v1/auth/login",
            json={"email": email, "password": "correct horse battery staple"},
        )
        token = login.json()["access_token"]
        big = b"x" * (2 * 1024 * 1024)  # over the default 1 MiB, under the upload limit
        response = await http.post(
            "/admin/v1/content/validate",
            files={"bundle": ("bundle.zip", big, "application/zip")},
            headers={"Authorization": f"Bearer {token}"},
        )
        anonymous = await http.post(
            "/admin/v1/content/validate", files={"bundle": ("bundle.zip", big, "application/zip")}
        )
    assert response.status_code not in (413, 500), response.text
    assert anonymous.status_code == 413
