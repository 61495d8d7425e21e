"""Staff login limits, counted in the shared backend so every worker sees them.

Three fixed windows of `window_s` (docs/security.md, "Staff login"):

- per client (its address, as a keyed hash): after `client_failures` failed logins, whatever
  the emails, the client is refused. Spraying many accounts from one place stops there.
- per account and client: after `failures` failed logins for one account from one client,
  that client is refused for that account. Only the guesser is slowed down.
- per account, all clients: after `account_failures` failed logins (a guessing campaign from
  many addresses), only the clients the account has logged in from before (within 30 days)
  may still try. The real owner keeps getting in; an anonymous client can never lock an
  account out, because no count of its failures refuses anybody but itself.

Fail closed: without the backend, guessing would be unlimited, so login answers 503.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac

from game_server.kit.errors import ServiceUnavailable
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.staff.exceptions import LoginThrottled

KNOWN_CLIENT_TTL_S = 30 * 86_400


class LoginLimiter:
    def __init__(
        self,
        backend: Backend,
        *,
        failures: int,
        window_s: int,
        client_failures: int = 20,
        account_failures: int = 100,
        secret: str = "",
    ) -> None:
        self.backend = backend
        self.failures = failures
        self.window_s = window_s
        self.client_failures = client_failures
        self.account_failures = account_failures
        self.secret = secret

    def _hash(self, kind: str, value: str) -> str:
        # Keyed hashes: the backend holds no email addresses and no client addresses.
        digest = hmac.new(self.secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def _keys(self, email: str, client: str | None) -> tuple[str, str, str, str]:
        account = self._hash("account", email)
        who = self._hash("client", client or "unknown")
        return (
            f"rl:staff-login:client:{who}",
            f"rl:staff-login:pair:{account}:{who}",
            f"rl:staff-login:account:{account}",
            f"staff-login:known:{account}:{who}",
        )

    async def check(self, email: str, client: str | None = None) -> None:
        by_client, pair, account, known = self._keys(email, client)
        try:
            if await self._over(by_client, self.client_failures):
                raise await self._throttled(by_client, "from this address")
            if await self._over(pair, self.failures):
                raise await self._throttled(pair, "for this account from this address")
            if await self._over(account, self.account_failures) and not await self.backend.get(
                known
            ):
                raise await self._throttled(account, "for this account from new addresses")
        except BackendUnavailable as exc:
            raise ServiceUnavailable("staff login is unavailable; try again shortly") from exc

    async def _over(self, key: str, limit: int) -> bool:
        return await self.backend.incr(key, 0, ttl_s=self.window_s) >= limit

    async def _throttled(self, key: str, where: str) -> LoginThrottled:
        ttl = await self.backend.ttl(key)
        retry_after_s = max(1, round(ttl)) if ttl is not None else self.window_s
        return LoginThrottled(
            f"too many failed logins {where}; retry in {retry_after_s} s",
            retry_after_s=retry_after_s,
        )

    async def count_failure(self, email: str, client: str | None = None) -> None:
        by_client, pair, account, _ = self._keys(email, client)
        try:
            for key in (by_client, pair, account):
                await self.backend.incr(key, ttl_s=self.window_s)
        except BackendUnavailable as exc:
            raise ServiceUnavailable("staff login is unavailable; try again shortly") from exc

    async def forget(self, email: str, client: str | None = None) -> None:
        """A successful login: this client's count for the account restarts, and the client
        is known to the account (it may log in even during a guessing campaign)."""
        _, pair, _, known = self._keys(email, client)
        with contextlib.suppress(BackendUnavailable):  # the window ends by itself
            await self.backend.delete(pair)
            await self.backend.set(known, b"1", ttl_s=KNOWN_CLIENT_TTL_S)
