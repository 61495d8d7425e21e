"""Privacy's problem details in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (
        r"erasing an account cannot be undone: repeat the request with \?confirm=<your player "
        r"id> \(GET /v1/me shows it\)",
        "cancellare un account non si può annullare: ripetete la richiesta con "
        "?confirm=<il vostro id di giocatore> (lo mostra GET /v1/me)",
    ),
]
