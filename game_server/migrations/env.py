from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from game_server.kit.db import make_engine
from game_server.kit.settings import KernelSettings
from game_server.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    return config.attributes.get("database_url") or KernelSettings().database_url


def _include_name(name: str | None, type_: str, _: Any) -> bool:
    # PostGIS brings its own tables (spatial_ref_sys, topology…); they are not ours to manage.
    if type_ == "table":
        return name in target_metadata.tables
    return True


def _only_for_this_dialect(dialect_name: str) -> Any:
    # Indexes declared with `.ddl_if(dialect=...)` (GiST) exist on that dialect only.
    def include_object(obj: Any, _name: Any, type_: str, reflected: bool, _compare: Any) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        if type_ != "index" or reflected or ddl_if is None or ddl_if.dialect is None:
            return True
        return bool(ddl_if.dialect == dialect_name)

    return include_object


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        include_object=_only_for_this_dialect(connection.dialect.name),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


MIGRATION_LOCK = 0x4C555049  # "LUPI": app workers started together migrate one at a time


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Held until the migration's transaction ends; the next worker then finds the
            # schema at head and has nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
