"""`lupiae` meeting a user's mistake: one clear line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game_server.settings import Settings
from tests.paths import ROOT

pytestmark = pytest.mark.slow

_SCRIPT = Path(sys.executable).with_name("lupiae")


def lupiae(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `lupiae` script (or the module without one), as a user runs it."""
    command = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "game_server.cli"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LUPIAE_")}
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *, code: int = 1) -> str:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_default_database_is_the_checkouts_whatever_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LUPIAE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    here = Settings().database_url
    monkeypatch.chdir(ROOT / "docs")
    assert Settings().database_url == here
    assert here == f"sqlite+aiosqlite:///{ROOT / 'var' / 'lupiae.sqlite3'}"


def test_merchant_list_from_another_directory(tmp_path: Path) -> None:
    result = lupiae("merchant", "list", cwd=tmp_path)
    assert not (tmp_path / "var").exists()  # nothing created where the user happens to be
    default = ROOT / "var" / "lupiae.sqlite3"
    if result.returncode != 0:  # a fresh clone: no `make run` yet
        line = assert_one_line(result)
        assert line.startswith("lupiae merchant: ")
        assert str(default) in line


def test_merchant_list_without_a_database_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "lupiae.sqlite3"
    url = f"sqlite+aiosqlite:///{missing}"
    line = assert_one_line(lupiae("merchant", "list", cwd=tmp_path, LUPIAE_DATABASE_URL=url))
    assert line == (
        f"lupiae merchant: no database at {missing}: run `lupiae db upgrade` first "
        "(`make run` does)"
    )
    assert not missing.exists()


def test_merchant_list_on_a_database_never_migrated(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    url = f"sqlite+aiosqlite:///{empty}"
    line = assert_one_line(lupiae("merchant", "list", cwd=tmp_path, LUPIAE_DATABASE_URL=url))
    assert "has no Lupiae tables: run `lupiae db upgrade` first" in line


@pytest.mark.parametrize("command", [("merchant", "list"), ("staff", "list"), ("db", "upgrade")])
def test_an_unreachable_database_server(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/lupiae"
    line = assert_one_line(lupiae(*command, cwd=tmp_path, LUPIAE_DATABASE_URL=url))
    assert line.startswith(f"lupiae {command[0]}: cannot reach the database {url}: ")


def test_a_database_url_of_an_unsupported_kind(tmp_path: Path) -> None:
    result = lupiae("merchant", "list", cwd=tmp_path, LUPIAE_DATABASE_URL="mysql://x/y")
    assert "use one of: sqlite+aiosqlite://..., postgresql+asyncpg://..." in assert_one_line(result)


def test_simulate_against_no_server(tmp_path: Path) -> None:
    result = lupiae("simulate", "--url", "http://127.0.0.1:1", "--players", "1", cwd=tmp_path)
    line = assert_one_line(result)
    assert line.startswith("lupiae simulate: cannot reach the server at http://127.0.0.1:1: ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("merchant", "create"), "lupiae merchant create: the following arguments are required"),
        (("simulate", "--players", "0"), "lupiae simulate: argument --players: 0 is not"),
        (("simulate", "--url", "127.0.0.1:8000"), "lupiae simulate: --url must start with"),
        (("content",), "lupiae content: the following arguments are required: ACTION"),
        (("serve", "--port", "http"), "lupiae serve: argument --port: invalid int value"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    result = lupiae(*args, cwd=tmp_path)
    code = 1 if "--url" in args else 2
    assert assert_one_line(result, code=code).startswith(expected)
