"""The current player of a request: the bearer token's, unless unknown or banned."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from game_server.kit.deps import SessionDep, SettingsDep
from game_server.kit.errors import Forbidden, NotAuthenticated
from game_server.players.models import Player
from game_server.players.tokens import decode_access_token

_bearer = HTTPBearer(auto_error=False, description="access token from /v1/auth/guest")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _current_player(session: SessionDep, settings: SettingsDep, bearer: BearerDep) -> Player:
    if bearer is None or bearer.scheme.lower() != "bearer":
        raise NotAuthenticated("missing bearer token")
    player_id, _ = decode_access_token(bearer.credentials, secret=settings.secret_key)
    player = await session.get(Player, player_id)
    if player is None:
        raise NotAuthenticated("the player no longer exists")
    if player.banned_at is not None:
        raise Forbidden("this player is banned", reason=player.ban_reason)
    return player


CurrentPlayer = Annotated[Player, Depends(_current_player)]
