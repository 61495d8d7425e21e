"""Merchant onboarding and key management for staff (`/admin/v1/merchants`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Query, Request

from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep
from game_server.staff.auth import AdminStaff
from game_server.staff.roles import Role
from rewards.content import active_bundle
from rewards.merchants import MerchantService, MerchantSpec, comune_of, district_of
from rewards.models import Merchant
from rewards.repository import MerchantRepository
from rewards.schemas import KeyIssued, KeyRotate, MerchantCreate, MerchantCreated, MerchantRead

router = APIRouter(prefix="/admin/v1/merchants", tags=["admin"])

STAFF_TOKEN_TYPE = "staff"  # noqa: S105 - a token type, not a secret


def _staff_actor(staff: AdminStaff) -> str:
    """Merchants are managed by admins (see the role matrix in game_server.staff)."""
    return staff.name


StaffActor = Annotated[str, Depends(_staff_actor)]


def _read(merchant: Merchant) -> MerchantRead:
    return MerchantRead(
        slug=merchant.slug,
        name=merchant.name,
        category=merchant.category,
        street=merchant.street,
        lat=merchant.lat,
        lon=merchant.lon,
        demo=merchant.demo,
        city=merchant.city,
        created_at=merchant.created_at,
    )


@router.post("", status_code=201)
async def create_merchant(
    body: MerchantCreate, request: Request, staff: AdminStaff, session: SessionDep
) -> MerchantCreated:
    """Onboard a shop inside the district of its comune (`city`; by default the comune whose
    content lists it or whose territory holds it); its API key is shown once. Needs the admin
    role on that comune."""
    bundle = active_bundle(request.app.state)
    city = body.city or comune_of(bundle, body.slug, body.lat, body.lon)
    staff.require_city(city, Role.ADMIN)
    service = MerchantService(MerchantRepository(session), actor=staff.name)
    spec = MerchantSpec(**body.model_dump(exclude={"city"}), city=city)
    merchant, key = await service.create(spec, district_of(bundle, city))
    return MerchantCreated(merchant=_read(merchant), api_key=key.api_key, key_id=key.key_id)


@router.get("")
async def list_merchants(_: StaffActor, session: SessionDep) -> list[MerchantRead]:
    return [_read(m) for m in await MerchantRepository(session).all()]


@router.get("/{slug}")
async def get_merchant(slug: str, actor: StaffActor, session: SessionDep) -> MerchantRead:
    return _read(await MerchantService(MerchantRepository(session), actor=actor).get(slug))


@router.post("/{slug}/keys/rotate", status_code=201)
async def rotate_key(
    slug: str, actor: StaffActor, session: SessionDep, body: KeyRotate | None = None
) -> KeyIssued:
    """A new key; the merchant's other keys stop working after `grace_s` seconds."""
    service = MerchantService(MerchantRepository(session), actor=actor)
    grace_s = body.grace_s if body else 0
    issued = await service.rotate_key(await service.get(slug), grace_s=grace_s)
    return KeyIssued(api_key=issued.api_key, key_id=issued.key_id, prefix=issued.prefix)


@router.post("/{slug}/keys/revoke")
async def revoke_keys(slug: str, actor: StaffActor, session: SessionDep) -> dict[str, int]:
    """Revoke every key of the merchant at once (a stolen till, a closed shop)."""
    service = MerchantService(MerchantRepository(session), actor=actor)
    return {"revoked": await service.revoke_keys(await service.get(slug))}


@router.get("/{slug}/audit")
async def audit_log(
    slug: str,
    actor: StaffActor,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest entries of the merchant's audit log."""
    merchant = await MerchantService(MerchantRepository(session), actor=actor).get(slug)
    entries = await MerchantRepository(session).audit_of(merchant.id, limit)
    return [
        {
            "at": _iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "status": e.status,
            "code": e.code,
            "redemption_id": str(e.redemption_id) if e.redemption_id else None,
            "detail": e.detail,
        }
        for e in entries
    ]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def issue_staff_token(secret: str, *, subject: str, role: str, ttl_s: int = 900) -> str:
    """A staff token as this router expects it (used by tests until staff accounts exist)."""
    now = int(utcnow().timestamp())
    claims = {"sub": subject, "typ": STAFF_TOKEN_TYPE, "role": role, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm="HS256")
