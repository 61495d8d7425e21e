"""Dependency failures: which errors mean "a dependency cannot serve now", and one warning each.

Every failure of a dependency maps to one answer (docs/operations.md): the database away,
starting, restarting or out of connections → HTTP 503 with `Retry-After` and socket close 1013;
Redis away → the service degrades (local limits, delivery from the log) and says so. A bug is
still a 500 / 1011 with its traceback logged. Which is which is decided here, by looking
through the chain of wrapped exceptions: SQLAlchemy wraps the driver's errors (and maps some
that mean "unavailable", like "the database system is starting up", to a plain `DBAPIError`),
the gateway's fast log raises asyncpg's own.

An outage is logged once per dependency and worker (`Outage`), not once per request.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator

import asyncpg
import sqlalchemy.exc
from prometheus_client import CollectorRegistry, Counter, Gauge

from game_server.kit.closecodes import CloseCode
from game_server.kit.pubsub import BackendUnavailable

log = logging.getLogger(__name__)

# SQLSTATE classes of a server that cannot serve now: connection exceptions (08), insufficient
# resources (53: too many connections, out of memory or disk), operator intervention (57:
# shutting down, starting up, crash recovery, statement cancelled by shutdown).
_UNAVAILABLE_SQLSTATE = ("08", "53", "57")
# asyncpg's client-side errors of a connection that broke under it (a restart mid-query leaves
# a pooled connection closed, or with a half-finished operation); not its misuse errors.
_BROKEN_CONNECTION = (
    "closed",
    "closing",
    "another operation is in progress",
    "released",
    "terminat",
)
_SQLITE_BUSY = ("database is locked", "database table is locked", "unable to open")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapped DBAPI error
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
            current = orig.__cause__ or orig.__context__
            continue
        current = current.__cause__ or current.__context__


def _one_is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, sqlalchemy.exc.TimeoutError | TimeoutError | OSError):
        return True  # pool exhausted, connect/read timeouts, refused, reset, unreachable
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = getattr(exc, "sqlstate", None) or ""
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATE)
    if isinstance(exc, asyncpg.InterfaceError):
        message = str(exc).lower()
        return any(sign in message for sign in _BROKEN_CONNECTION)
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc).lower()
        return any(sign in message for sign in _SQLITE_BUSY)
    return False


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database cannot serve right now (retry later), not a bug."""
    chain = list(_chain(exc))
    if any(_one_is_unavailable(e) for e in chain):
        return True
    if any(isinstance(e, asyncpg.PostgresError | asyncpg.InterfaceError) for e in chain):
        return False  # the driver said what it was, and it was not that
    # SQLAlchemy's own classification of other drivers' errors (SQLite's file, a closed pool).
    return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError)


def dependency_of(exc: BaseException) -> str | None:
    """ "database", "redis" or None (not a dependency failure: a bug)."""
    if isinstance(exc, BackendUnavailable):
        return "redis"
    if database_unavailable(exc):
        return "database"
    if any(isinstance(e, BackendUnavailable) for e in _chain(exc)):
        return "redis"
    return None


def answer_for(exc: BaseException) -> tuple[int, int, str]:
    """The one answer to an error: (HTTP status, socket close code, reason)."""
    dependency = dependency_of(exc)
    if dependency == "database":
        return (
            503,
            CloseCode.TRY_AGAIN_LATER,
            "database busy or unavailable; reconnect later with resume_after",
        )
    if dependency == "redis":
        return 503, CloseCode.TRY_AGAIN_LATER, "realtime backend unavailable; retry shortly"
    return 500, CloseCode.INTERNAL_ERROR, "internal error"


# The exception classes a dependency failure can surface as (classified by `dependency_of`).
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    BackendUnavailable,
)


class Outage:
    """One warning when a dependency starts failing, one when it serves again.

    Failures in between are counted (`lupiae_dependency_failures_total`), not logged: during an
    outage every request fails the same way. An outage is over at the first success reported
    (`recovered`), or after `quiet_s` without failures.
    """

    def __init__(
        self,
        dependency: str,
        metrics: DependencyMetrics,
        *,
        quiet_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dependency = dependency
        self.metrics = metrics
        self.quiet_s = quiet_s
        self.clock = clock
        self.since: float | None = None
        self.last_failure_s = 0.0
        self.failures = 0

    @property
    def ongoing(self) -> bool:
        return self.since is not None and self.clock() - self.last_failure_s < self.quiet_s

    def failed(self, exc: BaseException, where: str) -> None:
        now = self.clock()
        self.metrics.failures.labels(self.dependency).inc()
        if not self.ongoing:
            self.since, self.failures = now, 0
            log.warning(
                "%s unavailable (%s: %s: %s); answering 503/1013 or degrading until it is back",
                self.dependency,
                where,
                type(exc).__name__,
                str(exc)[:200],
            )
        self.failures += 1
        self.last_failure_s = now
        self.metrics.degraded.labels(self.dependency).set(1)

    def recovered(self) -> None:
        if self.since is None:
            return
        log.warning(
            "%s is back after %.1f s (%d failures meanwhile)",
            self.dependency,
            self.clock() - self.since,
            self.failures,
        )
        self.since = None
        self.metrics.degraded.labels(self.dependency).set(0)


class DependencyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.failures = Counter(
            "lupiae_dependency_failures_total",
            "Operations refused or degraded because a dependency could not serve",
            ["dependency"],
            registry=registry,
        )
        self.degraded = Gauge(
            "lupiae_degraded",
            "1 while this worker serves without the dependency (database: 503/1013; "
            "redis: local limits, delivery from the log)",
            ["dependency"],
            registry=registry,
        )


class Outages:
    """The worker's outage state of each dependency (on `app.state.outages`)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        metrics = DependencyMetrics(registry)
        self.database = Outage("database", metrics)
        self.redis = Outage("redis", metrics)

    def failed(self, exc: BaseException, where: str) -> bool:
        """Record a dependency failure; False when `exc` is no dependency's (a bug)."""
        dependency = dependency_of(exc)
        if dependency is None:
            return False
        (self.redis if dependency == "redis" else self.database).failed(exc, where)
        return True
