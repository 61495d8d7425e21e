"""User errors of the `lupiae` command line: one clear line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from typing import NoReturn, TypeVar

import sqlalchemy.exc
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from game_server.kit.settings import KernelSettings

EXIT_USER_ERROR = 1
EXIT_BAD_ARGUMENTS = 2
_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_UPGRADE_HINT = "run `lupiae db upgrade` first (`make run` does)"


S = TypeVar("S", bound=KernelSettings)


def load_settings(kind: type[S]) -> S:
    """The settings of `kind` (the kernel's, a domain's or the app's, all of them) from the
    environment, or exit with one line saying what is wrong."""
    try:
        return kind()
    except ValidationError as exc:
        messages = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise SystemExit(f"lupiae: invalid settings: {messages}") from None


class UserError(Exception):
    """Something the user can fix; `str(error)` is the one line printed."""


class Parser(argparse.ArgumentParser):
    """argparse printing one line for bad arguments (the usage stays behind `--help`)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_ARGUMENTS, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def require_database(url: str, *, existing: bool) -> None:
    """Refuse a URL that is not one, and (`existing`) an embedded database file that does not
    exist yet: SQLite would silently create an empty one."""
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError as exc:
        raise UserError(f"LUPIAE_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.drivername not in _DRIVERS:
        raise UserError(
            f"LUPIAE_DATABASE_URL uses {parsed.drivername!r}; use one of: "
            + ", ".join(f"{driver}://..." for driver in _DRIVERS)
        )
    if not existing or parsed.get_backend_name() != "sqlite":
        return
    if parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if not path.is_file():
        raise UserError(f"no database at {path.resolve()}: {_UPGRADE_HINT}")


def explain(exc: BaseException, database_url: str | None) -> str | None:
    """One line for an error a user can fix, or None for a bug (which keeps its traceback)."""
    where = _describe_database(database_url) if database_url else "the database"
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        reason = _first_line(exc.orig)
        if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
            return f"{where} has no Lupiae tables: {_UPGRADE_HINT}"
        return f"cannot use {where}: {reason}"
    if isinstance(exc, socket.gaierror | OSError):
        return f"cannot reach {where}: {_first_line(exc)}"
    name = type(exc).__name__
    if type(exc).__module__.startswith("asyncpg") and name.endswith(("Error", "Exception")):
        return f"cannot use {where}: {_first_line(exc)}"
    return None


def _describe_database(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the database {Path(parsed.database or '').resolve()}"
    return f"the database {parsed.render_as_string(hide_password=True)}"


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else ""
    return text.splitlines()[0] if text else type(exc).__name__


def fail(prog: str, message: str) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return EXIT_USER_ERROR
