"""The catalog's problem details (published content, comuni, publishing) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

from game_server.kit.italian import Wording

# Why a publication that would empty the live version is refused.
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

WORDINGS: list[tuple[str, str] | Wording] = [
    (r"no content has been published yet", "nessun contenuto è ancora stato pubblicato"),
    (r"no quest (?P<q>'.*') in the current content", "nessuna missione {q} nei contenuti attuali"),
    Wording(
        r"publishing refused: (?P<why>.+); nothing changed \(an admin can do it on purpose with "
        r"allow_wipe\)",
        "pubblicazione rifiutata: {why}; nulla è cambiato (un admin può farlo apposta con "
        "allow_wipe)",
        reasons=_WIPE,
    ),
    (r"no comune (?P<c>.+) \(comuni: (?P<k>.*)\)", "nessun comune {c} (comuni: {k})"),
]
