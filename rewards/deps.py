"""Async twins of `game_server.kit.deps`' settings and backend providers, for the merchant API.

FastAPI runs a plain `def` dependency in its thread pool: a thread hop (and a wake-up of the
event loop) per dependency per request, measurable on the redemption path. These read the same
app state without leaving the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from game_server.kit.pubsub import Backend
from rewards.settings import RewardsSettings


async def _settings(request: Request) -> RewardsSettings:
    settings: RewardsSettings = request.app.state.settings
    return settings


async def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


SettingsDep = Annotated[RewardsSettings, Depends(_settings)]
BackendDep = Annotated[Backend, Depends(_backend)]
