"""The rewards' problem details (coupons, merchants, redemptions) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"unknown, revoked or expired credentials", "credenziali sconosciute, revocate o scadute"),
    (
        r"merchant API keys cannot use the admin API",
        "le chiavi API dei negozi non possono usare l'API di amministrazione",
    ),
    (r"coupon expired on (?P<d>.+)", "coupon scaduto il {d}"),
    (r"coupon already redeemed", "coupon già usato"),
    (
        r"coupon already redeemed on (?P<d>\S+) at (?P<m>.+)",
        "coupon già usato il {d} presso {m}",
    ),
    (
        r"coupon held for a moderator's check; not redeemable yet",
        "coupon trattenuto per un controllo di un moderatore; non ancora utilizzabile",
    ),
    (r"coupon refused by a moderator", "coupon rifiutato da un moderatore"),
    (
        r"a request with this Idempotency-Key is still being processed; retry shortly",
        "una richiesta con questa Idempotency-Key è ancora in corso; riprovate tra poco",
    ),
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
    (r"no merchant `(?P<s>.*)`", "nessun negozio `{s}`"),
    (r"no such redemption", "riscatto inesistente"),
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
    (
        r"this redemption was voided; do not give the offer for it. The coupon can be "
        r"redeemed again with a new Idempotency-Key",
        "questo riscatto è stato annullato: non date l'offerta. Il coupon si può riscattare "
        "di nuovo con una nuova Idempotency-Key",
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
]
