"""API models of the merchant, player and admin endpoints (read and write models apart)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from game_server.kit.inputs import Name


class Offer(BaseModel):
    it: str
    en: str


class MerchantRef(BaseModel):
    slug: str
    name: str


# --- merchant API ---------------------------------------------------------------------------


class CouponCheck(BaseModel):
    """What a till needs to decide, before redeeming."""

    code: str
    redeemable: bool
    state: Literal["redeemable", "redeemed", "expired", "held", "refused"]
    template: str
    offer: Offer
    terms: Offer | None
    issued_at: datetime
    expires_at: datetime | None
    redeemed_at: datetime | None = None
    redemption_id: uuid.UUID | None = None


class RedemptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Name = Field(min_length=1, max_length=40, description="as typed or scanned; any case")
    reference: Name | None = Field(
        default=None, max_length=64, description="your receipt or sale number, kept for you"
    )


class RedemptionRead(BaseModel):
    id: uuid.UUID
    code: str
    template: str
    offer: Offer
    merchant: MerchantRef
    reference: str | None
    redeemed_at: datetime
    voided_at: datetime | None
    void_until: datetime = Field(description="voidable until then, unless already voided")


class RedemptionPage(BaseModel):
    items: list[RedemptionRead]
    next_offset: int | None = Field(description="pass as `offset` for the next page")


class TemplateTotal(BaseModel):
    template: str
    offer: Offer
    redeemed: int
    voided: int


class Totals(BaseModel):
    merchant: MerchantRef
    from_: datetime | None = Field(alias="from", serialization_alias="from")
    to: datetime | None
    redeemed: int
    voided: int
    by_template: list[TemplateTotal]

    model_config = ConfigDict(populate_by_name=True)


class KeyIssued(BaseModel):
    api_key: str = Field(description="shown once: store it now, it cannot be read again")
    key_id: uuid.UUID
    prefix: str
    others_revoked_at: datetime | None = None


# --- player API -----------------------------------------------------------------------------


class QrRead(BaseModel):
    payload: str = Field(description="signed: LUP1.<code>.<merchant>.<expiry>.<signature>")
    svg_url: str
    png_url: str
    svg_data_uri: str | None = None


class PlayerCoupon(BaseModel):
    code: str
    template: str
    offer: Offer
    terms: Offer | None
    merchant: MerchantRef
    state: Literal["active", "redeemed", "expired", "held", "refused"]
    hold_reason: str | None = Field(
        default=None,
        description="Why the coupon is held or was refused, in the API's language "
        "(`?lang=`, Accept-Language; docs/anti-cheat.md)",
    )
    issued_at: datetime
    expires_at: datetime | None
    qr: QrRead


# --- admin API ------------------------------------------------------------------------------


class MerchantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,79}$")
    name: Name = Field(min_length=1, max_length=200)
    category: Name = Field(min_length=1, max_length=80)
    street: Name = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    demo: bool = False
    city: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
        max_length=64,
        description="the shop's comune (default: the one whose content lists it or whose "
        "territory holds it)",
    )


class MerchantRead(BaseModel):
    slug: str
    name: str
    category: str
    street: str
    lat: float
    lon: float
    demo: bool
    created_at: datetime
    city: str = "lecce"


class MerchantCreated(BaseModel):
    merchant: MerchantRead
    api_key: str = Field(description="shown once: store it now, it cannot be read again")
    key_id: uuid.UUID


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_s: int = Field(default=0, ge=0, le=7 * 86_400, description="old keys work this long")
