from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.deps import BackendDep, SessionDep, SettingsDep
from game_server.kit.pubsub import Backend
from game_server.players.deps import CurrentPlayer
from game_server.players.repository import PlayerRepository
from game_server.players.schemas import GuestRequest, PlayerRead, RefreshRequest, TokenPair
from game_server.players.service import AuthService

router = APIRouter(prefix="/v1", tags=["players"])

# Whether a guest may sign up is anti-cheat's to say (a limit per client address): its
# admission gives the client's key (kept on the player) or refuses. The wiring registers it
# (`app.state.admit_guest`): anti-cheat sits above this domain, which never imports it.
AdmitGuest = Callable[[Request, AsyncSession, Backend], Awaitable[str]]


@router.post("/auth/guest", status_code=201)
async def create_guest(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    backend: BackendDep,
    body: GuestRequest | None = None,
) -> TokenPair:
    """Start playing in one call: a guest player and its first token pair. At most
    `LUPIAE_GUEST_SIGNUPS_PER_CLIENT` per client per `LUPIAE_GUEST_SIGNUP_WINDOW_S` (429)."""
    admit: AdmitGuest = request.app.state.admit_guest
    client = await admit(request, session, backend)
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
