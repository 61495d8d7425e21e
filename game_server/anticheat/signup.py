"""Guest sign-up costs something: at most `guest_signups_per_client` per client per window.

The client is the connection's address (behind a proxy, the one uvicorn takes from
X-Forwarded-For for its `--forwarded-allow-ips`), kept only as a keyed hash on the player
(`players.signup_client`), which is what "one client" means for team coupons. When a client
goes over the limit, its accounts of the window are put on record (`signup_burst`).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.anticheat.service import record
from game_server.anticheat.settings import AntiCheatSettings
from game_server.kit.clock import utcnow
from game_server.kit.deps import settings_of
from game_server.kit.errors import TooManyRequests
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.players.models import Player


class GuestSignupLimited(TooManyRequests):
    slug = "guest-signup-limited"
    commit = True  # the refusal must not roll back the burst put on record


async def admit_guest(request: Request, session: AsyncSession, backend: Backend) -> str:
    """The guest sign-up's admission (`POST /v1/auth/guest`, registered by the wiring): the
    client's key, once this sign-up is counted; refused (429) beyond the limit."""
    settings = await settings_of(AntiCheatSettings)(request)
    client = client_key(settings.secret_key, request.client.host if request.client else None)
    await admit(session, backend, settings, client)
    return client


def client_key(secret: str, address: str | None) -> str:
    mac = hmac.new(f"signup-client:{secret}".encode(), (address or "?").encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


async def admit(
    session: AsyncSession, backend: Backend, settings: AntiCheatSettings, client: str
) -> None:
    """Count one sign-up of `client`; refuse it (429) beyond the limit. A backend away
    admits (sign-up must not depend on Redis; the record cannot be kept then)."""
    window = settings.guest_signup_window_s
    try:
        count = await backend.incr(f"lupiae:signups:{client}", ttl_s=window)
        wait_s = await backend.ttl(f"lupiae:signups:{client}")
    except BackendUnavailable:
        return
    if count <= settings.guest_signups_per_client:
        return
    if count == settings.guest_signups_per_client + 1:
        await _put_burst_on_record(session, client, settings, count)
    retry = max(1, int(wait_s or window))
    raise GuestSignupLimited(
        f"too many new guest accounts from this client; try again in {retry} s",
        retry_after_s=retry,
    )


async def _put_burst_on_record(
    session: AsyncSession, client: str, settings: AntiCheatSettings, count: int
) -> None:
    since = utcnow() - timedelta(seconds=settings.guest_signup_window_s)
    stmt = select(Player.id).where(Player.signup_client == client, Player.created_at >= since)
    for player_id in (await session.scalars(stmt)).all():
        evidence = {
            "signups_in_window": count,
            "limit": settings.guest_signups_per_client,
            "window_s": settings.guest_signup_window_s,
        }
        await record(session, player_id, "signup_burst", evidence)
