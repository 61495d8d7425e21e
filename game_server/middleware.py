"""ASGI middleware: request body limit and read deadline, the input rule, HTTP metrics."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qsl

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from game_server.kit.errors import problem, request_language
from game_server.kit.inputs import InputRejected, check_json, check_parameter

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413, whether or not Content-Length is sent,
    and bodies not received whole within `read_timeout_s` of the first read with 408 (a
    client trickling its body a byte at a time holds no worker for long)."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        refused = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal seen, refused, deadline
            if refused:
                return {"type": "http.disconnect"}
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + self.read_timeout_s
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                refused = True
                await self._too_slow(scope, receive, send)
                return {"type": "http.disconnect"}
            seen += len(message.get("body", b""))
            if seen > self.max_bytes and not refused:
                refused = True
                await self._refuse(scope, receive, send)
            if refused:
                # The app sees a vanished client and stops; the 413 has already been sent.
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes"
        language = request_language(Request(scope))
        await problem(413, detail, slug="body-too-large", language=language)(scope, receive, send)

    async def _too_slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body was not received within {self.read_timeout_s:g} s"
        language = request_language(Request(scope))
        response = problem(408, detail, slug="body-too-slow", language=language)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class InputRuleMiddleware:
    """The one input rule (`game_server.kit.inputs`) on every request's path, query string and
    JSON body: a breach is answered 422 before any route sees the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_parameter("path", scope["path"])
            query = scope.get("query_string", b"").decode("latin-1")
            for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
                check_parameter(f"query.{name}", value)
                check_parameter("query", name)
        except InputRejected as exc:
            await _rejected(exc, scope, receive, send)
            return
        if scope["method"] not in _BODY_METHODS or not _json_body(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        complete = messages[-1]["type"] == "http.request"
        if complete and body.strip():
            try:
                # orjson refuses what Python's json accepts and no database can store: NaN,
                # Infinity, lone surrogates.
                check_json(orjson.loads(body))
            except orjson.JSONDecodeError:
                failure = InputRejected("body", "not valid JSON (UTF-8, finite numbers)")
                await _rejected(failure, scope, receive, send)
                return
            except InputRejected as exc:
                await _rejected(exc, scope, receive, send)
                return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


def _json_body(scope: Scope) -> bool:
    """Whether FastAPI would read this body as JSON: no Content-Type, or a JSON one."""
    declared: bytes | None = dict(scope["headers"]).get(b"content-type")
    if declared is None:
        return True
    media = declared.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


async def _rejected(exc: InputRejected, scope: Scope, receive: Receive, send: Send) -> None:
    errors = [{"loc": exc.where.split("."), "msg": exc.message, "type": "input_rule"}]
    language = request_language(Request(scope))
    response = problem(
        422, "the request is not valid", slug="validation", language=language, errors=errors
    )
    await response(scope, receive, send)


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "lupiae_http_requests_total",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "lupiae_http_request_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
