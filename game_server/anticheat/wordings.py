"""Anti-cheat's problem details (docs/anti-cheat.md) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (
        r"device attestation is off on this server",
        "l'attestazione del dispositivo è spenta su questo server",
    ),
    (r"attestation refused: (?P<why>.+)", "attestazione rifiutata: {why}"),
    (r"coupon is (?P<s>\w+), not held", "il buono è {s}, non trattenuto"),
    (
        r"too many new guest accounts from this client; try again in (?P<n>\d+) s",
        "troppi nuovi account ospite da questo client; riprovate tra {n} s",
    ),
]
