"""Request body limits per path prefix: content uploads may be larger than other requests.

The larger limit is for staff only: a request under such a prefix without a valid staff
token gets the default limit, so an anonymous 16 MB upload is refused (413, from its
Content-Length, before a byte of it is read) rather than read whole before its 401.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from game_server.kit.errors import DomainError
from game_server.middleware import BodyLimitMiddleware
from game_server.staff.tokens import decode_staff_token


class RouteBodyLimits:
    """`BodyLimitMiddleware` with `max_bytes`, or a larger limit under given path prefixes."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        prefixes: dict[str, int],
        *,
        secret: str,
        read_timeout_s: float = 30.0,
    ) -> None:
        self.secret = secret
        self.default = BodyLimitMiddleware(app, max_bytes, read_timeout_s)
        self.by_prefix = [
            (prefix, BodyLimitMiddleware(app, limit, read_timeout_s))
            for prefix, limit in prefixes.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        for prefix, limited in self.by_prefix:
            if path.startswith(prefix) and self._staff(scope):
                await limited(scope, receive, send)
                return
        await self.default(scope, receive, send)

    def _staff(self, scope: Scope) -> bool:
        """Whether the request carries a valid staff token (its role is checked later)."""
        if scope["type"] != "http":
            return False
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        try:
            return decode_staff_token(token.strip(), secret=self.secret) is not None
        except DomainError:
            return False
