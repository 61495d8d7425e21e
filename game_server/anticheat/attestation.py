"""A plug for device attestation (Play Integrity, App Attest): off by default.

An operator who wants rewards only on genuine, unmodified apps implements `Attestor` for the
platform's verdict API and selects it with `LUPIAE_ATTESTATION`. The player's app posts a
token to `POST /v1/me/attestation`; a verified token is remembered for
`LUPIAE_ATTESTATION_TTL_S` in the shared backend, and coupon templates whose evidence says
`attestation: true` are held while the player has none. The one implementation shipped,
`KeyedTestAttestor`, accepts tokens signed with the server's secret: it is for tests and
for trying the flow, not a protection.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from typing import Protocol

from game_server.kit.pubsub import Backend, BackendUnavailable


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str  # why not, or what vouched for it


class Attestor(Protocol):
    """Verifies a platform attestation token for one player (the nonce is the player id)."""

    async def verify(self, player_id: uuid.UUID, platform: str, token: str) -> Verdict: ...


class KeyedTestAttestor:
    """Accepts `hex(HMAC-SHA256(secret, "attest:<player_id>"))` as the token of any platform."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"attestation-test:{secret}".encode()).digest()

    def token_for(self, player_id: uuid.UUID) -> str:
        mac = hmac.new(self._key, f"attest:{player_id}".encode(), hashlib.sha256)
        return mac.hexdigest()

    async def verify(self, player_id: uuid.UUID, platform: str, token: str) -> Verdict:
        if hmac.compare_digest(self.token_for(player_id), token):
            return Verdict(True, f"{platform}: test key")
        return Verdict(False, "token does not verify")


def attestor_for(mode: str, secret: str) -> Attestor | None:
    """The attestor `LUPIAE_ATTESTATION` selects; None when attestation is off."""
    if mode == "test":
        return KeyedTestAttestor(secret)
    return None


def attested_key(player_id: uuid.UUID) -> str:
    return f"lupiae:attested:{player_id}"


async def remember(backend: Backend, player_id: uuid.UUID, ttl_s: int) -> None:
    await backend.set(attested_key(player_id), b"1", ttl_s=ttl_s)


async def is_attested(backend: Backend | None, player_id: uuid.UUID) -> bool:
    if backend is None:
        return False
    try:
        return await backend.get(attested_key(player_id)) is not None
    except BackendUnavailable:
        return False
