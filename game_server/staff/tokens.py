"""Staff tokens: short-lived HS256 JWTs with `typ: staff`, never valid as player tokens."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from game_server.kit.errors import NotAuthenticated
from game_server.staff.roles import Role

ALGORITHM = "HS256"
STAFF_TYPE = "staff"


@dataclass(frozen=True, slots=True)
class StaffClaims:
    subject: str
    role: str  # as signed; the guard checks it names a known role
    expires_at: int


def issue_staff_token(
    staff_id: uuid.UUID, role: Role, *, secret: str, now: datetime, ttl_s: int
) -> str:
    claims = {
        "sub": str(staff_id),
        "typ": STAFF_TYPE,
        "role": role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_staff_token(token: str, *, secret: str) -> StaffClaims | None:
    """The claims of a valid staff token; None when the token is some other valid JWT.

    Raise NotAuthenticated when the token is expired, forged or malformed.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # pinned: refuses `alg: none` and key confusion
            options={"require": ["sub", "exp", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("the staff token has expired; log in again") from exc
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated("the token is not valid") from exc
    if claims["typ"] != STAFF_TYPE:
        return None
    return StaffClaims(str(claims["sub"]), str(claims.get("role", "")), int(claims["exp"]))
