"""Request-scoped dependencies: one session (one transaction) per request, the current player."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.errors import DomainError, Forbidden, NotAuthenticated
from game_server.events import log as events_log
from game_server.players.models import Player
from game_server.players.tokens import decode_access_token
from game_server.pubsub import Backend, BackendUnavailable
from game_server.settings import Settings

log = logging.getLogger(__name__)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        try:
            yield session
        except DomainError as exc:
            await (session.commit() if exc.commit else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            await _publish_committed(request, session)


async def _publish_committed(request: Request, session: AsyncSession) -> None:
    events = events_log.take_outbox(session)
    if not events:
        return
    try:
        await events_log.publish(request.app.state.backend, events)
    except BackendUnavailable as exc:
        # Committed events are durable: open sockets catch up with `resume_after`.
        log.debug("could not push %d committed events: %s", len(events), exc)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


# scope="function": the transaction commits before the response is sent, never after.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
BackendDep = Annotated[Backend, Depends(_backend)]

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
