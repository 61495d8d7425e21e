"""The player's coupons: code, offer, shop, validity, state and a signed QR."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep, SettingsDep
from game_server.kit.errors import request_language
from game_server.kit.italian import localized
from game_server.players.deps import CurrentPlayer
from rewards import codes, qr
from rewards.content import active_bundle
from rewards.exceptions import UnknownCoupon
from rewards.models import Coupon
from rewards.repository import CouponRepository, MerchantRepository
from rewards.schemas import MerchantRef, Offer, PlayerCoupon, QrRead
from rewards.signing import QrClaims, sign, signing_key

router = APIRouter(prefix="/v1", tags=["rewards"])


@router.get("/me/coupons")
async def my_coupons(
    request: Request,
    player: CurrentPlayer,
    session: SessionDep,
    settings: SettingsDep,
    embed_qr: bool = False,
) -> list[PlayerCoupon]:
    """Every coupon of the player, newest first. `embed_qr=true` adds each QR as an SVG data
    URI; otherwise fetch `qr.svg_url` / `qr.png_url` with the same bearer token. A held or
    refused coupon's `hold_reason` is in the API's language (`?lang=`, Accept-Language)."""
    coupons = await CouponRepository(session).of_player(player.id)
    names = await _merchant_names(request, session)
    now = utcnow()
    language = request_language(request)
    return [
        _read(coupon, names, settings.secret_key, now, embed_qr=embed_qr, language=language)
        for coupon in coupons
    ]


@router.get(
    "/me/coupons/{code}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def coupon_qr_svg(
    code: str, player: CurrentPlayer, session: SessionDep, settings: SettingsDep
) -> Response:
    payload = await _payload(code, player.id, session, settings.secret_key)
    return Response(qr.svg(payload), media_type="image/svg+xml", headers=_PRIVATE)


@router.get(
    "/me/coupons/{code}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def coupon_qr_png(
    code: str, player: CurrentPlayer, session: SessionDep, settings: SettingsDep
) -> Response:
    payload = await _payload(code, player.id, session, settings.secret_key)
    return Response(qr.png(payload), media_type="image/png", headers=_PRIVATE)


_PRIVATE = {"Cache-Control": "private, max-age=3600"}


async def _payload(text: str, player_id: uuid.UUID, session: SessionDep, secret: str) -> str:
    try:
        code = codes.normalize(text)
    except codes.InvalidCode as exc:
        raise UnknownCoupon(f"no such coupon: {exc}") from exc
    coupon = await CouponRepository(session).of_player_by_code(player_id, code)
    if coupon is None:
        raise UnknownCoupon("you have no such coupon")
    return _sign(coupon, secret)


def _sign(coupon: Coupon, secret: str) -> str:
    expires_at = coupon.expires_at if coupon.expires_at else None
    return sign(signing_key(secret), QrClaims(coupon.code, coupon.merchant_slug, expires_at))


async def _merchant_names(request: Request, session: SessionDep) -> dict[str, str]:
    """Shop names from the content, overridden by the onboarded merchants."""
    bundle = active_bundle(request.app.state)
    names = {m.slug: m.name for m in bundle.merchants} if bundle else {}
    names.update({m.slug: m.name for m in await MerchantRepository(session).all()})
    return names


def _read(
    coupon: Coupon,
    names: dict[str, str],
    secret: str,
    now: datetime,
    *,
    embed_qr: bool,
    language: str,
) -> PlayerCoupon:
    expires_at = coupon.expires_at if coupon.expires_at else None
    if coupon.state == "redeemed":
        state = "redeemed"
    elif expires_at is not None and expires_at <= now:
        state = "expired"
    elif coupon.state in ("held", "refused"):
        state = coupon.state
    else:
        state = "active"
    payload = _sign(coupon, secret)
    base = f"{router.prefix}/me/coupons/{codes.display(coupon.code)}"
    return PlayerCoupon(
        code=codes.display(coupon.code),
        template=coupon.template_slug,
        offer=Offer(it=coupon.offer_it, en=coupon.offer_en),
        terms=Offer(it=coupon.terms_it, en=coupon.terms_en)
        if coupon.terms_it and coupon.terms_en
        else None,
        merchant=MerchantRef(
            slug=coupon.merchant_slug, name=names.get(coupon.merchant_slug, coupon.merchant_slug)
        ),
        state=state,
        hold_reason=localized(coupon.hold_reason, language),
        issued_at=coupon.issued_at,
        expires_at=expires_at,
        qr=QrRead(
            payload=payload,
            svg_url=f"{base}/qr.svg",
            png_url=f"{base}/qr.png",
            svg_data_uri=qr.svg_data_uri(payload) if embed_qr else None,
        ),
    )
