"""Every dependency failure maps to one answer: 503 + Retry-After / close 1013, never 500 / 1011.

The errors are the ones seen in fault tests: PostgreSQL starting, restarting or refusing
connections (as asyncpg raises them, and as SQLAlchemy wraps them), a pooled asyncpg connection
broken mid-operation, a pool with no connection free, SQLite locked, Redis away. A bug stays a
500 / 1011. An outage is logged once, not once per request.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid

import asyncpg
import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from websockets.asyncio.client import connect

from game_server.kit.outages import Outage, Outages, answer_for
from game_server.kit.pubsub import BackendUnavailable
from tests.conftest import make_settings
from tests.game_server.gateway.live import guest, serving
from tests.game_server.gateway.test_play import closed_with

_DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def _wrapped(error: Exception) -> sqlalchemy.exc.DBAPIError:
    """`error` as SQLAlchemy's asyncpg dialect raises it: the adapter's error, then SQLAlchemy's."""
    translated: Exception
    if isinstance(error, asyncpg.InterfaceError):
        translated = _DBAPI.InterfaceError(str(error))
    else:
        translated = _DBAPI.Error(str(error))
    translated.__cause__ = error
    return sqlalchemy.exc.DBAPIError.instance("SELECT 1", {}, translated, _DBAPI.Error)


STARTING = asyncpg.CannotConnectNowError("the database system is starting up")
NOT_ACCEPTING = asyncpg.CannotConnectNowError(
    "the database system is not yet accepting connections"
)
SHUTTING_DOWN = asyncpg.AdminShutdownError("terminating connection due to administrator command")
CRASHED = asyncpg.CrashShutdownError(
    "terminating connection because of crash of another server process"
)
TOO_MANY = asyncpg.TooManyConnectionsError("sorry, too many clients already")
CLOSED_MID_QUERY = asyncpg.ConnectionDoesNotExistError(
    "connection was closed in the middle of operation"
)
IN_PROGRESS = asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
POOL_CLOSING = asyncpg.InterfaceError("pool is closing")

DEPENDENCY_ERRORS: dict[str, BaseException] = {
    "starting up (asyncpg)": STARTING,
    "starting up (SQLAlchemy)": _wrapped(STARTING),
    "not yet accepting (SQLAlchemy)": _wrapped(NOT_ACCEPTING),
    "admin shutdown (SQLAlchemy)": _wrapped(SHUTTING_DOWN),
    "crash shutdown (asyncpg)": CRASHED,
    "too many connections (SQLAlchemy)": _wrapped(TOO_MANY),
    "closed mid-query (asyncpg)": CLOSED_MID_QUERY,
    "closed mid-query (SQLAlchemy)": _wrapped(CLOSED_MID_QUERY),
    "another operation in progress (asyncpg)": IN_PROGRESS,
    "another operation in progress (SQLAlchemy)": _wrapped(IN_PROGRESS),
    "pool closing (asyncpg)": POOL_CLOSING,
    "connection refused": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    "connection reset": ConnectionResetError(104, "Connection reset by peer"),
    "timeout": TimeoutError(),
    "pool exhausted": sqlalchemy.exc.TimeoutError("QueuePool limit of size 20 overflow 10 reached"),
    "SQLite locked": sqlalchemy.exc.OperationalError(
        "INSERT", {}, sqlite3.OperationalError("database is locked")
    ),
    "invalidated connection": sqlalchemy.exc.DBAPIError(
        "SELECT 1", {}, Exception("gone"), connection_invalidated=True
    ),
}

BUGS: dict[str, BaseException] = {
    "a plain bug": RuntimeError("boom"),
    "unique violation": _wrapped(asyncpg.UniqueViolationError("duplicate key")),
    "syntax error (asyncpg)": asyncpg.PostgresSyntaxError("syntax error at or near"),
    "wrong argument count (asyncpg)": asyncpg.InterfaceError("the server expects 2 arguments"),
    "wrong argument count (SQLAlchemy)": _wrapped(
        asyncpg.InterfaceError("the server expects 2 arguments")
    ),
    "no such table (SQLite)": sqlalchemy.exc.ProgrammingError(
        "SELECT", {}, sqlite3.ProgrammingError("no such table")
    ),
}


@pytest.mark.parametrize("error", DEPENDENCY_ERRORS.values(), ids=DEPENDENCY_ERRORS.keys())
def test_a_database_that_cannot_serve_is_503_and_1013(error: BaseException) -> None:
    assert answer_for(error)[:2] == (503, 1013)


def test_redis_away_is_503_and_1013_where_it_is_needed_at_all() -> None:
    assert answer_for(BackendUnavailable("Redis at 127.0.0.1:6379 is unreachable"))[:2] == (
        503,
        1013,
    )


@pytest.mark.parametrize("error", BUGS.values(), ids=BUGS.keys())
def test_a_bug_is_still_500_and_1011(error: BaseException) -> None:
    assert answer_for(error)[:2] == (500, 1011)


@pytest.mark.parametrize(
    "error",
    [
        DEPENDENCY_ERRORS["starting up (SQLAlchemy)"],
        DEPENDENCY_ERRORS["another operation in progress (SQLAlchemy)"],
        BackendUnavailable("away"),
    ],
    ids=["database starting", "asyncpg busy connection", "redis away"],
)
async def test_rest_answers_503_with_retry_after_and_logs_the_outage_once(
    app: FastAPI, error: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/down")
    async def down() -> None:
        raise error

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.WARNING):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = [await client.get("/down") for _ in range(20)]
    assert {a.status_code for a in answers} == {503}
    assert {a.headers["retry-after"] for a in answers} == {"5"}
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert not any(r.exc_info for r in caplog.records)
    metrics = (await client_metrics(app)).text
    assert "lupiae_dependency_failures_total" in metrics


async def client_metrics(app: FastAPI) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get("/metrics")


def test_an_outage_warns_once_and_once_more_when_it_is_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    outages = Outages(CollectorRegistry())
    outage = Outage("database", outages.database.metrics, quiet_s=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        for _ in range(100):
            outage.failed(STARTING, "GET /v1/me")
            now[0] += 0.05
        outage.recovered()
        now[0] += 60
        outage.failed(STARTING, "GET /v1/me")  # a new outage
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "database unavailable" in messages[0]
    assert "back after" in messages[1]
    assert "100 failures" in messages[1]
    assert "database unavailable" in messages[2]


async def test_a_hello_meeting_a_database_that_is_starting_closes_1013(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hello's authentication reads the player: a restarting database there is 1013."""
    async with serving(make_settings(database_url)) as (host, app):
        tokens = await guest(host)

        def starting() -> None:
            raise _wrapped(STARTING)

        monkeypatch.setattr(app.state.gateway, "factory", starting)
        async with connect(f"ws://{host}/v1/play") as ws:
            await ws.send(f'{{"type": "hello", "token": "{tokens["access_token"]}"}}')
            assert await closed_with(ws) == 1013
        assert uuid.UUID(tokens["player_id"])
