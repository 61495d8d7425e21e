"""Italian wordings of the validator's messages about files and YAML (see content/italian.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

Template = str | Callable[[dict[str, str]], str]

_TOKENS = {
    "a new key": "una nuova chiave",
    "a new list": "una nuova lista",
    "the end of the block": "la fine del blocco",
    "a list item ('-')": "un elemento di lista ('-')",
    "a value": "un valore",
}


def _at(text: str) -> str:
    return re.sub(r"line (\d+), column (\d+)", r"riga \1, colonna \2", text)


def _got(got: str) -> str:
    return _TOKENS.get(got, got)


FILE_RULES: list[tuple[str, Template]] = [
    # files and YAML
    (
        r"file is (?P<n>\d+) bytes, the limit is 1 MiB \((?P<max>\d+) bytes\)",
        "il file è di {n} byte, il limite è 1 MiB ({max} byte)",
    ),
    (r"file is (?P<n>[\d.]+) MiB, the limit is 1 MiB", "il file è di {n} MiB, il limite è 1 MiB"),
    (r"file is not valid UTF-8 text", "il file non è testo UTF-8 valido"),
    (
        r"character (?P<c>#x[0-9a-f]+) is not allowed in YAML text",
        "il carattere {c} non è ammesso in un testo YAML",
    ),
    (r"more than (?P<n>\d+) aliases in one file", "più di {n} alias in un solo file"),
    (r"file has more than (?P<n>\d+) values", "il file ha più di {n} valori"),
    (r"values nested deeper than (?P<n>\d+) levels", "valori annidati oltre {n} livelli"),
    (r"recursive alias: a value contains itself", "alias ricorsivo: un valore contiene se stesso"),
    (
        r"aliases expand this file to more than (?P<n>\d+) values \(alias bomb\?\); "
        r"write the content out instead",
        "gli alias espandono il file a più di {n} valori (alias bomb?); scrivete i contenuti per "
        "esteso",
    ),
    (
        r"aliases nest values deeper than (?P<n>\d+) levels \(a chain of aliases inside aliases\); "
        r"write the content out instead",
        "gli alias annidano valori oltre {n} livelli (una catena di alias dentro alias); scrivete "
        "i contenuti per esteso",
    ),
    (
        r"unsafe YAML tag '(?P<t>.*)' is not allowed",
        "il tag YAML '{t}' non è sicuro e non è ammesso",
    ),
    (r"unknown YAML tag '(?P<t>.*)' is not allowed", "il tag YAML '{t}' non è ammesso"),
    (
        r"duplicate key '(?P<k>.*)' \(first used on line (?P<n>\d+)\)",
        "chiave '{k}' ripetuta (usata la prima volta alla riga {n})",
    ),
    (
        r"'<<' must merge a mapping or a list of mappings",
        "'<<' deve unire una mappa o una lista di mappe",
    ),
    (r"a mapping key must be plain text", "una chiave deve essere un semplice testo"),
    (r"cannot read '(?P<v>.*)' as (?P<t>\S+)", "non riesco a leggere '{v}' come {t}"),
    (r"no such file or folder", "file o cartella inesistente"),
    (r"no \.yaml or \.yml files found", "nessun file .yaml o .yml trovato"),
    (
        r"(?P<n>\d+) content files, the limit is (?P<max>\d+)",
        "{n} file di contenuti, il limite è {max}",
    ),
    (
        r"the bundle is (?P<n>[\d.]+) MiB, the limit is 16 MiB",
        "i contenuti pesano {n} MiB, il limite è 16 MiB",
    ),
    # YAML syntax (after the "YAML syntax error: " prefix)
    (
        r"this '(?P<o>.)' is not closed: end it with '(?P<c>.)', separate its entries with ',' and "
        r"put text containing ':' or ',' in quotes \(noticed at (?P<at>.+)\)",
        lambda g: (
            f"la parentesi '{g['o']}' aperta qui non è chiusa: chiudetela con '{g['c']}', "
            "separate le voci con ',' e mettete tra virgolette i testi che contengono ':' o ',' "
            f"(notato a {_at(g['at'])})"
        ),
    ),
    (
        r"the file ends inside the '(?P<o>.)' opened at (?P<at>.+)",
        lambda g: f"il file finisce dentro la '{g['o']}' aperta a {_at(g['at'])}",
    ),
    (
        r"unexpected (?P<got>.+) inside the '(?P<o>.)' opened at (?P<at>.+)",
        lambda g: f"{_got(g['got'])} inatteso dentro la '{g['o']}' aperta a {_at(g['at'])}",
    ),
    (
        r"the lines of this block are not lined up: line (?P<n>\d+) is indented differently "
        r"\(noticed at (?P<at>.+)\)",
        lambda g: (
            f"le righe di questo blocco non sono allineate: la riga {g['n']} ha un rientro "
            f"diverso (notato a {_at(g['at'])})"
        ),
    ),
    (
        r"wrong indentation: (?P<got>.+) that does not line up with the block started at "
        r"(?P<at>.+); indent it like the lines above it",
        lambda g: (
            f"rientro sbagliato: {_got(g['got'])} non allineato con il blocco iniziato a "
            f"{_at(g['at'])}; allineatelo alle righe sopra"
        ),
    ),
    (
        r"the quote (?P<q>.+) opened here is never closed \(noticed at (?P<at>.+)\)",
        lambda g: (
            f"le virgolette {g['q']} aperte qui non sono mai chiuse (notato a {_at(g['at'])})"
        ),
    ),
    (
        r"still inside the quoted text opened at (?P<at>.+): close it with (?P<q>.+)",
        lambda g: (
            f"ancora dentro il testo tra virgolette aperto a {_at(g['at'])}: chiudetelo "
            f"con {g['q']}"
        ),
    ),
    (
        r"a key without ':': write 'key: value' \(noticed at (?P<at>.+)\)",
        lambda g: f"una chiave senza ':': scrivete 'chiave: valore' (notato a {_at(g['at'])})",
    ),
    (
        r"line (?P<n>\d+) has a key without ':' \(it starts at (?P<at>.+)\)",
        lambda g: f"la riga {g['n']} ha una chiave senza ':' (inizia a {_at(g['at'])})",
    ),
    (
        r"a ':' where no key can start: put text containing ': ' in quotes, or indent this line "
        r"like the keys above it",
        "un ':' dove non può iniziare una chiave: mettete tra virgolette i testi che contengono "
        "': ', oppure allineate questa riga alle chiavi sopra",
    ),
    (
        r"a tab character: indent with spaces only",
        "un carattere di tabulazione: per i rientri usate solo spazi",
    ),
    (
        r"the alias '\*(?P<a>.*)' refers to no anchor '&(?P<b>.*)' written above it",
        "l'alias '*{a}' non corrisponde a nessuna ancora '&{b}' scritta prima",
    ),
    (
        r"a second document starts here: keep one document per file \(remove '---'\)",
        "qui inizia un secondo documento: un solo documento per file (togliete '---')",
    ),
]
