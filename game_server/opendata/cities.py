"""The comuni whose open data we publish, kept in one place.

Until the comune registry of SPEC §10 exists, Lecce is the only comune. Everything the open
data need of a comune (name, IPA code of the publisher, time zone, bounding box, ISTAT code)
comes from here, so that the registry can feed it later without touching the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from game_server.errors import NotFound

DEFAULT_CITY = "lecce"


@dataclass(frozen=True, slots=True)
class City:
    slug: str
    name: str  # the publisher's name
    ipa_code: str  # Indice delle Pubbliche Amministrazioni: the publisher's identifier
    timezone: str
    istat_code: str
    bbox: tuple[float, float, float, float]  # west, south, east, north (WGS84)
    homepage: str


CITIES: dict[str, City] = {
    "lecce": City(
        slug="lecce",
        name="Comune di Lecce",
        ipa_code="c_e506",
        timezone="Europe/Rome",
        istat_code="075035",
        bbox=(18.155, 40.345, 18.185, 40.362),
        homepage="https://www.comune.lecce.it/",
    ),
}


def city(slug: str) -> City:
    try:
        return CITIES[slug]
    except KeyError:
        raise NotFound(f"no comune {slug!r}; known: {sorted(CITIES)}") from None
