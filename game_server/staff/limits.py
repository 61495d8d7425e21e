"""Failed logins per email, counted in the shared backend so every worker sees them."""

from __future__ import annotations

import contextlib
import hashlib

from game_server.errors import ServiceUnavailable
from game_server.pubsub import Backend, BackendUnavailable
from game_server.staff.exceptions import LoginThrottled


class LoginLimiter:
    """A fixed window per email: after `failures` failed logins, refuse until it ends."""

    def __init__(self, backend: Backend, *, failures: int, window_s: int) -> None:
        self.backend = backend
        self.failures = failures
        self.window_s = window_s

    async def check(self, email: str) -> None:
        key = _key(email)
        try:
            failed = await self.backend.incr(key, 0, ttl_s=self.window_s)
            if failed < self.failures:
                return
            ttl = await self.backend.ttl(key)
        except BackendUnavailable as exc:
            # Fail closed: without the counter, guessing would be unlimited.
            raise ServiceUnavailable("staff login is unavailable; try again shortly") from exc
        retry_after_s = max(1, round(ttl)) if ttl is not None else self.window_s
        raise LoginThrottled(
            f"too many failed logins for this account; retry in {retry_after_s} s",
            retry_after_s=retry_after_s,
        )

    async def count_failure(self, email: str) -> None:
        try:
            await self.backend.incr(_key(email), ttl_s=self.window_s)
        except BackendUnavailable as exc:
            raise ServiceUnavailable("staff login is unavailable; try again shortly") from exc

    async def forget(self, email: str) -> None:
        with contextlib.suppress(BackendUnavailable):  # the window ends by itself
            await self.backend.delete(_key(email))


def _key(email: str) -> str:
    # Hashed: the backend holds no email addresses.
    return "rl:staff-login:" + hashlib.sha256(email.encode()).hexdigest()[:32]
