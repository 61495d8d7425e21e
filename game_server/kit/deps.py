"""Request-scoped dependencies: one session (one transaction) per request, settings, backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from game_server.kit.uow import unit_of_work

S = TypeVar("S", bound=KernelSettings)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    async with unit_of_work(state.session_factory, publish_to=state.backend) as session:
        yield session


def _settings(request: Request) -> KernelSettings:
    settings: KernelSettings = request.app.state.settings
    return settings


def settings_of(kind: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency giving the app's settings as a domain's own class (`kind`): the app runs
    with every domain's composed (game_server/settings.py), so they are one of each."""

    async def provide(request: Request) -> S:
        settings = request.app.state.settings
        if not isinstance(settings, kind):
            raise TypeError(f"the app's settings are no {kind.__name__}: compose it in")
        return settings

    return provide


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


# scope="function": the transaction commits before the response is sent, never after.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
SettingsDep = Annotated[KernelSettings, Depends(_settings)]
BackendDep = Annotated[Backend, Depends(_backend)]
