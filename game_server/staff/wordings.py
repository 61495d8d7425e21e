"""The staff's problem details (logins, accounts, roles, passwords) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"missing staff bearer token", "manca il token bearer dello staff"),
    (
        r"the staff token has expired; log in again",
        "il token dello staff è scaduto; accedete di nuovo",
    ),
    (r"the token is not valid", "il token non è valido"),
    (r"this staff account is disabled", "questo account dello staff è disattivato"),
    (r"this staff account no longer exists", "questo account dello staff non esiste più"),
    (
        r"staff login is unavailable; try again shortly",
        "l'accesso dello staff non è disponibile; riprovate tra poco",
    ),
    (
        r"player tokens cannot use the admin API",
        "i token dei giocatori non possono usare l'API di amministrazione",
    ),
    (r"this route needs the (?P<r>\w+) role", "questa operazione richiede il ruolo {r}"),
    (r"a staff account (?P<e>.*) already exists", "l'account dello staff {e} esiste già"),
    (r"(?P<e>'.*') is not an email address", "{e} non è un indirizzo email"),
    (
        r"too many failed logins from this address; retry in (?P<n>\d+) s",
        "troppi accessi falliti da questo indirizzo; riprovate tra {n} s",
    ),
    (
        r"too many failed logins for this account from this address; retry in (?P<n>\d+) s",
        "troppi accessi falliti per questo account da questo indirizzo; riprovate tra {n} s",
    ),
    (
        r"too many failed logins for this account from new addresses; retry in (?P<n>\d+) s",
        "troppi accessi falliti per questo account da indirizzi nuovi; riprovate tra {n} s",
    ),
    (r"no staff account (?P<s>.+)", "nessun account dello staff {s}"),
    (r"unknown staff role (?P<r>.+)", "ruolo dello staff sconosciuto {r}"),
    (r"the password is too easy to guess", "la password è troppo facile da indovinare"),
    (
        r"the password is too easy to guess: common passwords, names, dates and keyboard "
        r"patterns are refused; try a few unrelated words",
        "la password è troppo facile da indovinare: password comuni, nomi, date e sequenze "
        "di tastiera sono rifiutati; provate qualche parola senza legami tra loro",
    ),
    (
        r"the password must be at least (?P<n>\d+) characters long",
        "la password deve avere almeno {n} caratteri",
    ),
    (
        r"the password must be at most (?P<n>\d+) characters long",
        "la password deve avere al massimo {n} caratteri",
    ),
    (
        r"you hold no (?P<r>\w+) role on comune (?P<c>.+)",
        "non avete il ruolo {r} sul comune {c}",
    ),
    (
        r"a staff account needs at least one comune",
        "un account dello staff richiede almeno un comune",
    ),
]
