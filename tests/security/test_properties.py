"""Property test (hypothesis): arbitrary strings and numbers in every text and number field
of the public HTTP schemas (path, query, JSON body, from the OpenAPI document) and of every
socket frame never get a 5xx, and never close a socket 1011. Bounded to run in under a minute."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game_server.app import create_app
from game_server.gateway import protocol
from game_server.kit.inputs import MAX_EPOCH_MS, text_problem
from tests.conftest import make_settings
from tests.game_server.gateway.live import publish_shipped
from tests.services import copy_sqlite, migrated_sqlite_template

# Text with control characters, surrogates and formula starts; integers past 64 bits; floats
# with NaN and infinities (Python's json writes them; the server must refuse them).
TEXT = st.text(max_size=40) | st.sampled_from(["\x00", "\ud800", "=1+1", " ", "9999-12-31"])
NUMBER = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([2**64, -(2**63) - 1, 0, -1])
)
VALUE = TEXT | NUMBER | st.none() | st.booleans()


class Server:
    """The app on its own event loop, driven from hypothesis' synchronous examples."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.app = create_app(make_settings(url))
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self.lifespan.__aenter__())
        transport = httpx.ASGITransport(app=self.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.lifespan.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    folder = tmp_path_factory.mktemp("properties")
    url = copy_sqlite(migrated_sqlite_template(folder), Path(folder))
    asyncio.run(publish_shipped(url))
    running = Server(url)
    try:
        tokens = running.request("POST", "/v1/auth/guest").json()
        yield running, tokens
    finally:
        running.close()


def operations(client: Server) -> list[tuple[str, str, list[dict], list[str]]]:
    """(method, path, parameters, JSON body fields) of every public HTTP operation."""
    spec = client.request("GET", "/openapi.json").json()
    schemas = spec.get("components", {}).get("schemas", {})
    found = []
    for path, methods in spec["paths"].items():
        if path.startswith("/admin/v1/content") or path == "/v1/play":
            continue
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            fields: list[str] = []
            if body:
                ref = body["schema"].get("$ref") or next(
                    (s.get("$ref") for s in body["schema"].get("anyOf", []) if "$ref" in s), None
                )
                if ref:
                    fields = list(schemas[ref.split("/")[-1]].get("properties", {}))
            found.append((method.upper(), path, op.get("parameters", []), fields))
    return found


@pytest.fixture(scope="module")
def ops(server: tuple[Server, dict]) -> list[tuple[str, str, list[dict], list[str]]]:
    return operations(server[0])


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_http_field_value_gets_a_5xx(
    server: tuple[Server, dict],
    ops: list[tuple[str, str, list[dict], list[str]]],
    data: st.DataObject,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, tokens = server
    method, path, parameters, fields = data.draw(st.sampled_from(ops))
    query: list[str] = []
    for parameter in parameters:
        value = data.draw(VALUE)
        text = "" if value is None else str(value)
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", _quoted(text or "x"))
        elif parameter["in"] == "query":
            query.append(f"{parameter['name']}={_quoted(text)}")
    body = {name: data.draw(VALUE) for name in fields} if fields else None
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "Idempotency-Key": "k"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    with caplog.at_level(logging.ERROR):
        response = client.request(
            method,
            f"{path}?{'&'.join(query)}" if query else path,
            content=json.dumps(body) if body is not None else None,
            headers=headers,
        )
    assert response.status_code < 500, (method, path, query, body, response.text)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], (method, path, body)


def _quoted(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included (a client may send those bytes)."""
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


FRAMES = st.fixed_dictionaries(
    {"type": st.sampled_from(["position", "positions", "answer", "start", "hello", "ping"])},
    optional={
        "lat": VALUE,
        "lon": VALUE,
        "accuracy": VALUE,
        "ts": VALUE,
        "mock": VALUE,
        "quest": VALUE,
        "step": VALUE,
        "answer": VALUE,
        "token": VALUE,
        "resume_after": VALUE,
        "fixes": st.lists(
            st.fixed_dictionaries({"lat": VALUE, "lon": VALUE, "accuracy": VALUE, "ts": VALUE}),
            max_size=3,
        ),
    },
)


@settings(max_examples=500, deadline=None)
@given(frame=FRAMES)
def test_no_socket_frame_escapes_the_input_rule(frame: dict[str, Any]) -> None:
    """Every frame is either a valid frame within the rule's bounds or a BadFrame (the
    socket answers `error` bad_frame); nothing else is raised (a crash would close 1011).
    tests/security/test_sockets.py sends such frames to real workers."""
    raw = json.dumps(frame)
    try:
        parsed = protocol.parse(raw)
    except protocol.BadFrame:
        return
    fixes = getattr(parsed, "fixes", None) or ([parsed] if hasattr(parsed, "ts") else [])
    for fix in fixes:
        assert 0 <= fix.ts <= MAX_EPOCH_MS
    for name in ("quest", "step", "answer", "token"):
        value = getattr(parsed, name, None)
        if isinstance(value, str):
            assert text_problem(value) is None
