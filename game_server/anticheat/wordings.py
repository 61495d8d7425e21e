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
    # Why a coupon is held or was refused (evidence.py, moderation.py): stored in English,
    # shown to the player and the moderator in the language they asked for.
    (
        r"account (?P<a>\d+) s old; this coupon needs (?P<n>\d+) s",
        "account creato da {a} s; questo buono richiede un account di almeno {n} s",
    ),
    (
        r"this coupon needs an upgraded \(non-guest\) account",
        "questo buono richiede un account registrato (non ospite)",
    ),
    (
        r"this coupon needs a device attestation",
        "questo buono richiede l'attestazione del dispositivo",
    ),
    (
        r"another account of the same client already collected this team coupon",
        "un altro account dallo stesso dispositivo ha già ritirato questo buono di squadra",
    ),
    (
        r"risk score (?P<r>\S+) ≥ (?P<t>\S+): a moderator checks",
        "punteggio di rischio {r} ≥ {t}: lo controlla un moderatore",
    ),
    (r"refused by a moderator: (?P<note>.*)", "rifiutato da un moderatore: {note}"),
    (
        r"(?P<a>.+) → (?P<b>.+) took (?P<s>\d+) s in server time; a walk needs (?P<n>\d+) s",
        "{a} → {b} in {s} s secondo l'orologio del server; a piedi servono {n} s",
    ),
    (
        r"too many new guest accounts from this client; try again in (?P<n>\d+) s",
        "troppi nuovi account ospite da questo client; riprovate tra {n} s",
    ),
]
