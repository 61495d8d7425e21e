"""Problem details and socket errors in Italian, for clients that ask for it (or ask nothing).

The API's language rule: `?lang=it|en`, else Accept-Language, else Italian
(`game_server.kit.i18n.negotiate`). Domain errors are raised with English details; each domain
owns the Italian wordings of its own (its `wordings.py`: `WORDINGS`, a list of (English pattern,
Italian template) matched on the whole text, names and numbers carried over). The wiring
composes them with the kernel's below (`game_server/wordings.py`) and installs the table at
start; no detail may match two wordings, so the order of the tables does not matter. A detail
without an entry stays English, and the response's Content-Language says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

TITLES = {
    400: "Richiesta non valida",
    401: "Non autenticato",
    403: "Non consentito",
    404: "Non trovato",
    405: "Metodo non consentito",
    408: "Tempo scaduto per la richiesta",
    409: "Conflitto",
    410: "Non più disponibile",
    413: "Contenuto troppo grande",
    415: "Tipo di contenuto non supportato",
    422: "Contenuto non elaborabile",
    429: "Troppe richieste",
    500: "Errore interno del server",
    503: "Servizio non disponibile",
}


class Wording(NamedTuple):
    """An English detail (a regular expression matched on the whole text) and its Italian
    template (its named groups carried over). `reasons` word the "; "-separated parts of the
    group `why` (a refusal that lists its reasons); a part without one stays as it is."""

    english: str
    italian: str
    reasons: Sequence[tuple[str, str]] = ()


# The kernel's own: the error handlers' and the HTTP layer's generic details.
WORDINGS: list[tuple[str, str] | Wording] = [
    (r"the request is not valid", "la richiesta non è valida"),
    (r"internal error; it has been logged", "errore interno; è stato registrato"),
    (
        r"the database is busy or unavailable; retry shortly",
        "il database è occupato o non disponibile; riprovate tra poco",
    ),
    (
        r"a shared service is unavailable; retry shortly",
        "un servizio condiviso non è disponibile; riprovate tra poco",
    ),
    (r"Not Found", "non trovato"),
    (
        r"the request body is larger than (?P<n>\d+) bytes",
        "il corpo della richiesta supera {n} byte",
    ),
    (
        r"the request body was not received within (?P<n>[\d.]+) s",
        "il corpo della richiesta non è arrivato entro {n} s",
    ),
    (r"Method Not Allowed", "metodo non consentito"),
]

_Compiled = list[tuple[re.Pattern[str], str]]


def _compile(table: Iterable[tuple[str, str]]) -> _Compiled:
    return [(re.compile(english, re.S), italian) for english, italian in table]


class Wordings:
    """A table of wordings, composed of the kernel's and the domains'."""

    def __init__(self, *tables: Sequence[tuple[str, str] | Wording]) -> None:
        entries = [Wording(*entry) for table in tables for entry in table]
        seen: set[str] = set()
        for entry in entries:
            if entry.english in seen:
                raise ValueError(f"two wordings of {entry.english!r}")
            seen.add(entry.english)
        self._entries = [
            (re.compile(e.english, re.S), e.italian, _compile(e.reasons)) for e in entries
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def matching(self, detail: str) -> list[str]:
        """The English patterns that match `detail` (one at most, tests check)."""
        return [p.pattern for p, _, _ in self._entries if p.fullmatch(detail)]

    def detail(self, detail: str) -> str | None:
        """The Italian wording of a problem detail or socket error message, or None."""
        for pattern, template, reasons in self._entries:
            found = pattern.fullmatch(detail)
            if found is None:
                continue
            groups = found.groupdict()
            if reasons:
                groups["why"] = "; ".join(
                    _template(part, reasons) or part for part in groups["why"].split("; ")
                )
            return template.format(**groups)
        return None


def _template(text: str, table: _Compiled) -> str | None:
    for pattern, template in table:
        found = pattern.fullmatch(text)
        if found is not None:
            return template.format(**found.groupdict())
    return None


# The table in use: the kernel's alone until the wiring installs the composed one
# (`create_app`, through `install_error_handlers`).
_installed = {"table": Wordings(WORDINGS)}


def install(wordings: Wordings) -> None:
    """Use `wordings` (the kernel's and every domain's) for every later problem and error frame."""
    _installed["table"] = wordings


def italian_detail(detail: str) -> str | None:
    """The Italian wording of a problem detail or socket error message, or None."""
    return _installed["table"].detail(detail)


def localized(text: str | None, language: str) -> str | None:
    """A stored English text (a held coupon's reason) in `language` where a wording knows it."""
    return None if text is None else localize(text, language)[0]


def localize(detail: str, language: str) -> tuple[str, str]:
    """(text, its language): Italian when asked for and known, else the English original."""
    if language == "it":
        text = italian_detail(detail)
        if text is not None:
            return text, "it"
    return detail, "en"
