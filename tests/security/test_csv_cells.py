"""The one CSV cell rule (game_server.kit.csvcells), and every CSV export uses it."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game_server.kit.csvcells import neutralise

DANGEROUS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    ' =HYPERLINK("http://evil.example")',
    "   +cmd",
    "\u00a0=1",
    "\u3000=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "|calc",
    " |calc",
    "｜calc",
]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_a_cell_a_spreadsheet_would_run_is_marked_as_text(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["", "Caffè Alvino", "K7QM-4XPR-W", "2026-11-22T09:30:00+01:00", "a=b", "1-2", "x@y"]
)
def test_a_plain_cell_is_written_as_it_is(cell: str) -> None:
    assert neutralise(cell) == cell


def test_none_is_an_empty_cell_and_numbers_are_text() -> None:
    assert neutralise(None) == ""
    assert neutralise(42) == "42"
    assert neutralise(-3) == "-3"  # numbers are data
    assert neutralise(-12.5) == "-12.5"
    assert neutralise("-3") == "'-3"  # text that looks like a formula is not


@given(st.text())
def test_no_neutralised_cell_starts_a_formula(cell: str) -> None:
    out = neutralise(cell)
    first = out.lstrip(" \u00a0\u3000\t\r\n")[:1]
    assert out == cell or out == "'" + cell
    assert out[:1] not in set("=+-@|\t\r\n＝＋－＠｜") or out.startswith("'")
    assert first not in set("=+-@|＝＋－＠｜") or out.startswith("'")
    # It survives the csv module's quoting unchanged.
    buffer = io.StringIO()
    csv.writer(buffer).writerow([out])
    assert next(csv.reader(io.StringIO(buffer.getvalue()), strict=True)) == [out]


def test_every_csv_writer_in_the_server_goes_through_the_rule() -> None:
    """Each module that writes CSV imports the one function (a new export must, too)."""
    from pathlib import Path

    from tests.paths import ROOT

    writers = [
        path
        for folder in ("game_server", "rewards", "quests")
        for path in (ROOT / folder).rglob("*.py")
        if "csv.writer(" in path.read_text()
    ]
    assert writers, "no CSV export found"
    for path in writers:
        assert "csvcells" in Path(path).read_text(), f"{path} writes CSV without csvcells"
