from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from game_server.kit.keys import b64url_decode, derive_ed25519
from rewards import qr
from rewards.codes import new_code
from rewards.signing import InvalidPayload, QrClaims, jwks, sign, signing_key, verify

SECRET = "a-secret-for-signing-tests-0123456789abcdef"


def _published_key(secret: str = SECRET) -> Ed25519PublicKey:
    jwk = jwks(secret)["keys"][0]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def test_a_payload_verifies_offline_with_the_published_key() -> None:
    claims = QrClaims(new_code(), "caffe-alvino", datetime(2027, 1, 31, 23, 0, tzinfo=UTC))
    payload = sign(signing_key(SECRET), claims)
    assert verify(_published_key(), payload) == claims
    assert len(payload) < 140


def test_a_payload_without_expiry_round_trips() -> None:
    claims = QrClaims(new_code(), "libreria", None)
    assert verify(_published_key(), sign(signing_key(SECRET), claims)) == claims


@pytest.mark.parametrize("field", [1, 2, 3])
def test_tampering_with_any_field_breaks_the_signature(field: int) -> None:
    payload = sign(signing_key(SECRET), QrClaims("K7QM4XPRT", "bar", None))
    parts = payload.split(".")
    parts[field] = {1: "K7QM4XPRU", 2: "other", 3: "99"}[field]
    with pytest.raises(InvalidPayload):
        verify(_published_key(), ".".join(parts))


@pytest.mark.parametrize(
    "payload", ["", "LUP1", "LUP2.A.b.0.sig", "LUP1.A.b.x.sig", "LUP1.A.b.0.!!"]
)
def test_garbage_is_refused(payload: str) -> None:
    with pytest.raises(InvalidPayload):
        verify(_published_key(), payload)


def test_another_secret_gives_another_key() -> None:
    payload = sign(signing_key(SECRET), QrClaims("K7QM4XPRT", "bar", None))
    with pytest.raises(InvalidPayload):
        verify(_published_key("another-secret-" * 3), payload)


def test_keys_are_deterministic_and_separated_by_purpose() -> None:
    first = derive_ed25519(SECRET, "coupon-qr-v1").public_key()
    again = derive_ed25519(SECRET, "coupon-qr-v1").public_key()
    badges = derive_ed25519(SECRET, "badges-v1").public_key()
    assert first == again
    assert first != badges


def test_qr_renderings() -> None:
    payload = sign(signing_key(SECRET), QrClaims("K7QM4XPRT", "bar", None))
    assert qr.svg(payload).startswith(b"<svg")
    assert qr.png(payload).startswith(b"\x89PNG")
    assert qr.svg_data_uri(payload).startswith("data:image/svg+xml;base64,")
