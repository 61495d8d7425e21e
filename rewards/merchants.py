"""Onboarding merchants and managing their API keys. Never commits: the unit of work does."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from shapely.geometry import Point, Polygon

from content.model import DEFAULT_CITY, Bundle
from game_server.kit.clock import utcnow
from rewards.exceptions import MerchantExists, NoDistrict, OutsideDistrict, UnknownMerchant
from rewards.models import Merchant, MerchantApiKey, MerchantAuditEntry
from rewards.repository import MerchantRepository, Shop

KEY_PREFIX = "lpm_"  # recognisable in logs and by secret scanners


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(raw: str) -> str:
    # 256 random bits need no slow hash: nobody can guess their way to a preimage.
    return hashlib.sha256(raw.encode()).hexdigest()


def district_of(bundle: Bundle | None, city: str = DEFAULT_CITY) -> Polygon | None:
    """The commercial district of comune `city` in the content."""
    area = bundle.area_by_role("district", city) if bundle else None
    return Polygon(area.polygon) if area else None


def comune_of(bundle: Bundle | None, slug: str, lat: float, lon: float) -> str:
    """The comune a shop belongs to: the one whose content lists it, else the one whose
    territory (bounding box) holds it, else Lecce."""
    if bundle is None:
        return DEFAULT_CITY
    listed = next((m.city for m in bundle.merchants if m.slug == slug), None)
    if listed is not None:
        return listed
    return next((c.slug for c in bundle.cities if c.contains(lat, lon)), DEFAULT_CITY)


@dataclass(frozen=True, slots=True)
class MerchantSpec:
    slug: str
    name: str
    category: str
    street: str
    lat: float
    lon: float
    demo: bool = False
    city: str = DEFAULT_CITY  # the comune whose district the shop is in


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: str  # shown once, never stored
    key_id: uuid.UUID
    prefix: str


class MerchantService:
    def __init__(self, repository: MerchantRepository, *, actor: str) -> None:
        self.merchants = repository
        self.actor = actor

    async def create(
        self, spec: MerchantSpec, district: Polygon | None
    ) -> tuple[Merchant, IssuedKey]:
        """A new merchant of comune `spec.city` inside its district, with its first API key."""
        if district is None:
            raise NoDistrict(
                f"no district is known for comune {spec.city!r}: "
                "publish its content with a `district` area first"
            )
        if not district.covers(Point(spec.lon, spec.lat)):
            raise OutsideDistrict(
                f"({spec.lat}, {spec.lon}) lies outside the commercial district of {spec.city}",
                lat=spec.lat,
                lon=spec.lon,
            )
        if await self.merchants.by_slug(spec.slug) is not None:
            raise MerchantExists(f"a merchant `{spec.slug}` already exists")
        merchant = await self.merchants.add(
            Merchant(
                id=uuid.uuid4(),
                slug=spec.slug,
                city=spec.city,
                name=spec.name,
                category=spec.category,
                street=spec.street,
                lat=spec.lat,
                lon=spec.lon,
                geom=Point(spec.lon, spec.lat),
                demo=spec.demo,
                created_at=utcnow(),
            )
        )
        key = await self._issue_key(merchant.id)
        await self._audit(merchant.id, key.key_id, "merchant.create", 201)
        return merchant, key

    async def get(self, slug: str) -> Merchant:
        merchant = await self.merchants.by_slug(slug)
        if merchant is None:
            raise UnknownMerchant(f"no merchant `{slug}`")
        return merchant

    async def rotate_key(
        self, merchant: Merchant | Shop, *, grace_s: int = 0, by_key: uuid.UUID | None = None
    ) -> IssuedKey:
        """A new key; every other key stops working after `grace_s` seconds."""
        now = utcnow()
        key = await self._issue_key(merchant.id)
        await self.merchants.revoke_keys(
            merchant.id, now + timedelta(seconds=grace_s), except_id=key.key_id
        )
        await self._audit(merchant.id, by_key, "key.rotate", 201, detail=f"grace_s={grace_s}")
        return key

    async def revoke_keys(self, merchant: Merchant) -> int:
        revoked = await self.merchants.revoke_keys(merchant.id, utcnow())
        await self._audit(merchant.id, None, "key.revoke", 200, detail=f"revoked={revoked}")
        return revoked

    async def _issue_key(self, merchant_id: uuid.UUID) -> IssuedKey:
        raw = new_api_key()
        key = MerchantApiKey(
            id=uuid.uuid4(),
            merchant_id=merchant_id,
            key_hash=hash_api_key(raw),
            prefix=raw[:12],
            created_at=utcnow(),
        )
        await self.merchants.add_key(key)
        return IssuedKey(api_key=raw, key_id=key.id, prefix=key.prefix)

    async def _audit(
        self,
        merchant_id: uuid.UUID,
        key_id: uuid.UUID | None,
        action: str,
        status: int,
        *,
        detail: str | None = None,
    ) -> None:
        await self.merchants.audit(
            MerchantAuditEntry(
                at=utcnow(),
                merchant_id=merchant_id,
                api_key_id=key_id,
                actor=self.actor,
                action=action,
                status=status,
                detail=detail,
            )
        )
