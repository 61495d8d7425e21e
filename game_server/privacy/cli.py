"""`lupiae retention prune`: apply the retention settings now (the scheduler does it daily)."""

from __future__ import annotations

import argparse
import asyncio
import json

from game_server.kit.cli_errors import load_settings
from game_server.kit.clock import utcnow
from game_server.kit.uow import one_off_unit_of_work
from game_server.privacy.retention import Pruned, prune
from game_server.privacy.settings import PrivacySettings


async def _prune() -> Pruned:
    settings = load_settings(PrivacySettings)
    async with one_off_unit_of_work(settings.database_url) as session:
        return await prune(session, settings, utcnow())


def _run(_: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(_prune()).as_dict()))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    retention = commands.add_parser("retention", help="retention of personal data")
    actions = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    prune_cmd = actions.add_parser(
        "prune",
        help="delete visits, events, wrong answers and feed items older than the retention "
        "settings (LUPIAE_POSITION_RETENTION_DAYS, LUPIAE_EVENT_RETENTION_DAYS)",
    )
    prune_cmd.set_defaults(handler=_run)
