"""The district's problem details in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (
        r"`(?P<n>\w+)` must be a date as YYYY-MM-DD, not (?P<v>.+)",
        "`{n}` deve essere una data AAAA-MM-GG, non {v}",
    ),
    (r"`from` must not be after `to`", "`from` non può essere dopo `to`"),
    (r"a period spans at most (?P<n>\d+) days", "un periodo copre al massimo {n} giorni"),
    (r"no comune (?P<c>.+) is published", "nessun comune {c} è pubblicato"),
    (r"comune (?P<c>.+) has no street (?P<s>.+)", "il comune {c} non ha la via {s}"),
    (r"comune (?P<c>.+) has no shop (?P<s>.+)", "il comune {c} non ha l'esercizio {s}"),
    (
        r"month must be YYYY-MM, not (?P<m>.+)",
        "il mese deve essere AAAA-MM, non {m}",
    ),
    (
        r"no monitoring pack of (?P<m>.+) for comune (?P<c>.+) yet; build it first",
        "ancora nessun pacchetto di monitoraggio di {m} per il comune {c}; generatelo prima",
    ),
]
