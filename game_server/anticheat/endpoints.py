"""Anti-cheat for moderators (`/admin/v1/anticheat`) and device attestation for players."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from game_server.anticheat import attestation, moderation
from game_server.anticheat.models import SuspicionRecord
from game_server.anticheat.repository import PlayerRisk, SuspicionRepository
from game_server.anticheat.rules import RISK_WINDOW
from game_server.anticheat.schemas import (
    AttestationRead,
    AttestationRequest,
    DecisionRequest,
    HeldCouponRead,
    PlayerRiskRead,
    RecordRead,
)
from game_server.anticheat.service import record
from game_server.anticheat.settings import AntiCheatSettings
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.clock import utcnow
from game_server.kit.deps import BackendDep, SessionDep, settings_of
from game_server.kit.errors import Conflict, NotFound, Unprocessable, request_language
from game_server.kit.italian import localized
from game_server.players.deps import CurrentPlayer
from game_server.players.models import Player
from game_server.staff.auth import AdminStaff
from rewards import codes
from rewards.models import Coupon

router = APIRouter(prefix="/admin/v1/anticheat", tags=["admin: anti-cheat"])
player_router = APIRouter(prefix="/v1/me", tags=["players"])
SettingsDep = Annotated[AntiCheatSettings, Depends(settings_of(AntiCheatSettings))]
EVIDENCE_SHOWN = 20
_MISSING: dict[int | str, dict[str, Any]] = {404: {"description": "no such player or coupon"}}


class AttestationOff(Conflict):
    slug = "attestation-off"


class AttestationRefused(Unprocessable):
    slug = "attestation-refused"
    commit = True  # the refused attempt stays on the player's record


def _record(r: SuspicionRecord) -> RecordRead:
    return RecordRead(at=r.at, kind=r.kind, score=r.score, evidence=r.evidence)


def _coupon(c: Coupon, language: str) -> HeldCouponRead:
    """The stored reason (English) in the moderator's language, like a problem detail."""
    return HeldCouponRead(
        code=codes.display(c.code),
        template=c.template_slug,
        reason=c.reason,
        state=c.state,
        hold_reason=localized(c.hold_reason, language),
        issued_at=c.issued_at,
        expires_at=c.expires_at,
    )


async def _read(
    session: SessionDep, risk: PlayerRisk, threshold: float, language: str
) -> PlayerRiskRead:
    player = await session.get(Player, risk.player_id)
    records = await SuspicionRepository(session).of_player(risk.player_id, EVIDENCE_SHOWN)
    return PlayerRiskRead(
        player_id=risk.player_id,
        display_name=player.display_name if player else None,
        created_at=player.created_at if player else None,
        risk=risk.risk,
        records=risk.records,
        last_at=risk.last_at,
        threshold=threshold,
        evidence=[_record(r) for r in records],
        held_coupons=[
            _coupon(c, language) for c in await moderation.held_of(session, risk.player_id)
        ],
    )


@router.get("/players")
async def players_by_risk(
    request: Request,
    _: AdminStaff,
    session: SessionDep,
    settings: SettingsDep,
    min_risk: float = Query(default=0.0, ge=0),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[PlayerRiskRead]:
    """Players with records in the last 30 days, riskiest first, with their evidence and
    their held coupons. Nothing here bans anybody: a moderator decides."""
    since = utcnow() - RISK_WINDOW
    ranked = await SuspicionRepository(session).by_risk(since, minimum=min_risk, limit=limit)
    language = request_language(request)
    return [await _read(session, r, settings.risk_hold_threshold, language) for r in ranked]


@router.get("/players/{player_id}", responses=_MISSING)
async def player_risk(
    request: Request,
    player_id: uuid.UUID,
    _: AdminStaff,
    session: SessionDep,
    settings: SettingsDep,
) -> PlayerRiskRead:
    since = utcnow() - RISK_WINDOW
    ranked = await SuspicionRepository(session).by_risk(since, minimum=0.0, limit=100_000)
    found = next((r for r in ranked if r.player_id == player_id), None)
    if found is None:
        if await session.get(Player, player_id) is None:
            raise NotFound(f"no player {player_id}")
        found = PlayerRisk(player_id, 0.0, 0, utcnow())
    return await _read(session, found, settings.risk_hold_threshold, request_language(request))


@router.post("/coupons/{code}/release", responses=_MISSING)
async def release(
    request: Request, code: str, body: DecisionRequest, staff: AdminStaff, session: SessionDep
) -> HeldCouponRead:
    """A held coupon becomes redeemable."""
    coupon = await moderation.decide(session, code, release=True, note=body.note)
    await AuditLog(AuditRepository(session)).record(
        staff.actor, "coupon.release", target=f"coupon:{coupon.id}", detail={"note": body.note}
    )
    return _coupon(coupon, request_language(request))


@router.post("/coupons/{code}/refuse", responses=_MISSING)
async def refuse(
    request: Request, code: str, body: DecisionRequest, staff: AdminStaff, session: SessionDep
) -> HeldCouponRead:
    """A held coupon is never redeemable; the player sees the note."""
    coupon = await moderation.decide(session, code, release=False, note=body.note)
    await AuditLog(AuditRepository(session)).record(
        staff.actor, "coupon.refuse", target=f"coupon:{coupon.id}", detail={"note": body.note}
    )
    return _coupon(coupon, request_language(request))


@player_router.post("/attestation")
async def attest(
    body: AttestationRequest,
    player: CurrentPlayer,
    session: SessionDep,
    settings: SettingsDep,
    backend: BackendDep,
    request: Request,
) -> AttestationRead:
    """Vouch for this device with a platform attestation token (when the operator turned
    attestation on): coupons that ask for it are then issued instead of held."""
    attestor = attestation.attestor_for(settings.attestation, settings.secret_key)
    if attestor is None:
        raise AttestationOff("device attestation is off on this server")
    verdict = await attestor.verify(player.id, body.platform, body.token)
    if not verdict.ok:
        await record(
            session, player.id, "attestation", {"platform": body.platform, "why": verdict.reason}
        )
        raise AttestationRefused(f"attestation refused: {verdict.reason}")
    await attestation.remember(backend, player.id, settings.attestation_ttl_s)
    return AttestationRead(attested=True, valid_for_s=settings.attestation_ttl_s)
