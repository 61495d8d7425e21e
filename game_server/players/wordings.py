"""The players' problem details (tokens, passkeys, accounts) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"missing bearer token", "manca il token bearer"),
    (r"the access token has expired; refresh it", "il token di accesso è scaduto; rinnovatelo"),
    (r"the access token is not valid", "il token di accesso non è valido"),
    (r"the player no longer exists", "il giocatore non esiste più"),
    (
        r"the refresh token has expired; sign in again",
        "il token di rinnovo è scaduto; accedete di nuovo",
    ),
    (r"the token is not an access token", "il token non è un token di accesso"),
    (r"not a challenge of this server", "non è una sfida di questo server"),
    (r"the challenge has expired; start again", "la sfida è scaduta; ricominciate"),
    (
        r"the challenge was issued for another ceremony",
        "la sfida è stata emessa per un'altra operazione",
    ),
    (r"the challenge was issued to another player", "la sfida è stata emessa a un altro giocatore"),
    (r"this challenge was answered already", "a questa sfida è già stato risposto"),
    (
        r"the passkey could not be verified: (?P<why>.+)",
        "non è stato possibile verificare la passkey: {why}",
    ),
    (r"this passkey is already registered", "questa passkey è già registrata"),
    (r"this passkey is not registered here", "questa passkey non è registrata qui"),
    (r"malformed credential: (?P<why>.+)", "credenziale malformata: {why}"),
    (r"unknown refresh token", "token di rinnovo sconosciuto"),
    (
        r"refresh token already used; every session of it is revoked",
        "token di rinnovo già usato; tutte le sue sessioni sono revocate",
    ),
    (r"this player is banned", "questo giocatore è bloccato"),
    (r"no player (?P<p>\S+)", "nessun giocatore {p}"),
]
