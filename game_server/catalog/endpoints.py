from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from content.model import Bundle
from game_server.catalog import views
from game_server.catalog.service import Catalog, LoadedContent
from game_server.kit.errors import NotFound
from game_server.kit.i18n import negotiate
from game_server.kit.responses import GeoJsonResponse, OrjsonResponse

router = APIRouter(prefix="/v1", tags=["content"])

AcceptLanguage = Annotated[str | None, Header()]
CityFilter = Annotated[
    str | None,
    Query(
        max_length=64,
        description="a comune's slug (see GET /v1/cities); without it, every comune",
    ),
]
_UNKNOWN_CITY: dict[int | str, dict[str, Any]] = {404: {"description": "no such comune"}}


def _loaded(request: Request) -> LoadedContent:
    catalog: Catalog = request.app.state.catalog
    return catalog.require()


def _bundle(request: Request, city: str | None = None) -> Bundle:
    """The content of comune `city` (a 404 problem if there is none), or of every comune."""
    loaded = _loaded(request)
    if city is None:
        return loaded.bundle
    return loaded.city(city).bundle


def _localised(response: Response, language: str) -> Response:
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    return response


@router.get("/cities")
async def cities(request: Request, accept_language: AcceptLanguage = None) -> Response:
    """The comuni served here: slug, name, IPA code, time zone and bounding box
    ([west, south, east, north], lon/lat), with who publishes each and its content version."""
    language = negotiate(accept_language)
    loaded = _loaded(request)
    body = [
        views.city_view(content.city, content.version_id, language)
        for _, content in sorted(loaded.cities.items())
    ]
    return _localised(OrjsonResponse(body), language)


@router.get("/pois", response_class=GeoJsonResponse, responses=_UNKNOWN_CITY)
async def pois(
    request: Request, accept_language: AcceptLanguage = None, city: CityFilter = None
) -> Response:
    """Heritage sites as a GeoJSON FeatureCollection, names in the negotiated language; each
    names its comune (`city`)."""
    language = negotiate(accept_language)
    features = [views.poi_feature(poi, language) for poi in _bundle(request, city).pois]
    return _localised(GeoJsonResponse(views.collection(features)), language)


@router.get("/areas", response_class=GeoJsonResponse, responses=_UNKNOWN_CITY)
async def areas(
    request: Request, accept_language: AcceptLanguage = None, city: CityFilter = None
) -> Response:
    """Each comune's old walls and commercial district as GeoJSON."""
    language = negotiate(accept_language)
    features = [views.area_feature(area, language) for area in _bundle(request, city).areas]
    return _localised(GeoJsonResponse(views.collection(features)), language)


@router.get("/streets", response_class=GeoJsonResponse, responses=_UNKNOWN_CITY)
async def streets(
    request: Request, accept_language: AcceptLanguage = None, city: CityFilter = None
) -> Response:
    """Each comune's shopping streets (the district's, whose footfall is counted) as GeoJSON
    lines with their counted width; names in the negotiated language."""
    language = negotiate(accept_language)
    features = [views.street_feature(s, language) for s in _bundle(request, city).streets]
    return _localised(GeoJsonResponse(views.collection(features)), language)


@router.get("/quests", responses=_UNKNOWN_CITY)
async def quests(
    request: Request, accept_language: AcceptLanguage = None, city: CityFilter = None
) -> Response:
    """Quests (of one comune, or of all); each names its comune (`city`)."""
    language = negotiate(accept_language)
    bundle = _bundle(request, city)
    body: list[dict[str, Any]] = [views.quest_summary(q, language) for q in bundle.quests]
    return _localised(OrjsonResponse(body), language)


@router.get("/quests/{slug}", responses={404: {"description": "no such quest"}})
async def quest(request: Request, slug: str, accept_language: AcceptLanguage = None) -> Response:
    """A quest with its steps (each naming the POI it needs) and those POIs as GeoJSON.
    Quest slugs are unique across comuni."""
    language = negotiate(accept_language)
    loaded = _loaded(request)
    found = loaded.bundle.quest(slug)
    if found is None:
        raise NotFound(f"no quest {slug!r} in the current content")
    own = loaded.city(found.city).bundle
    return _localised(OrjsonResponse(views.quest_detail(found, own, language)), language)
