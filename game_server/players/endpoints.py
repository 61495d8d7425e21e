from __future__ import annotations

from fastapi import APIRouter, Request

from game_server.anticheat import signup
from game_server.kit.deps import BackendDep, SessionDep, SettingsDep
from game_server.players.deps import CurrentPlayer
from game_server.players.repository import PlayerRepository
from game_server.players.schemas import GuestRequest, PlayerRead, RefreshRequest, TokenPair
from game_server.players.service import AuthService

router = APIRouter(prefix="/v1", tags=["players"])


@router.post("/auth/guest", status_code=201)
async def create_guest(
    request: Request,
    session: SessionDep,
    settings: signup.SettingsDep,
    backend: BackendDep,
    body: GuestRequest | None = None,
) -> TokenPair:
    """Start playing in one call: a guest player and its first token pair. At most
    `LUPIAE_GUEST_SIGNUPS_PER_CLIENT` per client per `LUPIAE_GUEST_SIGNUP_WINDOW_S` (429)."""
    address = request.client.host if request.client else None
    client = signup.client_key(settings.secret_key, address)
    await signup.admit(session, backend, settings, client)
    service = AuthService(PlayerRepository(session), settings)
    return await service.create_guest(body.display_name if body else None, signup_client=client)


@router.post("/auth/refresh")
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Trade a refresh token for a new pair. Each refresh token works once; reuse revokes all."""
    return await AuthService(PlayerRepository(session), settings).refresh(body.refresh_token)


@router.get("/me")
async def me(player: CurrentPlayer) -> PlayerRead:
    return PlayerRead(
        player_id=player.id, display_name=player.display_name, created_at=player.created_at
    )
