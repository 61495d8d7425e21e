from __future__ import annotations

import base64
import uuid

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI

from game_server.kit.keys import b64url_decode
from rewards.signing import verify
from tests.rewards.helpers import coupon, redeem, serve_content, shop, shown


async def _guest(client: httpx.AsyncClient) -> tuple[uuid.UUID, dict[str, str]]:
    tokens = (await client.post("/v1/auth/guest")).json()
    return uuid.UUID(tokens["player_id"]), {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_my_coupons_with_offer_merchant_validity_state_and_qr(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    serve_content(app)
    bar = await shop(app)
    player_id, auth = await _guest(client)
    kept = await coupon(app, player_id=player_id)
    used = await coupon(app, player_id=player_id)
    await redeem(client, bar, shown(used))
    response = await client.get("/v1/me/coupons", headers=auth)
    assert response.status_code == 200
    coupons = {c["code"]: c for c in response.json()}
    assert set(coupons) == {shown(kept), shown(used)}
    mine = coupons[shown(kept)]
    assert mine["state"] == "active"
    assert coupons[shown(used)]["state"] == "redeemed"
    assert mine["merchant"] == {"slug": "caffe-alvino", "name": "Caffè Alvino"}
    assert mine["offer"] == {"it": "Un caffè in omaggio", "en": "A free coffee"}
    assert mine["expires_at"] is not None
    assert mine["qr"]["svg_url"].endswith("/qr.svg")
    assert mine["qr"]["svg_data_uri"] is None


async def test_a_held_coupons_reason_is_in_the_players_language(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The reason is stored as the judge wrote it and read in the language the app asks for,
    by the API's rule for any text (`?lang=`, else Accept-Language, else Italian)."""
    player_id, auth = await _guest(client)
    stored = "risk score 12 ≥ 10: a moderator checks"
    await coupon(app, player_id=player_id, hold_reason=stored)
    in_italian = "punteggio di rischio 12 ≥ 10: lo controlla un moderatore"
    italian = {**auth, "Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}
    [mine] = (await client.get("/v1/me/coupons", headers=italian)).json()
    assert (mine["state"], mine["hold_reason"]) == ("held", in_italian)
    [mine] = (await client.get("/v1/me/coupons", headers=auth)).json()  # the client's English
    assert mine["hold_reason"] == stored
    [mine] = (await client.get("/v1/me/coupons?lang=it", headers=auth)).json()
    assert mine["hold_reason"] == in_italian


async def test_the_qr_payload_verifies_offline_with_the_published_key(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    player_id, auth = await _guest(client)
    issued = await coupon(app, player_id=player_id)
    jwks = (await client.get("/merchant/v1/keys")).json()
    [jwk] = jwks["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    [listed] = (await client.get("/v1/me/coupons?embed_qr=true", headers=auth)).json()
    claims = verify(public_key, listed["qr"]["payload"])
    assert claims.code == issued.code
    assert claims.merchant == "caffe-alvino"
    assert claims.expires_at == issued.expires_at.replace(microsecond=0)  # type: ignore[union-attr]
    svg = base64.b64decode(listed["qr"]["svg_data_uri"].split(",", 1)[1])
    assert svg.startswith(b"<svg")


async def test_qr_images_only_for_the_owner(app: FastAPI, client: httpx.AsyncClient) -> None:
    player_id, auth = await _guest(client)
    _, stranger = await _guest(client)
    issued = await coupon(app, player_id=player_id)
    svg = await client.get(f"/v1/me/coupons/{shown(issued)}/qr.svg", headers=auth)
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    png = await client.get(f"/v1/me/coupons/{shown(issued)}/qr.png", headers=auth)
    assert png.content.startswith(b"\x89PNG")
    other = await client.get(f"/v1/me/coupons/{shown(issued)}/qr.svg", headers=stranger)
    assert other.status_code == 404
    assert (await client.get("/v1/me/coupons", headers=stranger)).json() == []
    assert (await client.get("/v1/me/coupons")).status_code == 401
