"""Every problem detail the code raises has one Italian wording (its domain's wordings.py).

The raise statements are read from the source: a new error without an Italian wording fails
here, rather than reaching an Italian client in English; so does one that two wordings match
(the tables are composed in no particular order: game_server/wordings.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from game_server.app import create_app
from game_server.kit import italian
from game_server.kit.italian import Wording, Wordings, italian_detail
from game_server.wordings import ITALIAN
from tests.conftest import make_settings
from tests.paths import ROOT

PACKAGES = ("game_server", "quests", "rewards")
# Not for clients: programming errors, close codes, values that are not messages.
NOT_DETAILS = {
    "ValueError", "RuntimeError", "TypeError", "KeyError", "AssertionError", "SystemExit",
    "NotImplementedError", "ArgumentTypeError", "UserError", "BackendUnavailable", "BadFrame",
    "InsecureSettingsError", "InvalidCode", "CloseSocket", "NotStored",
    "UnprotectedAdminRoute", "LimitError",
}  # fmt: skip


def _sample(node: ast.expr) -> str | None:
    """The message with every placeholder filled with a plausible value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        else:
            assert isinstance(value, ast.FormattedValue)
            parts.append("'7'" if value.conversion == ord("r") else "7")
    return "".join(parts)


def details() -> Iterator[tuple[str, str]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                call = node.exc
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                if name in NOT_DETAILS or not call.args:
                    continue
                argument = call.args[1] if name == "Refusal" else call.args[0]
                text = _sample(argument)
                if text is not None:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", text


DETAILS = sorted(set(details()))


def test_the_scan_finds_the_details() -> None:
    assert len(DETAILS) > 60
    assert any(text == "there is no quest '7'" for _, text in DETAILS)


@pytest.mark.parametrize(("where", "detail"), DETAILS, ids=[w for w, _ in DETAILS])
def test_every_detail_has_one_italian_wording(where: str, detail: str) -> None:
    assert ITALIAN.detail(detail) is not None, f"{where}: {detail!r} has no Italian wording"
    assert len(ITALIAN.matching(detail)) == 1, f"{where}: {detail!r} has two wordings"


def test_two_domains_cannot_word_the_same_detail() -> None:
    with pytest.raises(ValueError, match="two wordings"):
        Wordings([("no such coupon", "coupon inesistente")], [("no such coupon", "nessun coupon")])


def test_a_refusal_words_each_of_its_reasons() -> None:
    table = Wordings(
        [
            Wording(
                r"refused: (?P<why>.+); nothing changed",
                "rifiutato: {why}; nulla è cambiato",
                reasons=[(r"(?P<n>\d+) sites gone", "{n} siti tolti")],
            )
        ]
    )
    assert table.detail("refused: 3 sites gone; a reason unknown; nothing changed") == (
        "rifiutato: 3 siti tolti; a reason unknown; nulla è cambiato"
    )


def test_the_app_installs_every_domains_wordings(tmp_path: Path) -> None:
    """Before create_app the kernel knows only its own wordings; the app speaks every domain."""
    italian.install(Wordings(italian.WORDINGS))
    try:
        assert italian_detail("there is no quest '7'") is None
        assert italian_detail("the request is not valid") == "la richiesta non è valida"
        create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"))
        assert italian_detail("there is no quest '7'") == "non esiste la missione '7'"
    finally:
        italian.install(ITALIAN)
