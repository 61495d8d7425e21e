"""The registry of comuni served here, for features that publish per comune (open data,
district figures): who publishes, under which IPA code, in which time zone.

    from game_server.cities import registry, city_of

    city = city_of(request.app.state, "bergamo")   # or city_of(state) for Lecce
    city.ipa_code, city.publisher.it, city.timezone, city.bbox

Both read the content this worker serves (each comune's active version); nothing is queried.
Lecce is known even before any content is published (the comune of the first release).
"""

from __future__ import annotations

from typing import Any

from content.model import DEFAULT_CITY, LECCE, City
from game_server.errors import NotFound


def registry(state: Any) -> dict[str, City]:
    """{slug: City} of every comune served by this worker (`app.state`), Lecce at least."""
    loaded = getattr(getattr(state, "catalog", None), "current", None)
    served = {slug: content.city for slug, content in loaded.cities.items()} if loaded else {}
    return served or {DEFAULT_CITY: LECCE}


def city_of(state: Any, slug: str = DEFAULT_CITY) -> City:
    """One comune's descriptor, or a 404 problem naming the comuni there are."""
    known = registry(state)
    found = known.get(slug)
    if found is None:
        raise NotFound(f"no comune {slug!r} (comuni: {', '.join(sorted(known))})", city=slug)
    return found
