from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from content.model import Bundle
from game_server.catalog import views
from game_server.catalog.service import Catalog
from game_server.errors import NotFound
from game_server.i18n import negotiate
from game_server.responses import GeoJsonResponse, OrjsonResponse

router = APIRouter(prefix="/v1", tags=["content"])

AcceptLanguage = Annotated[str | None, Header()]


def _bundle(request: Request) -> Bundle:
    catalog: Catalog = request.app.state.catalog
    return catalog.require().bundle


def _localised(response: Response, language: str) -> Response:
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    return response


@router.get("/pois", response_class=GeoJsonResponse)
async def pois(request: Request, accept_language: AcceptLanguage = None) -> Response:
    """Heritage sites as a GeoJSON FeatureCollection, names in the negotiated language."""
    language = negotiate(accept_language)
    features = [views.poi_feature(poi, language) for poi in _bundle(request).pois]
    return _localised(GeoJsonResponse(views.collection(features)), language)


@router.get("/areas", response_class=GeoJsonResponse)
async def areas(request: Request, accept_language: AcceptLanguage = None) -> Response:
    """The old walls and the commercial district as GeoJSON."""
    language = negotiate(accept_language)
    features = [views.area_feature(area, language) for area in _bundle(request).areas]
    return _localised(GeoJsonResponse(views.collection(features)), language)


@router.get("/quests")
async def quests(request: Request, accept_language: AcceptLanguage = None) -> Response:
    language = negotiate(accept_language)
    body: list[dict[str, Any]] = [views.quest_summary(q, language) for q in _bundle(request).quests]
    return _localised(OrjsonResponse(body), language)


@router.get("/quests/{slug}", responses={404: {"description": "no such quest"}})
async def quest(request: Request, slug: str, accept_language: AcceptLanguage = None) -> Response:
    """A quest with its steps (each naming the POI it needs) and those POIs as GeoJSON."""
    language = negotiate(accept_language)
    bundle = _bundle(request)
    found = bundle.quest(slug)
    if found is None:
        raise NotFound(f"no quest {slug!r} in the current content")
    return _localised(OrjsonResponse(views.quest_detail(found, bundle, language)), language)
