"""How `lupiae serve` runs uvicorn: slow clients cut off, no banner, forwarded headers trusted
only from the configured proxies (docs/security.md).

uvicorn's keep-alive timeout closes an idle connection, but nothing limits how long a client
may take to send a request's headers once it has started: 150 connections sending one header
line every 5 s held a worker's sockets for as long as they liked. `GuardedHttpTools` gives
each request's headers `header_read_timeout_s` from the connection (or from the previous
response) and then answers 408 and closes.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from game_server.kit.settings import KernelSettings


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers."""

    # Read once per process from the settings (each worker process imports this anew).
    header_timeout_s: ClassVar[float | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    @classmethod
    def _timeout(cls) -> float:
        if cls.header_timeout_s is None:
            cls.header_timeout_s = KernelSettings().header_read_timeout_s
        return cls.header_timeout_s

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self._timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        body = b"request headers not received in time"
        head = (
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        self.transport.write(head + body)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's headers get the same time

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options(settings: KernelSettings) -> dict[str, Any]:
    """uvicorn's options for `lupiae serve` (host, port and workers aside)."""
    proxies = ",".join(settings.trusted_proxies)
    return {
        "log_level": settings.log_level,
        "ws_per_message_deflate": False,
        "ws_max_size": settings.max_frame_bytes,
        "ws_ping_interval": settings.ws_ping_interval_s,
        "ws_ping_timeout": settings.ws_ping_timeout_s,
        "http": GuardedHttpTools,
        "server_header": False,  # no `server: uvicorn`
        "date_header": True,
        # X-Forwarded-For / -Proto only from the configured proxies; none: never.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "timeout_keep_alive": 5,
    }
