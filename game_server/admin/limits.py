"""Request body limits per path prefix: content uploads may be larger than other requests."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from game_server.middleware import BodyLimitMiddleware


class RouteBodyLimits:
    """`BodyLimitMiddleware` with `max_bytes`, or a larger limit under given path prefixes."""

    def __init__(self, app: ASGIApp, max_bytes: int, prefixes: dict[str, int]) -> None:
        self.default = BodyLimitMiddleware(app, max_bytes)
        self.by_prefix = [
            (prefix, BodyLimitMiddleware(app, limit)) for prefix, limit in prefixes.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        for prefix, limited in self.by_prefix:
            if path.startswith(prefix):
                await limited(scope, receive, send)
                return
        await self.default(scope, receive, send)
