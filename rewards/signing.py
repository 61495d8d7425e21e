"""Signed QR payloads a merchant can check offline with the published public key.

Payload: `LUP1.<code>.<merchant slug>.<expiry, epoch s, 0 = none>.<Ed25519 signature>`, the
signature (base64url, no padding) covering everything before its dot. Offline it proves the
coupon was issued by Lupiae for that shop; only the online redemption says it is still unspent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from game_server.kit.keys import b64url, b64url_decode, derive_ed25519, public_jwk

PREFIX = "LUP1"
PURPOSE = "coupon-qr-v1"


class InvalidPayload(ValueError):
    """Malformed, or the signature does not verify with the given key."""


@dataclass(frozen=True, slots=True)
class QrClaims:
    code: str
    merchant: str
    expires_at: datetime | None


def signing_key(secret: str) -> Ed25519PrivateKey:
    return derive_ed25519(secret, PURPOSE)


def jwks(secret: str) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(signing_key(secret).public_key())]}


def sign(key: Ed25519PrivateKey, claims: QrClaims) -> str:
    expiry = int(claims.expires_at.timestamp()) if claims.expires_at else 0
    message = f"{PREFIX}.{claims.code}.{claims.merchant}.{expiry}"
    return f"{message}.{b64url(key.sign(message.encode()))}"


def verify(public_key: Ed25519PublicKey, payload: str) -> QrClaims:
    """The claims of an authentic payload; raises InvalidPayload otherwise."""
    message, _, signature = payload.rpartition(".")
    parts = message.split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[3].isdigit():
        raise InvalidPayload("not a Lupiae coupon payload")
    try:
        public_key.verify(b64url_decode(signature), message.encode())
    except (InvalidSignature, ValueError) as exc:
        raise InvalidPayload("the signature does not verify") from exc
    expiry = int(parts[3])
    expires_at = datetime.fromtimestamp(expiry, UTC) if expiry else None
    return QrClaims(code=parts[1], merchant=parts[2], expires_at=expires_at)
