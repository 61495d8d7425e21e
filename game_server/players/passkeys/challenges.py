"""Stateless ceremony challenges: expiry, purpose and player inside, signed with HMAC.

Asking for options stores nothing (anyone may ask for sign-in options); the authenticator
echoes the challenge back in `clientDataJSON`, where the server checks the signature, the
expiry, the purpose and the player, and then records it as used (UsedChallenge).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
import uuid
from typing import Literal

from game_server.kit.errors import NotAuthenticated

Purpose = Literal["register", "login"]
_PURPOSES: dict[str, int] = {"register": 1, "login": 2}
_LAYOUT = struct.Struct(">QB16s16s")  # expiry (s), purpose, player id (zeros: any), nonce
_MAC = 32


class BadChallenge(NotAuthenticated):
    slug = "passkey-challenge"


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"lupiae-passkey-challenge:" + secret.encode()).digest()


def issue(secret: str, purpose: Purpose, player_id: uuid.UUID | None, expires_at_s: int) -> bytes:
    player = player_id.bytes if player_id else bytes(16)
    body = _LAYOUT.pack(expires_at_s, _PURPOSES[purpose], player, secrets.token_bytes(16))
    return body + hmac.new(_key(secret), body, hashlib.sha256).digest()


def check(
    secret: str, challenge: bytes, purpose: Purpose, player_id: uuid.UUID | None, now_s: float
) -> int:
    """The challenge's expiry (s) when it is ours, unexpired, for this purpose and player."""
    body, mac = challenge[:-_MAC], challenge[-_MAC:]
    good = hmac.new(_key(secret), body, hashlib.sha256).digest()
    if len(body) != _LAYOUT.size or not hmac.compare_digest(mac, good):
        raise BadChallenge("not a challenge of this server")
    expires_at_s, kind, player, _ = _LAYOUT.unpack(body)
    if expires_at_s < now_s:
        raise BadChallenge("the challenge has expired; start again")
    if kind != _PURPOSES[purpose]:
        raise BadChallenge("the challenge was issued for another ceremony")
    if player != (player_id.bytes if player_id else bytes(16)):
        raise BadChallenge("the challenge was issued to another player")
    return int(expires_at_s)


def digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()
