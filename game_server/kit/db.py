"""Database wiring: declarative base, portable geometry column, engine and sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import shapely
import sqlalchemy.exc
from geoalchemy2 import Geometry as PostGISGeometry
from geoalchemy2 import WKBElement
from shapely.geometry.base import BaseGeometry
from sqlalchemy import DateTime, LargeBinary, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Geometry(TypeDecorator[BaseGeometry]):
    """A shapely geometry in WGS84.

    PostGIS stores a real `geometry(<type>, 4326)` (usable from QGIS, indexable with GiST);
    any other database stores the same geometry as WKB bytes, so SQLite needs no SpatiaLite.
    """

    impl = LargeBinary
    cache_ok = True
    # Read by GeoAlchemy2's DDL hooks: our GiST indexes are declared explicitly on the tables.
    spatial_index = False

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        # GeoAlchemy2's DDL hooks sometimes ask without a dialect; only PostGIS gets a geometry.
        if dialect is None:
            return LargeBinary()
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                PostGISGeometry(self.geometry_type, srid=4326, spatial_index=False)
            )
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        wkb = shapely.to_wkb(value)
        if dialect.name == "postgresql":
            return WKBElement(wkb, srid=4326)
        return wkb

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return shapely.from_wkb(bytes(value.data))
        return shapely.from_wkb(bytes(value))


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: `timestamptz` on PostgreSQL, UTC text on SQLite (which keeps no zone),
    always written in UTC and read back aware in UTC on both, so that every response carries
    its zone. The one column type for times; a naive value is taken to be UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None or value.tzinfo is UTC:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            return value  # type: ignore[no-any-return]
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def make_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No `pool_pre_ping`: with asyncpg it costs three round trips per checkout (BEGIN, `;`,
    # ROLLBACK), a third of a redemption's. A dead connection is noticed when it is used: that
    # request fails, SQLAlchemy invalidates the whole pool, and the next checkouts reconnect
    # (a database restart costs the requests in flight at that moment, which tills retry with
    # their Idempotency-Key). `pool_recycle` retires connections before idle timeouts on the
    # way (firewalls, pgbouncer) can bite. A pool big enough for bursts: an overflow
    # connection is opened and closed per checkout, a few ms of CPU each.
    return create_async_engine(
        database_url, echo=echo, pool_size=20, max_overflow=10, pool_recycle=1800
    )


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# What a unit of work raises when the database cannot serve it right now (the pool has no
# connection free in time, the server is down, restarting or out of connections, a connection
# dropped, SQLite's file is locked): worth retrying later, unlike a bug. SQLAlchemy wraps the
# driver's errors; the gateway's fast log (raw asyncpg) raises them unwrapped.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
    TimeoutError,
)

# Work queued on a session to run only after its commit (e.g. events to push to sockets).
AFTER_COMMIT_KEY = "lupiae.after_commit"


class UnitOfWorkSession(Session):
    """A session whose after-commit queue is dropped when its transaction rolls back."""


@event.listens_for(UnitOfWorkSession, "after_rollback")
def _drop_after_commit_queue(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=UnitOfWorkSession
    )


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT of the session's database, which knows `ON CONFLICT` on both."""
    bind = session.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_or_ignore(session: AsyncSession, table: Any, **conflict: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` (on `index_elements=[…]` if given) on both databases:
    a row already there is left alone, and the statement's rowcount says which happened."""
    return dialect_insert(session, table).on_conflict_do_nothing(**conflict)
