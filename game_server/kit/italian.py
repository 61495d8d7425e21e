"""Problem details and socket errors in Italian, for clients that ask for it (or ask nothing).

The API's language rule: `?lang=it|en`, else Accept-Language, else Italian
(`game_server.kit.i18n.negotiate`). Domain errors are raised with English details; this table gives
their Italian wording, matched on the whole text (names and numbers carried over). A detail
without an entry stays English, and the response's Content-Language says so.
"""

from __future__ import annotations

import re

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

_DETAILS: list[tuple[str, str]] = [
    # generic (error handlers)
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
    (r"no content has been published yet", "nessun contenuto è ancora stato pubblicato"),
    (r"no game content is published yet", "nessun contenuto di gioco è ancora pubblicato"),
    (
        r"realtime delivery interrupted; events are kept and will follow",
        "consegna in tempo reale interrotta; gli eventi sono conservati e arriveranno",
    ),
    # authentication
    (r"missing bearer token", "manca il token bearer"),
    (r"missing staff bearer token", "manca il token bearer dello staff"),
    (r"the access token has expired; refresh it", "il token di accesso è scaduto; rinnovatelo"),
    (r"the access token is not valid", "il token di accesso non è valido"),
    (r"the player no longer exists", "il giocatore non esiste più"),
    (
        r"the refresh token has expired; sign in again",
        "il token di rinnovo è scaduto; accedete di nuovo",
    ),
    (
        r"the staff token has expired; log in again",
        "il token dello staff è scaduto; accedete di nuovo",
    ),
    (r"the token is not an access token", "il token non è un token di accesso"),
    (r"the token is not valid", "il token non è valido"),
    (r"this staff account is disabled", "questo account dello staff è disattivato"),
    (r"this staff account no longer exists", "questo account dello staff non esiste più"),
    # passkeys (game_server/players/passkeys)
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
    (r"unknown, revoked or expired credentials", "credenziali sconosciute, revocate o scadute"),
    (
        r"refresh token already used; every session of it is revoked",
        "token di rinnovo già usato; tutte le sue sessioni sono revocate",
    ),
    (
        r"staff login is unavailable; try again shortly",
        "l'accesso dello staff non è disponibile; riprovate tra poco",
    ),
    # permissions
    (
        r"merchant API keys cannot use the admin API",
        "le chiavi API dei negozi non possono usare l'API di amministrazione",
    ),
    (
        r"player tokens cannot use the admin API",
        "i token dei giocatori non possono usare l'API di amministrazione",
    ),
    (r"this player is banned", "questo giocatore è bloccato"),
    (r"this route needs the (?P<r>\w+) role", "questa operazione richiede il ruolo {r}"),
    (r"only an admin can publish with allow_wipe", "solo un admin può pubblicare con allow_wipe"),
    # not found
    (r"no content version (?P<v>\d+)", "nessuna versione dei contenuti {v}"),
    (r"no player (?P<p>\S+)", "nessun giocatore {p}"),
    (r"no quest (?P<q>'.*') in the current content", "nessuna missione {q} nei contenuti attuali"),
    (r"no quest (?P<q>'.*') in the uploaded bundle", "nessuna missione {q} nei file caricati"),
    (r"there is no badge '(?P<b>.*)'", "non esiste la medaglia '{b}'"),
    (r"you have not been awarded the badge '(?P<b>.*)'", "non hai ottenuto la medaglia '{b}'"),
    # teams
    (
        r"leave your team before founding another one",
        "lascia la tua squadra prima di fondarne un'altra",
    ),
    (
        r"leave your team before joining another one",
        "lascia la tua squadra prima di entrare in un'altra",
    ),
    (r"you joined another team meanwhile", "nel frattempo sei entrato in un'altra squadra"),
    (
        r"you are not in a team; create one or join with a code",
        "non sei in una squadra; creane una o entra con un codice",
    ),
    # coupons and merchants
    (r"coupon expired on (?P<d>.+)", "coupon scaduto il {d}"),
    (r"coupon already redeemed", "coupon già usato"),
    (
        r"coupon changed while redeeming it; check it again",
        "il coupon è cambiato durante l'uso; controllatelo di nuovo",
    ),
    (r"this coupon belongs to another shop", "questo coupon è di un altro negozio"),
    (r"no such coupon", "coupon inesistente"),
    (r"you have no such coupon", "non hai questo coupon"),
    (
        r"unknown, revoked or expired merchant API key",
        "chiave API del negozio sconosciuta, revocata o scaduta",
    ),
    (r"a merchant `(?P<s>.*)` already exists", "il negozio `{s}` esiste già"),
    (r"a staff account (?P<e>.*) already exists", "l'account dello staff {e} esiste già"),
    (r"(?P<e>'.*') is not an email address", "{e} non è un indirizzo email"),
    # quests (the rules' refusals)
    (r"there is no quest '(?P<q>.*)'", "non esiste la missione '{q}'"),
    (
        r"answer this question while you are at (?P<n>.+)",
        "rispondi a questa domanda mentre sei a {n}",
    ),
    (r"complete (?P<m>.+) before starting '(?P<q>.*)'", "completa {m} prima di iniziare '{q}'"),
    (
        r"quest '(?P<q>.*)' can be played again from (?P<t>.+)",
        "la missione '{q}' si può rigiocare da {t}",
    ),
    (
        r"quest '(?P<q>.*)' cannot be played at this time",
        "la missione '{q}' non si gioca a quest'ora",
    ),
    (r"quest '(?P<q>.*)' has no step '(?P<s>.*)'", "la missione '{q}' non ha la tappa '{s}'"),
    (r"quest '(?P<q>.*)' is already completed", "la missione '{q}' è già completata"),
    (r"start quest '(?P<q>.*)' before answering", "inizia la missione '{q}' prima di rispondere"),
    (
        r"step '(?P<s>.*)' of '(?P<q>.*)' is not open yet",
        "la tappa '{s}' di '{q}' non è ancora aperta",
    ),
    (
        r"step '(?P<s>.*)' of '(?P<q>.*)' is not a question",
        "la tappa '{s}' di '{q}' non è una domanda",
    ),
    (r"that is not the right answer", "non è la risposta giusta"),
    (
        r"too many wrong answers to this question; try again in (?P<n>\d+) s",
        "troppe risposte sbagliate a questa domanda; riprova tra {n} s",
    ),
    # social
    (r"this player is not your friend", "questo giocatore non è tuo amico"),
    (r"this is your own invite code", "questo è il tuo codice di invito"),
    (r"this team already has (?P<n>\d+) members", "questa squadra ha già {n} membri"),
    (r"no leaderboard called (?P<n>'.*')", "nessuna classifica chiamata {n}"),
    (r"no player has this invite code", "nessun giocatore ha questo codice di invito"),
    (r"no team has this join code", "nessuna squadra ha questo codice"),
    # merchants, coupons and redemptions
    (r"this redemption belongs to another shop", "questo riscatto è di un altro negozio"),
    (
        r"send an `Idempotency-Key` header \(e\.g\. a UUID per sale\) with every redemption",
        "inviate un'intestazione `Idempotency-Key` (per esempio un UUID per vendita) con ogni "
        "riscatto",
    ),
    (
        r"the `Idempotency-Key` must be 1 to (?P<n>\d+) printable ASCII characters",
        "la `Idempotency-Key` deve avere da 1 a {n} caratteri ASCII stampabili",
    ),
    (
        r"this Idempotency-Key was already used with another request body; use a new key for a "
        r"new redemption",
        "questa Idempotency-Key è già stata usata con un'altra richiesta; usate una chiave nuova "
        "per un nuovo riscatto",
    ),
    (
        r"send the merchant API key as `Authorization: Bearer lpm_…`",
        "inviate la chiave API del negozio come `Authorization: Bearer lpm_…`",
    ),
    (r"not a Lupiae coupon payload", "non è un codice di coupon Lupiae"),
    (r"the signature does not verify", "la firma non è valida"),
    (
        r"too many lookups for this shop; retry in (?P<n>\d+) s",
        "troppe verifiche per questo negozio; riprovate tra {n} s",
    ),
    (
        r"too many failed redemptions for this shop; retry in (?P<n>\d+) s",
        "troppi riscatti falliti per questo negozio; riprovate tra {n} s",
    ),
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
    (
        r"no district is known: publish content with a `district` area first",
        "nessun distretto noto: pubblicate prima contenuti con un'area `district`",
    ),
    (
        r"\((?P<lat>[^,]+), (?P<lon>[^)]+)\) lies outside the commercial district",
        "({lat}, {lon}) sta fuori dal distretto del commercio",
    ),
    (r"no merchant `(?P<s>.*)`", "nessun negozio `{s}`"),
    (r"no such redemption", "riscatto inesistente"),
    (r"no staff account (?P<s>.+)", "nessun account dello staff {s}"),
    (r"no such coupon: (?P<why>.+)", "coupon inesistente: {why}"),
    (
        r"`(?P<n>.*)` must be an ISO date \(2026-11-22\) or date-time "
        r"\(2026-11-22T09:30:00\+01:00\) within the years (?P<a>\d+)\.\.(?P<b>\d+)",
        "`{n}` deve essere una data ISO (2026-11-22) o una data e ora (2026-11-22T09:30:00+01:00)"
        " tra gli anni {a} e {b}",
    ),
    (
        r"a redemption can be voided for (?P<n>\d+) s; this one could until (?P<t>.+)",
        "un riscatto si può annullare entro {n} s; questo si poteva fino a {t}",
    ),
    (r"unknown staff role (?P<r>.+)", "ruolo dello staff sconosciuto {r}"),
    # passwords and uploads
    (r"the password is too easy to guess", "la password è troppo facile da indovinare"),
    (
        r"this redemption was voided; do not give the offer for it. The coupon can be "
        r"redeemed again with a new Idempotency-Key",
        "questo riscatto è stato annullato: non date l'offerta. Il coupon si può riscattare "
        "di nuovo con una nuova Idempotency-Key",
    ),
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
    (r"the zip archive cannot be read: (?P<why>.+)", "l'archivio zip non si legge: {why}"),
    (
        r"the archive unpacks to more than 16 MiB, the limit for a bundle",
        "l'archivio si espande a più di 16 MiB, il limite per i contenuti",
    ),
    (
        r"the archive has (?P<n>\d+) members, the limit is (?P<m>\d+)",
        "l'archivio ha {n} elementi, il limite è {m}",
    ),
    (r"(?P<n>\d+) files, the limit is (?P<m>\d+)", "{n} file, il limite è {m}"),
    (
        r"(?P<n>.+) unpacks to more than 1 MiB, the limit for one file",
        "{n} si espande a più di 1 MiB, il limite per un file",
    ),
    (
        r"(?P<n>\d+) problems? found; nothing changed",
        "{n} problemi trovati; nulla è cambiato",
    ),
    # privacy
    (
        r"erasing an account cannot be undone: repeat the request with \?confirm=<your player "
        r"id> \(GET /v1/me shows it\)",
        "cancellare un account non si può annullare: ripetete la richiesta con "
        "?confirm=<il vostro id di giocatore> (lo mostra GET /v1/me)",
    ),
    # uploads and publishing
    (r"two files are named (?P<n>'.*')", "due file si chiamano {n}"),
    (
        r"(?P<n>'.*') is an absolute path; use names relative to the bundle",
        "{n} è un percorso assoluto; usate nomi relativi ai contenuti",
    ),
    (r"(?P<n>'.*') is not an acceptable file name", "{n} non è un nome di file accettabile"),
    (r"(?P<n>'.*') points outside the bundle", "{n} punta fuori dai contenuti"),
    (
        r"publishing refused: (?P<why>.+); nothing changed \(an admin can do it on purpose with "
        r"allow_wipe\)",
        "pubblicazione rifiutata: {why}; nulla è cambiato (un admin può farlo apposta con "
        "allow_wipe)",
    ),
    # comuni (docs/reuse.md)
    (
        r"no comune (?P<c>.+) is published \(comuni: (?P<k>.*)\); upload its city\.yaml",
        "il comune {c} non è pubblicato (comuni: {k}); caricate il suo city.yaml",
    ),
    (r"no comune (?P<c>.+) \(comuni: (?P<k>.*)\)", "nessun comune {c} (comuni: {k})"),
    (r"no comune (?P<c>.+); known: (?P<k>.*)", "nessun comune {c}; noti: {k}"),
    # district (game_server/district)
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
    (
        r"you hold no (?P<r>\w+) role on comune (?P<c>.+)",
        "non avete il ruolo {r} sul comune {c}",
    ),
    (
        r"a staff account needs at least one comune",
        "un account dello staff richiede almeno un comune",
    ),
    (
        r"no district is known for comune (?P<c>.+): "
        r"publish its content with a `district` area first",
        "nessun distretto noto per il comune {c}: "
        "pubblicatene prima i contenuti con un'area `district`",
    ),
    (
        r"\((?P<lat>[^,]+), (?P<lon>[^)]+)\) lies outside the commercial district of (?P<c>.+)",
        "({lat}, {lon}) è fuori dal distretto del commercio di {c}",
    ),
    (
        r"this coupon belongs to another comune's shop",
        "questo buono appartiene a un negozio di un altro comune",
    ),
    # anti-cheat (docs/anti-cheat.md)
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
    # open data (docs/open-data.md)
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
_WIPE = [
    (
        r"the bundle is empty: its files hold no areas, sites or quests \(only comments\?\)",
        "i contenuti sono vuoti: i file non hanno aree, siti o missioni (solo commenti?)",
    ),
    (
        r"it would remove every site \((?P<n>\d+)\) of the live version",
        "toglierebbe tutti i siti ({n}) della versione attiva",
    ),
    (
        r"it would remove every quest \((?P<n>\d+)\) of the live version",
        "toglierebbe tutte le missioni ({n}) della versione attiva",
    ),
]
_COMPILED = [(re.compile(p, re.S), t) for p, t in _DETAILS]
_WIPE_COMPILED = [(re.compile(p, re.S), t) for p, t in _WIPE]


def _match(text: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, template in table:
        found = pattern.fullmatch(text)
        if found is not None:
            return template.format(**found.groupdict())
    return None


def italian_detail(detail: str) -> str | None:
    """The Italian wording of a problem detail or socket error message, or None."""
    text = _match(detail, _COMPILED)
    if text is not None and text.startswith("pubblicazione rifiutata: "):
        reasons = text.removeprefix("pubblicazione rifiutata: ").split("; nulla è cambiato")[0]
        parts = [_match(r, _WIPE_COMPILED) or r for r in reasons.split("; ")]
        text = text.replace(reasons, "; ".join(parts))
    return text


def localize(detail: str, language: str) -> tuple[str, str]:
    """(text, its language): Italian when asked for and known, else the English original."""
    if language == "it":
        text = italian_detail(detail)
        if text is not None:
            return text, "it"
    return detail, "en"
