"""The merchant API (SPEC §3.2), for point-of-sale integrations. See docs/merchants.md."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep
from game_server.kit.errors import PROBLEM_MEDIA_TYPE, DomainError
from game_server.kit.inputs import MAX_SAFE_INTEGER
from rewards.auth import Limits, MerchantKey
from rewards.deps import SettingsDep
from rewards.endpoints.history import Period, csv_response, period
from rewards.idempotency import Replay
from rewards.merchants import MerchantService
from rewards.redemptions import Redemptions
from rewards.repository import CouponRepository, MerchantRepository
from rewards.schemas import (
    CouponCheck,
    KeyIssued,
    KeyRotate,
    RedemptionPage,
    RedemptionRead,
    RedemptionRequest,
    Totals,
)
from rewards.service import RedemptionService
from rewards.signing import jwks

router = APIRouter(prefix="/merchant/v1", tags=["merchant"])

_PROBLEM: dict[str, Any] = {"content": {PROBLEM_MEDIA_TYPE: {}}}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "missing, unknown or revoked API key"},
    403: {**_PROBLEM, "description": "the coupon belongs to another shop"},
    404: {**_PROBLEM, "description": "no such coupon (or a typo: the check character failed)"},
    429: {**_PROBLEM, "description": "rate limited; see Retry-After"},
}


async def _audited(session: SessionDep, entry: Any, exc: DomainError) -> DomainError:
    """Keep the audit entry of a refusal: the unit of work commits before the error leaves."""
    await MerchantRepository(session).audit(entry)
    exc.commit = True
    return exc


@router.get("/keys")
async def public_keys(settings: SettingsDep) -> dict[str, list[dict[str, str]]]:
    """The public keys (JWKS, Ed25519) that verify coupon QR payloads offline."""
    return jwks(settings.secret_key)


@router.get("/coupons/{code}", responses=_REFUSALS)
async def check_coupon(
    code: str, principal: MerchantKey, session: SessionDep, settings: SettingsDep, limits: Limits
) -> CouponCheck:
    """Is this coupon valid here, now? Does not redeem it."""
    service = RedemptionService(CouponRepository(session), settings)
    try:
        await limits.count_lookup(principal.merchant.id)
        result = await service.check(principal.merchant, code, utcnow())
    except DomainError as exc:
        entry = principal.audit("lookup", exc.status, code=code, detail=exc.detail)
        raise await _audited(session, entry, exc) from None
    await MerchantRepository(session).audit(principal.audit("lookup", 200, code=code))
    return result


@router.post(
    "/redemptions",
    status_code=201,
    response_model=RedemptionRead,
    responses={
        **_REFUSALS,
        400: {**_PROBLEM, "description": "no or bad Idempotency-Key header"},
        409: {
            **_PROBLEM,
            "description": "already redeemed (when, where), key in flight, or a retry of a "
            "redemption voided since (`redemption-voided`)",
        },
        410: {**_PROBLEM, "description": "the coupon has expired"},
        422: {**_PROBLEM, "description": "this Idempotency-Key came with another body"},
    },
)
async def redeem(
    body: RedemptionRequest,
    principal: MerchantKey,
    session: SessionDep,
    settings: SettingsDep,
    limits: Limits,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    """Redeem a coupon, exactly once. Retry with the same `Idempotency-Key` on any doubt."""
    redemptions = Redemptions(session, settings, limits)
    done = await redemptions.redeem(principal, body.code, body.reference, idempotency_key)
    return _stored(done.outcome, replayed=done.replayed, redemption_id=done.redemption_id)


def _stored(outcome: Replay, *, replayed: bool, redemption_id: uuid.UUID | None = None) -> Response:
    headers = {"Idempotency-Replayed": "true"} if replayed else {}
    if outcome.status == 201:
        if redemption_id is None:
            redemption_id = orjson.loads(outcome.body)["id"]
        headers["Location"] = f"{router.prefix}/redemptions/{redemption_id}"
        media_type = "application/json"
    else:
        media_type = PROBLEM_MEDIA_TYPE
    return Response(outcome.body, outcome.status, headers=headers, media_type=media_type)


@router.get("/redemptions/{redemption_id}", responses=_REFUSALS)
async def get_redemption(
    redemption_id: uuid.UUID, principal: MerchantKey, session: SessionDep, settings: SettingsDep
) -> RedemptionRead:
    service = RedemptionService(CouponRepository(session), settings)
    return await service.get(principal.merchant, redemption_id)


@router.post(
    "/redemptions/{redemption_id}/void",
    responses={
        **_REFUSALS,
        409: {**_PROBLEM, "description": "the void window has closed"},
    },
)
async def void_redemption(
    redemption_id: uuid.UUID, principal: MerchantKey, session: SessionDep, settings: SettingsDep
) -> RedemptionRead:
    """Undo a redemption made by mistake, within the void window; the coupon works again."""
    service = RedemptionService(CouponRepository(session), settings)
    try:
        result = await service.void(principal.merchant, redemption_id, utcnow())
    except DomainError as exc:
        entry = principal.audit("void", exc.status, redemption_id=redemption_id, detail=exc.detail)
        raise await _audited(session, entry, exc) from None
    entry = principal.audit("void", 200, code=result.code, redemption_id=redemption_id)
    await MerchantRepository(session).audit(entry)
    return result


@router.get(
    "/redemptions",
    response_model=RedemptionPage,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV on request"}},
)
async def history(
    request: Request,
    principal: MerchantKey,
    session: SessionDep,
    settings: SettingsDep,
    when: Annotated[Period, period],
    format: Literal["json", "csv"] | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_SAFE_INTEGER)] = 0,
) -> Response:
    """Redemptions (voided ones included) from `from` (inclusive) to `to` (exclusive).

    CSV with `?format=csv` or `Accept: text/csv`: the whole period in one file.
    """
    service = RedemptionService(CouponRepository(session), settings)
    as_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    await MerchantRepository(session).audit(
        principal.audit("history", 200, detail=f"{when} csv={as_csv}")
    )
    if as_csv:
        rows = await service.history(principal.merchant, when.since, when.until, limit=100_000)
        return csv_response(rows, principal.merchant.slug, when)
    items = await service.history(
        principal.merchant, when.since, when.until, limit=limit + 1, offset=offset
    )
    page = RedemptionPage(
        items=items[:limit], next_offset=offset + limit if len(items) > limit else None
    )
    return Response(orjson.dumps(page.model_dump(mode="json")), media_type="application/json")


@router.get("/totals")
async def totals(
    principal: MerchantKey,
    session: SessionDep,
    settings: SettingsDep,
    when: Annotated[Period, period],
) -> Totals:
    """Counts per offer for reconciliation: redeemed (net of voids) and voided."""
    await MerchantRepository(session).audit(principal.audit("totals", 200, detail=str(when)))
    service = RedemptionService(CouponRepository(session), settings)
    return await service.totals(principal.merchant, when.since, when.until)


@router.post("/keys/rotate", status_code=201, responses=_REFUSALS)
async def rotate_own_key(
    principal: MerchantKey, session: SessionDep, body: KeyRotate | None = None
) -> KeyIssued:
    """A new API key for this shop; the others stop working after `grace_s` seconds."""
    grace_s = body.grace_s if body else 0
    service = MerchantService(MerchantRepository(session), actor="merchant")
    issued = await service.rotate_key(
        principal.merchant, grace_s=grace_s, by_key=principal.api_key_id
    )
    return KeyIssued(api_key=issued.api_key, key_id=issued.key_id, prefix=issued.prefix)
