"""One rule for every CSV cell this server writes (docs/security.md: CSV injection).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and `|` as a DDE
call in some), even after leading spaces, tabs or line breaks, and some read the full-width
forms (`＝ ＋ － ＠`) as the ASCII ones. Such a cell is written with a leading apostrophe, which
spreadsheets show as a plain text marker (OWASP's "CSV injection" advice); any other cell is
written as it is.
"""

from __future__ import annotations

from typing import Any

_TRIGGERS = frozenset("=+-@|\t\r\n＝＋－＠｜")
# What a spreadsheet skips before it looks at a cell's first character.
_SKIPPED = " \u00a0\u3000\t\r\n"


def neutralise(value: Any) -> str:
    """The text of one CSV cell, safe to open in a spreadsheet (None is an empty cell; a
    number is written as a number: -3 is data, not a formula)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if not text:
        return text
    stripped = text.lstrip(_SKIPPED)
    first = stripped[:1] or text[:1]
    if first in _TRIGGERS or text[0] in _TRIGGERS:
        return "'" + text
    return text


def row(values: Any) -> list[str]:
    return [neutralise(v) for v in values]
