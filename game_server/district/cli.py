"""`lupiae district report --month YYYY-MM`: the monthly monitoring pack, by hand."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from content.model import DEFAULT_CITY
from game_server.catalog.service import Catalog
from game_server.district import report
from game_server.kit.cli_errors import UserError, load_settings
from game_server.kit.clock import utcnow
from game_server.kit.errors import DomainError
from game_server.kit.uow import one_off_unit_of_work
from game_server.opendata.settings import OpenDataSettings


def _report(args: argparse.Namespace) -> int:
    settings = load_settings(OpenDataSettings)
    out = Path(args.out)

    async def run() -> report.Pack:
        async with one_off_unit_of_work(settings.database_url) as session:
            loaded = await Catalog().reload(session)
            if loaded is None:
                raise UserError("no content is published: run `lupiae content publish` first")
            now = utcnow()
            pack = await report.build(
                session, loaded.bundle, args.city, args.month, now=now, k=settings.opendata_k
            )
            await report.store(session, pack, now)
            return pack

    try:
        pack = asyncio.run(run())
    except DomainError as exc:
        raise UserError(f"report: {exc.detail}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        pdf = out / f"district-{pack.city}-{pack.month}.pdf"
        archive = out / f"district-{pack.city}-{pack.month}.zip"
        pdf.write_bytes(pack.pdf)
        archive.write_bytes(pack.csv_zip)
    except OSError as exc:
        raise UserError(f"report: cannot write to {out}: {exc.strerror}") from None
    print(f"{pdf} ({pack.pages} pages)")
    print(archive)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    district = commands.add_parser(
        "district", help="the district's figures: monthly monitoring pack (docs/district.md)"
    )
    actions = district.add_subparsers(dest="district_command", required=True, metavar="ACTION")
    build = actions.add_parser(
        "report", help="build a month's pack (PDF report + CSV files), store it and write it out"
    )
    build.add_argument("--month", required=True, help="YYYY-MM")
    build.add_argument("--city", default=DEFAULT_CITY, help=f"comune (default {DEFAULT_CITY})")
    build.add_argument("--out", default="var/district", help="folder (default var/district)")
    build.set_defaults(handler=_report)
