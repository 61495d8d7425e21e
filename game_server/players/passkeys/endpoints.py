from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request

from game_server.kit.deps import SessionDep, settings_of
from game_server.kit.settings import Environment
from game_server.players.deps import CurrentPlayer
from game_server.players.passkeys.repository import PasskeyRepository
from game_server.players.passkeys.schemas import CredentialBody, PasskeyRead
from game_server.players.passkeys.service import PasskeyService, RelyingParty
from game_server.players.passkeys.settings import PasskeySettings
from game_server.players.schemas import TokenPair

router = APIRouter(prefix="/v1", tags=["players"])
SettingsDep = Annotated[PasskeySettings, Depends(settings_of(PasskeySettings))]


def relying_party(request: Request, settings: PasskeySettings) -> RelyingParty:
    """The pinned RP id and origins; else, in production, those of LUPIAE_PUBLIC_URL (the Host
    header is never reflected there); else (development, tests) this request's host."""
    if settings.env is Environment.PRODUCTION:
        public = urlsplit(settings.public_url)
        return RelyingParty(
            rp_id=settings.webauthn_rp_id or public.hostname or "",
            origins=settings.webauthn_origins or [f"{public.scheme}://{public.netloc}"],
        )
    host = request.headers.get("host") or request.url.netloc
    rp_id = settings.webauthn_rp_id or (request.url.hostname or host.split(":")[0])
    origins = settings.webauthn_origins or [f"{request.url.scheme}://{host}"]
    return RelyingParty(rp_id=rp_id, origins=origins)


@router.post("/auth/passkeys/register/options")
async def registration_options(
    request: Request, player: CurrentPlayer, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Options for `navigator.credentials.create()` to give the signed-in player (a guest,
    typically) a passkey. Valid for `LUPIAE_PASSKEY_CHALLENGE_TTL_S` (5 minutes), once."""
    service = PasskeyService(session, settings)
    return await service.registration_options(player, relying_party(request, settings))


@router.post("/auth/passkeys/register", status_code=201)
async def register(
    request: Request,
    body: CredentialBody,
    player: CurrentPlayer,
    session: SessionDep,
    settings: SettingsDep,
) -> PasskeyRead:
    """Verify and keep the new passkey: from now on it signs in as this player anywhere."""
    service = PasskeyService(session, settings)
    passkey = await service.register(player, body.credential, relying_party(request, settings))
    return PasskeyRead(id=passkey.id, created_at=passkey.created_at, last_used_at=None)


@router.post("/auth/passkeys/login/options")
async def login_options(
    request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Options for `navigator.credentials.get()` (any of this site's passkeys)."""
    return PasskeyService(session, settings).login_options(relying_party(request, settings))


@router.post("/auth/passkeys/login")
async def login(
    request: Request, body: CredentialBody, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    """Sign in with a passkey: a new token pair for the player who registered it."""
    service = PasskeyService(session, settings)
    return await service.login(body.credential, relying_party(request, settings))


@router.get("/me/passkeys")
async def my_passkeys(player: CurrentPlayer, session: SessionDep) -> list[PasskeyRead]:
    passkeys = await PasskeyRepository(session).of_player(player.id)
    return [
        PasskeyRead(id=p.id, created_at=p.created_at, last_used_at=p.last_used_at) for p in passkeys
    ]
