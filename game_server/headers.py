"""Security headers on every HTTP response, and what production keeps to itself
(docs/security.md).

- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
  and CSP `frame-ancestors 'none'` (no page of ours in anyone's frame);
- `Cache-Control: no-store` on API answers (`/v1/`, `/admin/v1/`, `/merchant/v1/`) unless the
  route set its own (open data, the catalogue set theirs);
- in production: HSTS, and the content security policy below for every page. MapLibre needs
  `worker-src blob:`, `img-src data: blob:` and its styles inline; the pages load nothing from
  another origin except the basemap style (LUPIAE_MAP_STYLE_URL), whose origin is allowed;
- the `server` header is never sent (uvicorn's is off: game_server.serving).

In production `/metrics`, `/docs` and `/openapi.json` answer only requests from the addresses
of LUPIAE_INTERNAL_NETWORKS (loopback by default: a Prometheus or an operator on the host, or
through the proxy's internal location); anyone else gets 404. `/docs` serves Swagger UI from
the installed swagger-ui-bundle-v2 package, never from a CDN; there is no `/redoc`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from game_server.kit.errors import problem
from game_server.kit.settings import Environment
from game_server.settings import Settings

API_PREFIXES = ("/v1/", "/admin/v1/", "/merchant/v1/")
INTERNAL_PATHS = ("/metrics", "/docs", "/openapi.json")


def content_security_policy(settings: Settings) -> str:
    extra = ""
    if settings.map_style_url:
        parts = urlsplit(settings.map_style_url)
        extra = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'self'; "
        f"connect-src 'self' ws: wss:{extra}; "
        f"img-src 'self' data: blob:{extra}; "
        "worker-src 'self' blob:; child-src blob:; "
        "style-src 'self' 'unsafe-inline'; "
        f"font-src 'self' data:{extra}; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.production = settings.env is Environment.PRODUCTION
        self.internal = [ipaddress.ip_network(n, strict=False) for n in settings.internal_networks]
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]
        if self.production:
            common.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
            policy = content_security_policy(settings)
            common.append((b"content-security-policy", policy.encode()))
        else:
            common.append((b"content-security-policy", b"frame-ancestors 'none'"))
        self.common = common
        self.common_for_docs = [
            (k, b"frame-ancestors 'none'" if k == b"content-security-policy" else v)
            for k, v in common
        ]

    def _is_internal(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self.internal)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        internal_only = path in INTERNAL_PATHS or path.startswith("/docs/")
        if self.production and internal_only and not self._is_internal(scope):
            await problem(404, "Not Found")(scope, receive, self._with_headers(send, path))
            return
        await self.app(scope, receive, self._with_headers(send, path))

    def _with_headers(self, send: Send, path: str) -> Send:
        api = path.startswith(API_PREFIXES)
        # Swagger UI starts from an inline script; /docs is internal-only in production.
        common = self.common_for_docs if path == "/docs" else self.common

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in common if k not in names]
                if api and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return sending
