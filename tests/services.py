"""Real services for the integration suites: PostGIS and Redis.

Locally a missing service skips its suite; with CI=true it fails, so CI can never go green
without having run them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from game_server import migrate

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    message = f"{what} not configured: set {name}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: integration suites must run)", pytrace=False)
    pytest.skip(message)


def _admin_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def _create_postgis_database(url: str, name: str) -> None:
    admin = await asyncpg.connect(_admin_dsn(url, make_url(url).database or "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    connection = await asyncpg.connect(_admin_dsn(url, name))
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    finally:
        await connection.close()


async def _drop_database(url: str, name: str) -> None:
    admin = await asyncpg.connect(_admin_dsn(url, make_url(url).database or "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def fresh_postgis_database(base_url: str) -> Iterator[str]:
    """A new database with PostGIS on the server of `base_url`, dropped afterwards."""
    name = f"lupiae_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_create_postgis_database(base_url, name))
    except (OSError, asyncpg.PostgresError) as exc:
        if IN_CI:
            pytest.fail(f"PostGIS at {base_url} unusable: {exc}", pytrace=False)
        pytest.skip(f"PostGIS at {base_url} unusable: {exc}")
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_drop_database(base_url, name))


def migrated_sqlite_template(folder: Path) -> Path:
    path = folder / "template.sqlite3"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def copy_sqlite(template: Path, folder: Path) -> str:
    target = folder / f"{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"
