"""Badges as verifiable credentials: Open Badges 3.0 `OpenBadgeCredential`s (VC data model
2.0) secured as VC-JWTs, signed EdDSA with an Ed25519 key derived from the server secret.

Anyone verifies one with the public key at `/.well-known/jwks.json` (or `/v1/badges/keys`):
pick the key whose `kid` matches the JWT header, check the EdDSA signature, read the payload.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from content.model import Badge
from game_server.kit.keys import derive_ed25519, public_jwk

PURPOSE = "badge-credential-v1"
MEDIA_TYPE = "application/vc+jwt"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Lupiae — Lecce Smart & Com"


@dataclass(frozen=True, slots=True)
class Award:
    credential_id: uuid.UUID
    player_id: uuid.UUID
    awarded_at: datetime


def signing_key(secret: str) -> Ed25519PrivateKey:
    return derive_ed25519(secret, PURPOSE)


def jwks(secret: str) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(signing_key(secret).public_key())]}


def issuer_profile(base_url: str) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": f"{base_url}/v1/badges/issuer",
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": base_url,
        "description": "The location-based game of the historic centre of Lecce.",
    }


def achievement(badge: Badge, base_url: str) -> dict[str, Any]:
    return {
        "id": f"{base_url}/v1/badges/{badge.slug}",
        "type": ["Achievement"],
        "name": badge.name.en,
        "description": badge.description.en,
        "criteria": {"narrative": badge.description.en},
        "inLanguage": "en",
        **({"image": {"id": badge.icon, "type": "Image"}} if badge.icon else {}),
    }


def subject_id(player_id: uuid.UUID, secret: str) -> str:
    """The player's pseudonymous id in badge credentials: a keyed hash of the player id, the
    same in every credential of the player (a verifier can tell they are one holder's) and
    never the id the API uses, which a credential shown around must not reveal."""
    digest = hmac.new(secret.encode(), b"badge-subject:" + player_id.bytes, hashlib.sha256)
    return f"urn:uuid:{uuid.UUID(bytes=digest.digest()[:16], version=4)}"


def credential(badge: Badge, award: Award, base_url: str, *, secret: str) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential. The subject is an opaque id: no personal data."""
    profile = issuer_profile(base_url)
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{award.credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {k: profile[k] for k in ("id", "type", "name", "url")},
        "validFrom": award.awarded_at.isoformat().replace("+00:00", "Z"),
        "name": badge.name.en,
        "credentialSubject": {
            "id": subject_id(award.player_id, secret),
            "type": ["AchievementSubject"],
            "achievement": achievement(badge, base_url),
        },
    }


def sign(badge: Badge, award: Award, *, base_url: str, secret: str) -> str:
    """The credential as a compact JWS. Ed25519 is deterministic: same award, same token."""
    body = credential(badge, award, base_url, secret=secret)
    key = signing_key(secret)
    issued = int(award.awarded_at.timestamp())
    claims = {
        **body,
        "iss": body["issuer"]["id"],
        "sub": body["credentialSubject"]["id"],
        "jti": body["id"],
        "nbf": issued,
        "iat": issued,
    }
    headers = {"kid": public_jwk(key.public_key())["kid"], "typ": "vc+jwt", "cty": "vc"}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)


# Clock skew a verifier tolerates on `nbf`/`iat`: the award time is the game's server time,
# and the worker (or machine) that verifies may run a little behind the one that awarded.
CLOCK_SKEW_S = 60


def verify(token: str, jwk: dict[str, str], *, check_times: bool = True) -> dict[str, Any]:
    """Check a credential against a published JWK; raise `jwt.InvalidTokenError` if it fails.
    `check_times=False` skips `nbf`/`iat` (for the server reading back what it just signed)."""
    key = jwt.PyJWK(jwk).key
    options: jwt.types.Options = {
        "require": ["iss", "sub", "jti", "nbf"],
        "verify_nbf": check_times,
        "verify_iat": check_times,
    }
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=["EdDSA"], options=options, leeway=CLOCK_SKEW_S
    )
    return claims
