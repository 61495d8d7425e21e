"""The admin API (`/admin/v1`): staff, content, moderation, merchants and the audit log."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from game_server.admin import audit, content, moderation
from game_server.admin.matrix import annotate_openapi
from game_server.kit.errors import problem, request_language
from game_server.staff import endpoints as staff
from game_server.staff.exceptions import LoginThrottled


async def _throttled(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginThrottled)
    language = request_language(request)
    response = problem(exc.status, exc.detail, slug=exc.slug, language=language, **exc.extra)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def install(app: FastAPI) -> None:
    """Add the admin routers. Call it last: it refuses any /admin/v1 route without a guard,
    including routes other packages added (rewards' merchant onboarding)."""
    app.include_router(staff.router)
    app.include_router(content.router)
    app.include_router(moderation.router)
    app.include_router(audit.router)
    app.add_exception_handler(LoginThrottled, _throttled)
    annotate_openapi(app)
