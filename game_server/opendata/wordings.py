"""Open data's problem details (docs/open-data.md) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"no open data for (?P<c>.+)", "nessun dato aperto per {c}"),
    (
        r"no published release of (?P<c>\S+) for (?P<d>\S+)",
        "nessun rilascio pubblicato di {c} per il {d}",
    ),
    (
        r"(?P<d>\S+) cannot be released before (?P<e>\S+): releases lag at least (?P<n>\d+) days",
        "il {d} non può essere rilasciato prima del {e}: "
        "i rilasci hanno almeno {n} giorni di ritardo",
    ),
    (
        r"no content published: there are no sites to count visits at",
        "nessun contenuto pubblicato: non ci sono siti su cui contare le visite",
    ),
]
