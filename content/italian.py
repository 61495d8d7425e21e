"""The validator's messages in Italian.

Checks write their messages in English; this table gives each one its Italian wording, matched
on the whole message (names, numbers and positions are carried over). A message without an
entry stays in English (tests make sure every message the fixtures produce has one).
"""

from __future__ import annotations

import re

from content.italian_files import FILE_RULES, Template

_SYNTAX = "YAML syntax error: "
_HINT = re.compile(r"(?P<body>.*?) \(did you mean '(?P<word>[^']*)'\?\)", re.S)
_LANGUAGES = {"Italian": "italiano", "English": "inglese"}
_TYPES = {
    "a whole number": "un numero intero",
    "a number": "un numero",
    "true or false": "true o false",
    "text": "un testo",
    "a list": "una lista",
    "a date written YYYY-MM-DD": "una data scritta AAAA-MM-GG",
}
_NOUNS = {
    "POI": "sito (POI)",
    "quest": "missione",
    "badge": "medaglia",
    "coupon": "coupon",
    "merchant": "negozio",
    "area": "area",
}


def _outside(where: str) -> str:
    return "in parte fuori" if where == "partly outside" else where.replace("outside", "fuori")


def _have(have: str) -> str:
    count = have.split(maxsplit=1)[0]
    return "1 POI ha" if count == "1" else f"{count} POI hanno"


