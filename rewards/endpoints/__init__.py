"""HTTP routes of rewards: the merchant API, the player's coupons, merchant administration."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from game_server.kit.errors import problem, request_language
from rewards.endpoints import admin, merchant, player
from rewards.exceptions import RateLimited


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    language = request_language(request)
    response = problem(exc.status, exc.detail, slug=exc.slug, language=language, **exc.extra)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def install(app: FastAPI) -> None:
    app.include_router(merchant.router)
    app.include_router(player.router)
    app.include_router(admin.router)
    app.add_exception_handler(RateLimited, _rate_limited)
