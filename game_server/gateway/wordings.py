"""The gateway's socket errors in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"no game content is published yet", "nessun contenuto di gioco è ancora pubblicato"),
    (
        r"realtime delivery interrupted; events are kept and will follow",
        "consegna in tempo reale interrotta; gli eventi sono conservati e arriveranno",
    ),
]