_RULES: list[tuple[str, Template]] = [
    *FILE_RULES,
    # structure
    (
        r"the top level must be a mapping with any of: (?P<l>.+)",
        "il livello principale deve essere una mappa con una o più tra: {l}",
    ),
    (
        r"unknown key '(?P<k>.*)'; expected one of: (?P<l>.+)",
        "chiave sconosciuta '{k}'; attese: {l}",
    ),
    (
        r"unknown key '(?P<k>.*)'; allowed keys: (?P<l>.+)",
        "chiave sconosciuta '{k}'; chiavi ammesse: {l}",
    ),
    (r"unknown key '(?P<k>.*)'", "chiave sconosciuta '{k}'"),
    (
        r"'(?P<k>.*)' must be a list \(each item starts with '-'\)",
        "'{k}' deve essere una lista (ogni elemento inizia con '-')",
    ),
    (
        r"'(?P<n>.*)' is missing the (?P<lang>Italian|English) text \((?P<c>it|en)\)",
        lambda g: f"a '{g['n']}' manca il testo in {_LANGUAGES[g['lang']]} ({g['c']})",
    ),
    (
        r"'(?P<n>.*)' has an empty (?P<lang>Italian|English) text \((?P<c>it|en)\)",
        lambda g: f"'{g['n']}' ha il testo in {_LANGUAGES[g['lang']]} vuoto ({g['c']})",
    ),
    (
        r"the quiz has no answers: list at least one accepted answer under 'answers'",
        "il quiz non ha risposte: elencate almeno una risposta accettata in 'answers'",
    ),
    (r"missing required key '(?P<k>.*)'", "manca la chiave obbligatoria '{k}'"),
    (r"'(?P<n>.*)' is empty", "'{n}' è vuoto"),
    (r"a polygon needs at least 3 points", "un poligono ha bisogno di almeno 3 punti"),
    (r"a quest needs at least one step", "una missione ha bisogno di almeno una tappa"),
    (r"'(?P<n>.*)' needs at least (?P<m>\d+) item\(s\)", "'{n}' ha bisogno di almeno {m} elementi"),
    (
        r"(?P<n>\S+) is (?P<v>.+?), it must be between (?P<lo>\S+) and (?P<hi>.+)",
        "{n} vale {v}, deve stare tra {lo} e {hi}",
    ),
    (
        r"(?P<n>\S+) is (?P<v>.+?), it must be at least (?P<lo>.+)",
        "{n} vale {v}, deve essere almeno {lo}",
    ),
    (
        r"(?P<n>\S+) is (?P<v>.+?), it must be at most (?P<hi>.+)",
        "{n} vale {v}, deve essere al massimo {hi}",
    ),
    (
        r"'(?P<n>.*)' is (?P<v>.+?), it must be one of: (?P<l>.+)",
        "'{n}' vale {v}, deve essere uno tra: {l}",
    ),
    (
        r"(?P<v>.+) is not a valid slug: use lowercase letters, digits, '-' and '_' "
        r"\(e\.g\. porta_napoli\)",
        "{v} non è uno slug valido: usate lettere minuscole, cifre, '-' e '_' (es. porta_napoli)",
    ),
    (
        r"(?P<v>.+) is not a valid time: write HH:MM between 00:00 and 23:59",
        "{v} non è un orario valido: scrivete HH:MM tra 00:00 e 23:59",
    ),
    (
        r"'(?P<n>.*)' needs Italian and English text: \{it: \.\.\., en: \.\.\.\}",
        "'{n}' ha bisogno del testo in italiano e in inglese: {{it: ..., en: ...}}",
    ),
    (
        r"'(?P<n>.*)' must be a mapping \(key: value\)",
        "'{n}' deve essere una mappa (chiave: valore)",
    ),
    (
        r"'(?P<n>.*)' must be (?P<t>a whole number|a number|true or false|text|a list|"
        r"a date written YYYY-MM-DD), got (?P<v>.*)",
        lambda g: f"'{g['n']}' deve essere {_TYPES[g['t']]}, invece è {g['v']}",
    ),
    # between items
    (
        r"duplicate (?P<noun>\S+) slug '(?P<s>.*)' \(first defined at (?P<w>.+)\)",
        lambda g: (
            f"slug di {_NOUNS.get(g['noun'], g['noun'])} '{g['s']}' ripetuto (definito la "
            f"prima volta in {g['w']})"
        ),
    ),
    (
        r"duplicate step id '(?P<s>.*)' \(a step's id defaults to its POI; give this step its own "
        r"'id'\)",
        "id di tappa '{s}' ripetuto (l'id di una tappa è il suo sito; date a questa tappa un suo "
        "'id')",
    ),
    (r"duplicate step id '(?P<s>.*)'", "id di tappa '{s}' ripetuto"),
    (
        r"only one area can have role '(?P<r>.*)'; '(?P<s>.*)' already has it \((?P<w>.+)\)",
        "una sola area può avere il ruolo '{r}'; ce l'ha già '{s}' ({w})",
    ),
    (
        r"unknown (?P<noun>POI|quest|badge|coupon|merchant) '(?P<s>.*)'",
        lambda g: f"{_NOUNS[g['noun']]} '{g['s']}' inesistente",
    ),
    (r"no POI has kind '(?P<k>.*)'", "nessun sito ha kind '{k}'"),
    (
        r"the badge asks for (?P<n>\d+) sites of kind '(?P<k>.*)' but only "
        r"(?P<have>\d+ POIs? ha(?:s|ve)) that kind",
        lambda g: (
            f"la medaglia chiede {g['n']} siti di kind '{g['k']}' ma solo "
            f"{_have(g['have'])} quel kind"
        ),
    ),
    (
        r"badge '(?P<s>.*)' cannot be earned: it has no criteria and no quest gives it as a "
        r"reward",
        "la medaglia '{s}' non si può ottenere: non ha criteria e nessuna missione la dà come "
        "premio",
    ),
    (r"quest '(?P<s>.*)' requires itself", "la missione '{s}' richiede se stessa"),
    (r"prerequisite cycle: (?P<c>.+)", "ciclo di prerequisiti: {c}"),
    (
        r"no area has role '(?P<r>.*)': add it to areas, so that the validator can check POIs lie "
        r"inside the walls",
        "nessuna area ha il ruolo '{r}': aggiungetela ad areas, così il validatore può controllare "
        "che i siti stiano dentro le mura",
    ),
    (
        r"no area has role '(?P<r>.*)': add it to areas, so that the validator can check merchants "
        r"lie inside the commercial district",
        "nessuna area ha il ruolo '{r}': aggiungetela ad areas, così il validatore può controllare "
        "che i negozi stiano dentro il distretto del commercio",
    ),
    (
        r"point \[(?P<p>.*)\] is not a \[lon, lat\] pair on Earth",
        "il punto [{p}] non è una coppia [lon, lat] sulla Terra",
    ),
    (
        r"a polygon needs at least 3 distinct points",
        "un poligono ha bisogno di almeno 3 punti distinti",
    ),
    (r"polygon is not valid: (?P<why>.+)", "poligono non valido: {why}"),
    (r"give either radius_m or polygon, not both", "date radius_m oppure polygon, non entrambi"),
    (
        r"POI '(?P<s>.*)' lies (?P<where>.+?) the old town \('(?P<a>.*)'\); move it or mark it "
        r"'outside_walls: true'",
        lambda g: (
            f"il sito '{g['s']}' sta {_outside(g['where'])} dal centro storico ('{g['a']}'); "
            "spostatelo o segnatelo 'outside_walls: true'"
        ),
    ),
    (
        r"POI '(?P<s>.*)' is marked 'outside_walls: true' but lies inside the old town "
        r"\('(?P<a>.*)'\)",
        "il sito '{s}' è segnato 'outside_walls: true' ma sta dentro il centro storico ('{a}')",
    ),
    (
        r"merchant '(?P<s>.*)' lies (?P<where>.+?) the commercial district \('(?P<a>.*)'\)",
        lambda g: (
            f"il negozio '{g['s']}' sta {_outside(g['where'])} dal distretto del commercio "
            f"('{g['a']}')"
        ),
    ),
    (
        r"'criteria' is empty: give quests_completed, quests, sites_of_kind or distinct_days",
        "'criteria' è vuoto: date quests_completed, quests, sites_of_kind o distinct_days",
    ),
    (
        r"'cooldown_h' is only used with 'repeatable: true'",
        "'cooldown_h' si usa solo con 'repeatable: true'",
    ),
    (
        r"a step needs one of: visit, dwell, quiz \(with at\) or team",
        "una tappa ha bisogno di uno tra: visit, dwell, quiz (con at) o team",
    ),
    (
        r"a step does one thing, this one has both '(?P<a>.*)' and '(?P<b>.*)'",
        "una tappa fa una cosa sola, questa ha sia '{a}' sia '{b}'",
    ),
    (
        r"a quiz step needs 'at': the POI where it is answered",
        "una tappa quiz ha bisogno di 'at': il sito dove si risponde",
    ),
    (r"'at' is only used by quiz steps", "'at' si usa solo nelle tappe quiz"),
    (
        r"a dwell step needs dwell_s \(seconds to stay, 5–1800\)",
        "una tappa dwell ha bisogno di dwell_s (secondi di sosta, 5–1800)",
    ),
    (
        r"'dwell_s' is only used by visit and dwell steps",
        "'dwell_s' si usa solo nelle tappe visit e dwell",
    ),
    (r"'(?P<k>.*)' is only used by team steps", "'{k}' si usa solo nelle tappe team"),
    (
        r"a time window cannot start and end at the same time \('(?P<t>.*)'\)",
        "una finestra oraria non può iniziare e finire alla stessa ora ('{t}')",
    ),
    (r"'(?P<d>.*)' is listed twice", "'{d}' compare due volte"),
    (r"'from' \((?P<a>.*)\) is after 'until' \((?P<b>.*)\)", "'from' ({a}) è dopo 'until' ({b})"),
    (
        r"'when' is empty: give hours, from, until or only_when_open",
        "'when' è vuoto: date hours, from, until o only_when_open",
    ),
    (
        r"'only_when_open' needs opening_hours on every POI of the quest; '(?P<s>.*)' has none",
        "'only_when_open' richiede opening_hours su ogni sito della missione; '{s}' non ne ha",
    ),
    (
        r"a coupon needs valid_days and/or valid_until",
        "un coupon ha bisogno di valid_days e/o valid_until",
    ),
    (
        r"per_player_limit \((?P<a>\d+)\) is larger than total_limit \((?P<b>\d+)\)",
        "per_player_limit ({a}) è maggiore di total_limit ({b})",
    ),
]
_COMPILED = [(re.compile(pattern, re.S), template) for pattern, template in _RULES]


def italian(message: str) -> str | None:
    """The Italian wording of a validator message, or None when it has none."""
    prefix = ""
    if message.startswith(_SYNTAX):
        prefix, message = "errore di sintassi YAML: ", message.removeprefix(_SYNTAX)
    hint = ""
    found = _HINT.fullmatch(message)
    if found is not None:
        message, hint = found["body"], f" (forse intendevi '{found['word']}'?)"
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        groups = {key: value or "" for key, value in match.groupdict().items()}
        text = template(groups) if callable(template) else template.format(**groups)
        return prefix + text + hint
    return None


def in_language(message: str, lang: str) -> str:
    """`message` in `lang` ('it' or 'en'); English when no Italian wording exists."""
    if lang != "it":
        return message
    return italian(message) or message
