"""The `lupiae` command line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from game_server.kit.cli_errors import (
    Parser,
    UserError,
    explain,
    fail,
    load_settings,
    require_database,
)
from game_server.settings import Settings

Handler = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - keep `lupiae --help` fast

    from game_server.app import create_app  # noqa: PLC0415
    from game_server.serving import uvicorn_options  # noqa: PLC0415

    settings = load_settings(Settings)
    options = {"host": args.host, "port": args.port, **uvicorn_options(settings)}
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    if settings.redis_url is None:
        logging.getLogger(__name__).warning(
            "%d workers without LUPIAE_REDIS_URL: each has its own memory backend "
            "(rate limits, pub/sub and socket kicks are not shared)",
            args.workers,
        )
    # Several processes need an import string: each worker builds its app (and reads the
    # settings from the environment) itself.
    uvicorn.run("game_server.app:create_app", factory=True, workers=args.workers, **options)
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from game_server import migrate  # noqa: PLC0415

    settings = load_settings(Settings)
    _ensure_sqlite_folder(settings.database_url)
    migrate.upgrade(settings.database_url, args.revision)
    return 0


def _ensure_sqlite_folder(url: str) -> None:
    from pathlib import Path  # noqa: PLC0415

    from sqlalchemy.engine import make_url  # noqa: PLC0415

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given the arguments of another package's command (`lupiae opendata
    build …`), only that package's subcommands are imported: an operator's command or a
    scheduled run does not pay for importing every other command's dependencies."""
    parser: argparse.ArgumentParser = Parser(
        prog="lupiae", description="Lupiae: the game server of Lecce Smart & Com."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve HTTP and websockets")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    upgrade = db.add_parser("upgrade", help="apply migrations (LUPIAE_DATABASE_URL)")
    upgrade.add_argument("revision", nargs="?", default="heads", help="target (default: heads)")
    upgrade.set_defaults(needs_database=True, handler=_db_upgrade)

    command = next((a for a in (argv or ()) if not a.startswith("-")), None)
    wanted = [command] if command in EXTENSIONS else list(EXTENSIONS)
    for name in wanted:
        register: Callable[..., None] = importlib.import_module(EXTENSIONS[name]).register
        if name == "staff":  # `staff roles` needs the app's routes: the wiring gives it
            register(commands, roles=_staff_roles)
        else:
            register(commands)
    return parser


# Subcommands owned by other packages: the command, and the module whose `register` adds it.
EXTENSIONS = {
    "content": "game_server.catalog.cli",
    "merchant": "rewards.cli",
    "staff": "game_server.staff.cli",
    "simulate": "game_server.simulate",
    "retention": "game_server.privacy.cli",
    "opendata": "game_server.opendata.cli",
    "jobs": "game_server.jobs.cli",
    "district": "game_server.district.cli",
}


def _staff_roles(_: argparse.Namespace) -> int:
    """`lupiae staff roles`: the role × route matrix, read from the app's own routes."""
    from game_server.admin.matrix import markdown_table, role_matrix  # noqa: PLC0415
    from game_server.app import create_app  # noqa: PLC0415

    print(markdown_table(role_matrix(create_app())))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(arguments).parse_args(arguments)
    handler: Handler = args.handler
    prog = f"lupiae {args.command}"
    try:
        if getattr(args, "needs_database", False):
            require_database(load_settings(Settings).database_url, existing=args.command != "db")
        return handler(args)
    except UserError as exc:
        return fail(prog, str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = explain(exc, _database_url())
        if message is None:
            raise
        return fail(prog, message)


def _database_url() -> str | None:
    try:
        return Settings().database_url
    except ValidationError:
        return None


if __name__ == "__main__":
    sys.exit(main())
