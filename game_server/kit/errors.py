"""Domain errors and their rendering as RFC 9457 problem details."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from game_server.kit.closecodes import CloseCode
from game_server.kit.i18n import negotiate
from game_server.kit.italian import TITLES, Wordings, localize
from game_server.kit.italian import install as install_wordings
from game_server.kit.outages import DEPENDENCY_ERRORS, Outages, dependency_of
from game_server.kit.responses import OrjsonResponse

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_S = 5  # a busy database: what a client should wait before retrying


class DomainError(Exception):
    """An error a client can act on. Carries its HTTP status and websocket close code."""

    status: int = 400
    close_code: int = CloseCode.POLICY_VIOLATION
    slug: str = "bad-request"
    # Some refusals must persist what they did (revoking a stolen token family, counting a
    # failed attempt); the unit of work commits before raising them.
    commit: bool = False

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotAuthenticated(DomainError):
    status = 401
    slug = "not-authenticated"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"


class Gone(DomainError):
    status = 410
    slug = "gone"


class Unprocessable(DomainError):
    status = 422
    slug = "unprocessable"


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"


class ServiceUnavailable(DomainError):
    status = 503
    close_code = CloseCode.TRY_AGAIN_LATER
    slug = "service-unavailable"


def problem(
    status: int, detail: str, *, slug: str | None = None, language: str = "en", **extra: Any
) -> OrjsonResponse:
    """An RFC 9457 problem; `detail` and `title` in Italian when `language` is it and the
    detail has an Italian wording (Content-Language says which one was sent)."""
    text, sent = localize(detail, language)
    title = TITLES.get(status, HTTPStatus(status).phrase) if sent == "it" else None
    body: dict[str, Any] = {
        "type": f"https://lupiae.example/problems/{slug}" if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": text,
        **extra,
    }
    headers = {"Content-Language": sent}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return OrjsonResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def request_language(request: Request) -> str:
    """The API's language rule: `?lang=`, else Accept-Language, else Italian."""
    return negotiate(request.query_params.get("lang") or request.headers.get("accept-language"))


async def _domain_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, DomainError)
    language = request_language(request)
    return problem(exc.status, exc.detail, slug=exc.slug, language=language, **exc.extra)


async def _http_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, str(exc.detail), language=request_language(request))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    language = request_language(request)
    return problem(
        422, "the request is not valid", slug="validation", language=language, errors=errors
    )


def unavailable(dependency: str, language: str = "en") -> OrjsonResponse:
    """The one answer to a dependency that cannot serve: 503, retry after a few seconds."""
    what = (
        "the database is busy or unavailable"
        if dependency == "database"
        else ("a shared service is unavailable")
    )
    response = problem(503, f"{what}; retry shortly", slug="busy", language=language)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _unhandled(request: Request, exc: Exception) -> OrjsonResponse:
    """A dependency failure is a 503 (logged once per outage); anything else is a bug: 500."""
    outages: Outages | None = getattr(request.app.state, "outages", None)
    dependency = dependency_of(exc)
    if dependency is not None:
        if outages is not None:
            outages.failed(exc, f"{request.method} {request.url.path}")
        return unavailable(dependency, request_language(request))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    language = request_language(request)
    return problem(500, "internal error; it has been logged", slug="internal", language=language)


def install_error_handlers(app: FastAPI, wordings: Wordings) -> None:
    """Problem details for every error; in Italian with `wordings` (the kernel's and every
    domain's, composed by the wiring), for the socket's error frames too."""
    install_wordings(wordings)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # The errors a dependency raises are handled here rather than by the catch-all below, which
    # Starlette re-raises after answering (a traceback in the server's log per request).
    for raised_by_dependencies in DEPENDENCY_ERRORS:
        app.add_exception_handler(raised_by_dependencies, _unhandled)
    app.add_exception_handler(Exception, _unhandled)
