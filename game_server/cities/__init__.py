"""The registry of comuni served here, for features that publish per comune (open data,
district figures): who publishes, under which IPA code, in which time zone.

    from game_server.cities import registry, city_of

    city = city_of(request.app.state, "bergamo")   # or city_of(state) for Lecce
    city.ipa_code, city.publisher.it, city.timezone, city.bbox

Both read the content this worker serves (each comune's active version); nothing is queried.
Lecce is known even before any content is published (the comune of the first release).
Outside a worker (the CLI, the scheduled jobs), `stored_registry(session)` reads the same from
the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY, LECCE, Bundle, City
from game_server.catalog.models import ContentVersion
from game_server.catalog.service import active_ids
from game_server.kit.errors import NotFound


def registry(state: Any) -> dict[str, City]:
    """{slug: City} of every comune served by this worker (`app.state`), Lecce at least."""
    loaded = getattr(getattr(state, "catalog", None), "current", None)
    served = {slug: content.city for slug, content in loaded.cities.items()} if loaded else {}
    return served or {DEFAULT_CITY: LECCE}


async def stored_registry(session: AsyncSession) -> dict[str, City]:
    """`registry` as the database has it: each comune's active version's city.yaml."""
    served: dict[str, City] = {}
    for slug, version_id in sorted((await active_ids(session)).items()):
        version = await session.get(ContentVersion, version_id)
        assert version is not None  # versions are never deleted
        cities = Bundle.model_validate_json(version.bundle_json).cities
        served[slug] = next((c for c in cities if c.slug == slug), LECCE)
    return served or {DEFAULT_CITY: LECCE}


def city_of(state: Any, slug: str = DEFAULT_CITY) -> City:
    """One comune's descriptor, or a 404 problem naming the comuni there are."""
    return pick(registry(state), slug)


def pick(known: dict[str, City], slug: str) -> City:
    """`known[slug]`, or a 404 problem naming the comuni there are."""
    found = known.get(slug)
    if found is None:
        raise NotFound(f"no comune {slug!r} (comuni: {', '.join(sorted(known))})", city=slug)
    return found
