"""The admin API's problem details (content versions, uploads) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"only an admin can publish with allow_wipe", "solo un admin può pubblicare con allow_wipe"),
    (r"no content version (?P<v>\d+)", "nessuna versione dei contenuti {v}"),
    (r"no quest (?P<q>'.*') in the uploaded bundle", "nessuna missione {q} nei file caricati"),
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
    (r"two files are named (?P<n>'.*')", "due file si chiamano {n}"),
    (
        r"(?P<n>'.*') is an absolute path; use names relative to the bundle",
        "{n} è un percorso assoluto; usate nomi relativi ai contenuti",
    ),
    (r"(?P<n>'.*') is not an acceptable file name", "{n} non è un nome di file accettabile"),
    (r"(?P<n>'.*') points outside the bundle", "{n} punta fuori dai contenuti"),
    (
        r"no comune (?P<c>.+) is published \(comuni: (?P<k>.*)\); upload its city\.yaml",
        "il comune {c} non è pubblicato (comuni: {k}); caricate il suo city.yaml",
    ),
]
