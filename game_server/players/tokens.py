"""Access tokens (short-lived JWT, HS256) and opaque refresh tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import jwt

from game_server.kit.errors import NotAuthenticated

ALGORITHM = "HS256"
ACCESS_TYPE = "access"


def issue_access_token(
    player_id: uuid.UUID, *, secret: str, now: datetime, ttl_s: int, jti: str | None = None
) -> str:
    claims = {
        "sub": str(player_id),
        "typ": ACCESS_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
        "jti": jti or secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> tuple[uuid.UUID, int]:
    """Return the player id and the expiry (epoch seconds) of a valid access token."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # pinning the algorithm refuses `alg: none` and key confusion
            options={"require": ["sub", "exp", "iat", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("the access token has expired; refresh it") from exc
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated("the access token is not valid") from exc
    if claims["typ"] != ACCESS_TYPE:
        raise NotAuthenticated("the token is not an access token")
    try:
        return uuid.UUID(claims["sub"]), int(claims["exp"])
    except (TypeError, ValueError) as exc:
        raise NotAuthenticated("the access token is not valid") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
