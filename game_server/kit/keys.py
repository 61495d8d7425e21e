"""Signing keys derived from the one configured secret, so every worker agrees with no setup.

Each purpose gets its own key (HKDF-SHA256 with the purpose as `info`): a badge signature can
never pass for a coupon signature. Rotating `LUPIAE_SECRET_KEY` rotates every derived key.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SALT = b"lupiae-keys-v1"


@lru_cache(maxsize=16)
def derive_ed25519(secret: str, purpose: str) -> Ed25519PrivateKey:
    """The Ed25519 private key for `purpose` (e.g. "coupon-qr-v1"), the same on every worker."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode()).derive(
        secret.encode()
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), with its RFC 7638 thumbprint as `kid`."""
    x = b64url(raw_public_bytes(key))
    required = orjson.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, option=orjson.OPT_SORT_KEYS)
    kid = b64url(hashlib.sha256(required).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}
