"""Request-scoped dependencies: one session (one transaction) per request, settings, backend."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit import outbox
from game_server.kit.errors import DomainError
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.kit.settings import Settings

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
    events = outbox.take(session)
    if not events:
        return
    try:
        await outbox.publish(request.app.state.backend, events)
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
