"""Every problem detail the code raises has one Italian wording (its domain's wordings.py), and
so has every reason a coupon is held or withheld (a `CouponVerdict`: players and moderators
read it in their language).

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
# Details built around a phrase the caller picks: each phrase the code passes.
PHRASED = {
    "too many failed logins 7; retry in 7 s": (
        "from this address", "for this account from this address",
        "for this account from new addresses",
    ),
    "too many 7 for this shop; retry in 7 s": ("lookups", "failed redemptions"),
}  # fmt: skip


# Built with the message second: (kind, message, …).
MESSAGE_SECOND = {"Refusal", "CouponVerdict"}


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


def _name(call: ast.Call) -> str:
    return str(getattr(call.func, "id", getattr(call.func, "attr", "")))


def _trees() -> list[tuple[str, ast.Module]]:
    paths = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    return [
        (p.relative_to(ROOT).as_posix(), ast.parse(p.read_text(encoding="utf-8"))) for p in paths
    ]


def _domain_errors(trees: list[tuple[str, ast.Module]]) -> set[str]:
    """The names of DomainError and its subclasses: an error built to be raised later (a
    refusal returned by a helper) carries a detail as much as one raised on the spot."""
    bases = {
        node.name: {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
        for _, tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {"DomainError"}
    for _ in range(len(bases)):
        grown = found | {name for name, of in bases.items() if of & found}
        if grown == found:
            break
        found = grown
    return found


def details() -> Iterator[tuple[str, str]]:
    trees = _trees()
    errors = _domain_errors(trees)
    for where, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
            elif isinstance(node, ast.Call) and _name(node) in errors | MESSAGE_SECOND:
                call = node
            else:
                continue
            name = _name(call)
            position = 1 if name in MESSAGE_SECOND else 0
            if name in NOT_DETAILS or len(call.args) <= position:
                continue
            argument = call.args[position]
            text = _sample(argument)
            for phrase in PHRASED.get(text or "", ()):
                yield f"{where}:{node.lineno}", str(text).replace("7", phrase, 1)
            if text is not None and text not in PHRASED:
                yield f"{where}:{node.lineno}", text


DETAILS = sorted(set(details()))


def test_the_scan_finds_the_details() -> None:
    assert len(DETAILS) > 60
    assert any(text == "there is no quest '7'" for _, text in DETAILS)
    # built by a helper and raised by its caller
    assert any(text == "coupon already redeemed on 7 at 7" for _, text in DETAILS)
    assert any(text == "too many lookups for this shop; retry in 7 s" for _, text in DETAILS)
    # why a coupon is held, and why one was not issued at all
    assert any(text == "risk score 7 ≥ 7: a moderator checks" for _, text in DETAILS)
    assert any(text.endswith("s in server time; a walk needs 7 s") for _, text in DETAILS)


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
