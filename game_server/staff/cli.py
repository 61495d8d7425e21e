"""`lupiae staff create|disable|list|roles`: staff accounts from the operator's shell.

Each change is audited as `cli:<OS user>`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import orjson

from game_server.audit.actors import Actor
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.cli_errors import load_settings
from game_server.kit.errors import DomainError
from game_server.kit.settings import KernelSettings
from game_server.kit.uow import one_off_unit_of_work
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.service import StaffService


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    roles: Callable[[argparse.Namespace], int],
) -> None:
    """`roles` prints the role × route matrix: the wiring, which knows every route, gives it."""
    group = commands.add_parser("staff", help="staff accounts (curators, admins) of the admin API")
    actions = group.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a curator or admin account")
    create.add_argument("--email", required=True, help="the login name")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--city",
        action="append",
        dest="cities",
        metavar="SLUG",
        help="a comune the role is held on (repeat for several; default: lecce)",
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (default: prompt twice)",
    )
    create.set_defaults(needs_database=True, handler=_create)

    disable = actions.add_parser("disable", help="stop an account: no logins, tokens refused")
    disable.add_argument("--email", required=True)
    disable.set_defaults(needs_database=True, handler=_disable)

    listing = actions.add_parser("list", help="list staff accounts")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(needs_database=True, handler=_list)

    matrix = actions.add_parser("roles", help="print the role × route matrix of /admin/v1")
    matrix.set_defaults(handler=roles)


def _run(work: Callable[[StaffService], Coroutine[Any, Any, int]]) -> int:
    settings = load_settings(KernelSettings)

    async def main() -> int:
        async with one_off_unit_of_work(settings.database_url) as session:
            audit = AuditLog(AuditRepository(session))
            return await work(StaffService(StaffRepository(session), audit))

    try:
        return asyncio.run(main())
    except DomainError as exc:
        print(f"lupiae staff: {exc.detail}", file=sys.stderr)
        return 1


def _actor() -> Actor:
    return Actor.cli(getpass.getuser())


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password (at least 12 characters): ")
    if getpass.getpass("again: ") != first:
        print("lupiae staff: the passwords differ", file=sys.stderr)
        return None
    return first


def _create(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return 1

    async def work(service: StaffService) -> int:
        cities = args.cities or ["lecce"]
        account = await service.create(
            args.email, Role(args.role), password, by=_actor(), cities=cities
        )
        print(f"staff account {account.email} ({account.role}) created: {account.id}")
        print(f"role held on: {', '.join(sorted(set(cities)))}")
        return 0

    return _run(work)


def _disable(args: argparse.Namespace) -> int:
    async def work(service: StaffService) -> int:
        account = await service.by_email(args.email)
        await service.disable(account.id, by=_actor())
        print(f"staff account {account.email} disabled")
        return 0

    return _run(work)


def _list(args: argparse.Namespace) -> int:
    async def work(service: StaffService) -> int:
        accounts = await service.accounts.all()
        rows = [
            {
                "id": str(a.id),
                "email": a.email,
                "role": a.role,
                "disabled": a.disabled_at is not None,
            }
            for a in accounts
        ]
        if args.json:
            print(orjson.dumps(rows).decode())
            return 0
        for row in rows:
            state = "disabled" if row["disabled"] else "active"
            print(f"{row['email']:40} {row['role']:8} {state:8} {row['id']}")
        return 0

    return _run(work)
