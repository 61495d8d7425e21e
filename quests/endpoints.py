from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Request, Response

from content.model import Bundle
from game_server.catalog.service import Catalog
from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep, SettingsDep
from game_server.kit.errors import NotFound
from game_server.kit.i18n import negotiate
from game_server.players.deps import CurrentPlayer
from quests import credentials
from quests.game import Game
from quests.progress import ProgressReader
from quests.schemas import BadgeRead, EventRead, MyQuests, ProgressRead, StartResult

router = APIRouter(prefix="/v1", tags=["quests"])
well_known = APIRouter(tags=["badges"])

AcceptLanguage = Annotated[str | None, Header()]


def _bundle(request: Request) -> Bundle:
    catalog: Catalog = request.app.state.catalog
    return catalog.require().bundle


def _base_url(request: Request) -> str:
    """LUPIAE_PUBLIC_URL: every absolute URL and issuer is built on it, never on the request's
    Host header (docs/security.md)."""
    public_url: str = request.app.state.settings.public_url
    return public_url.rstrip("/")


@router.get("/me/quests")
async def my_quests(
    request: Request,
    player: CurrentPlayer,
    session: SessionDep,
    accept_language: AcceptLanguage = None,
) -> MyQuests:
    """Your quest runs (started and completed) with per-step progress, your XP and level."""
    reader = ProgressReader(session, _bundle(request))
    return await reader.quests(player.id, negotiate(accept_language))


@router.get("/me/progress")
async def my_progress(request: Request, player: CurrentPlayer, session: SessionDep) -> ProgressRead:
    """XP, level and counts: quests completed, badges, distinct days played, sites visited."""
    return await ProgressReader(session, _bundle(request)).summary(player.id)


@router.post(
    "/quests/{slug}/start",
    status_code=201,
    responses={200: {"model": StartResult, "description": "the quest was already running"}},
)
async def start_quest(
    request: Request,
    slug: str,
    response: Response,
    player: CurrentPlayer,
    session: SessionDep,
    accept_language: AcceptLanguage = None,
) -> StartResult:
    """Start a quest: 201 with the events it produced, 200 when it was already running."""
    bundle = _bundle(request)
    game: Game = request.app.state.game  # the socket's `start` frame calls the same service
    events = await game.service(session, bundle).start(player.id, slug, at=utcnow())
    if not events:
        response.status_code = 200
    progress = await ProgressReader(session, bundle).run(
        player.id, slug, negotiate(accept_language)
    )
    assert progress is not None  # started just now or before
    return StartResult(
        quest=progress,
        events=[
            EventRead(seq=e.seq, kind=e.kind, data=e.data)
            for e in events
            if e.player_id == player.id
        ],
    )


@router.get("/me/badges")
async def my_badges(
    request: Request,
    player: CurrentPlayer,
    session: SessionDep,
    accept_language: AcceptLanguage = None,
) -> list[BadgeRead]:
    """Your badges, each with the URL of its verifiable credential."""
    return await ProgressReader(session, _bundle(request)).badges(
        player.id, negotiate(accept_language)
    )


@router.get(
    "/me/badges/{slug}/credential",
    responses={200: {"content": {credentials.MEDIA_TYPE: {}, "application/json": {}}}},
)
async def my_badge_credential(
    request: Request,
    slug: str,
    player: CurrentPlayer,
    session: SessionDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Your badge as an Open Badges 3.0 credential signed as a VC-JWT (`application/vc+jwt`);
    with `Accept: application/json`, `{"jwt": …, "credential": …}`. Verify it with the key
    at `/.well-known/jwks.json`."""
    reader = ProgressReader(session, _bundle(request))
    token = await reader.credential(
        player.id, slug, base_url=_base_url(request), secret=settings.secret_key
    )
    if accept and "application/json" in accept and credentials.MEDIA_TYPE not in accept:
        # Read back what was just signed: the award time is server time, which another
        # worker's wall clock may not have reached yet.
        jwk = credentials.jwks(settings.secret_key)["keys"][0]
        claims = credentials.verify(token, jwk, check_times=False)
        body = orjson.dumps({"jwt": token, "credential": claims})
        return Response(body, media_type="application/json")
    return Response(token, media_type=credentials.MEDIA_TYPE)


@router.get("/badges/keys")
async def badge_keys(settings: SettingsDep) -> dict[str, list[dict[str, str]]]:
    """The public keys (JWK Set, OKP Ed25519) that verify badge credentials."""
    return credentials.jwks(settings.secret_key)


@well_known.get("/.well-known/jwks.json")
async def jwks(settings: SettingsDep) -> dict[str, list[dict[str, str]]]:
    """The same JWK Set as `/v1/badges/keys`, where verifiers look first."""
    return credentials.jwks(settings.secret_key)


@router.get("/badges/issuer")
async def issuer(request: Request) -> dict[str, Any]:
    """The issuer profile named in every credential."""
    return credentials.issuer_profile(_base_url(request))


@router.get("/badges/{slug}")
async def achievement(request: Request, slug: str) -> dict[str, Any]:
    """A badge as an Open Badges 3.0 Achievement (what a credential's subject achieved)."""
    badge = next((b for b in _bundle(request).badges if b.slug == slug), None)
    if badge is None:
        raise NotFound(f"there is no badge '{slug}'")
    return {"@context": credentials.CONTEXTS, **credentials.achievement(badge, _base_url(request))}
