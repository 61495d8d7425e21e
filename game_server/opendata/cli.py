"""`lupiae opendata build|publish`: what the daily job does, by hand."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import DEFAULT_CITY
from game_server.cities import pick, stored_registry
from game_server.kit.cli_errors import load_settings
from game_server.kit.clock import utcnow
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.errors import DomainError
from game_server.opendata.release import build, latest_day
from game_server.opendata.service import policy_of, publish
from game_server.opendata.settings import OpenDataSettings

Action = Callable[[async_sessionmaker[AsyncSession], OpenDataSettings], Awaitable[dict[str, Any]]]


def _with_database(action: Action) -> int:
    settings = load_settings(OpenDataSettings)

    async def run() -> dict[str, Any]:
        engine = make_engine(settings.database_url)
        try:
            return await action(make_session_factory(engine), settings)
        finally:
            await engine.dispose()

    try:
        result = asyncio.run(run())
    except DomainError as exc:
        raise SystemExit(f"lupiae opendata: {exc.detail}") from None
    print(json.dumps(result, default=str))
    return 0


def _build(args: argparse.Namespace) -> int:
    async def action(
        sessions: async_sessionmaker[AsyncSession], settings: OpenDataSettings
    ) -> dict[str, Any]:
        async with sessions() as session:
            comune = pick(await stored_registry(session), args.city)
        policy, now = policy_of(settings), utcnow()
        day = args.date or latest_day(comune, policy, now)
        started = time.perf_counter()
        release = await build(sessions, comune, day, policy, now)
        return {
            "seconds": round(time.perf_counter() - started, 3),
            "city": comune.slug,
            "date": release.day,
            "built_at": release.built_at,
            "new": release.built_at == now,
            "cells": release.cells,
            "suppressed": release.suppressed,
            "epsilon": release.epsilon,
            "published": release.published_at is not None,
        }

    return _with_database(action)


def _publish(args: argparse.Namespace) -> int:
    async def action(
        sessions: async_sessionmaker[AsyncSession], _: OpenDataSettings
    ) -> dict[str, Any]:
        return {"published": await publish(sessions, args.city, utcnow())}

    return _with_database(action)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected YYYY-MM-DD") from None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    opendata = commands.add_parser("opendata", help="open data releases (docs/open-data.md)")
    actions = opendata.add_subparsers(dest="opendata_command", required=True, metavar="ACTION")
    build_cmd = actions.add_parser(
        "build", help="build a comune's release of one day (once: later builds return it)"
    )
    build_cmd.add_argument("--city", default=DEFAULT_CITY, help=f"comune (default {DEFAULT_CITY})")
    build_cmd.add_argument(
        "--date", type=_day, default=None, help="local day YYYY-MM-DD (default: the latest due)"
    )
    build_cmd.set_defaults(handler=_build)
    publish_cmd = actions.add_parser("publish", help="make every built release public")
    publish_cmd.add_argument("--city", default=None, help="only this comune")
    publish_cmd.set_defaults(handler=_publish)
