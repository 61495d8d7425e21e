"""`/opendata/`: the DCAT-AP_IT catalogue and the published releases' files (no auth)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Path, Request, Response

from content.model import City
from game_server.cities import registry
from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep, settings_of
from game_server.kit.errors import NotFound
from game_server.kit.inputs import Day
from game_server.opendata import files
from game_server.opendata.catalog import catalogue
from game_server.opendata.models import OpenDataRelease
from game_server.opendata.release import cells_of, sites_of
from game_server.opendata.service import opendata_cities, published, published_release
from game_server.opendata.settings import OpenDataSettings

router = APIRouter(prefix="/opendata", tags=["open data"])

CitySlug = Annotated[str, Path(pattern="^[a-z0-9-]{1,40}$")]
SettingsDep = Annotated[OpenDataSettings, Depends(settings_of(OpenDataSettings))]
_CACHE = {"Cache-Control": "public, max-age=3600"}


async def _graph_bytes(
    request: Request, session: SessionDep, settings: SettingsDep, fmt: str
) -> bytes:
    cities = list(opendata_cities(registry(request.app.state), settings).values())
    releases = {c.slug: await published(session, c.slug) for c in cities}
    graph = catalogue(settings.public_url.rstrip("/"), cities, releases, utcnow())
    return graph.serialize(format=fmt).encode()


@router.get(
    "/catalog.ttl", response_class=Response, responses={200: {"content": {"text/turtle": {}}}}
)
async def catalog_turtle(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The DCAT-AP_IT catalogue in Turtle, for CKAN and dati.gov.it harvesters: one dataset
    per comune, published by that comune (its IPA code)."""
    body = await _graph_bytes(request, session, settings, "turtle")
    return Response(body, media_type="text/turtle; charset=utf-8", headers=_CACHE)


@router.get(
    "/catalog.jsonld",
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {}}}},
)
async def catalog_jsonld(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The same catalogue in JSON-LD."""
    body = await _graph_bytes(request, session, settings, "json-ld")
    return Response(body, media_type="application/ld+json", headers=_CACHE)


async def _release(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str, day: date
) -> tuple[City, OpenDataRelease]:
    comune = opendata_cities(registry(request.app.state), settings).get(slug)
    if comune is None:
        raise NotFound(f"no open data for {slug!r}")
    release = await published_release(session, slug, day)
    if release is None:
        raise NotFound(f"no published release of {slug} for {day}")
    return comune, release


@router.get(
    "/{slug}/{day}/visits.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def visits_csv(
    slug: CitySlug, day: Day, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    comune, _ = await _release(request, session, settings, slug, day)
    names = {s.slug: s.name for s in await sites_of(session, comune)}
    body = files.to_csv(await cells_of(session, slug, day), names)
    return Response(body, media_type="text/csv; charset=utf-8", headers=_CACHE)


@router.get("/{slug}/{day}/datapackage.json")
async def visits_datapackage(
    slug: CitySlug, day: Day, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    comune, release = await _release(request, session, settings, slug, day)
    body = orjson.dumps(files.datapackage(comune, release))
    return Response(body, media_type="application/json", headers=_CACHE)


@router.get(
    "/{slug}/{day}/visits.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def visits_geojson(
    slug: CitySlug, day: Day, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    comune, release = await _release(request, session, settings, slug, day)
    cells = await cells_of(session, slug, day)
    body = orjson.dumps(files.to_geojson(comune, release, cells, await sites_of(session, comune)))
    return Response(body, media_type="application/geo+json", headers=_CACHE)
