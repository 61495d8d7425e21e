"""Request-scoped dependencies: one session (one transaction) per request, settings, backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.pubsub import Backend
from game_server.kit.settings import Settings
from game_server.kit.uow import unit_of_work


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    async with unit_of_work(state.session_factory, publish_to=state.backend) as session:
        yield session


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
