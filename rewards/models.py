"""Merchants, their API keys, coupons, redemptions, idempotency records and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from content.model import DEFAULT_CITY
from game_server.kit.clock import utcnow
from game_server.kit.db import Base, Geometry, UTCDateTime


class Merchant(Base):
    """A shop of the district. `slug` binds it to the coupon templates of the content."""

    __tablename__ = "merchants"
    __table_args__ = (
        Index("ix_merchants_geom", "geom", postgresql_using="gist").ddl_if(dialect="postgresql"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The comune whose district the shop belongs to: it redeems only that comune's coupons.
    city: Mapped[str] = mapped_column(String(64), index=True, server_default=DEFAULT_CITY)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80))
    street: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # Deferred: the hot path (API key → merchant) never needs it.
    geom: Mapped[BaseGeometry] = mapped_column(Geometry("POINT"), deferred=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MerchantApiKey(Base):
    """Only the SHA-256 of a key is stored. A key works until `revoked_at` (which may lie in
    the future: the grace period of a rotation)."""

    __tablename__ = "merchant_api_keys"
    __table_args__ = (Index(None, "merchant_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CouponTemplateCounter(Base):
    """Coupons issued per template. Its conditional increment enforces `total_limit`, and its
    row lock serialises the issuance of one template, which makes the per-player count exact."""

    __tablename__ = "coupon_template_counters"

    template_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer, default=0)


class Coupon(Base):
    """An issued coupon. Template, merchant and offer are copied: content changes, a coupon
    stays what it was when it was issued."""

    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("player_id", "template_slug", "reason"),
        Index(None, "player_id", "template_slug"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    # Kept when the player deletes their account: the merchants' books must still add up.
    player_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("players.id", ondelete="SET NULL")
    )
    template_slug: Mapped[str] = mapped_column(String(80))
    merchant_slug: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(64), index=True, server_default=DEFAULT_CITY)
    offer_it: Mapped[str] = mapped_column(String(500))
    offer_en: Mapped[str] = mapped_column(String(500))
    terms_it: Mapped[str | None] = mapped_column(String(2000))
    terms_en: Mapped[str | None] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(String(200))
    # issued | redeemed | held (anti-cheat: until a moderator releases it) | refused
    state: Mapped[str] = mapped_column(String(16), default="issued")
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Redemption(Base):
    """A coupon spent at a merchant. At most one non-voided redemption per coupon, enforced by
    a partial unique index as well as by the conditional update of the coupon's state."""

    __tablename__ = "redemptions"
    __table_args__ = (
        Index(
            "uq_redemptions_coupon_id_active",
            "coupon_id",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
        Index(None, "merchant_id", "redeemed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    coupon_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coupons.id", ondelete="RESTRICT"))
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id", ondelete="RESTRICT"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("merchant_api_keys.id", ondelete="SET NULL")
    )
    reference: Mapped[str | None] = mapped_column(String(64))
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotencyRecord(Base):
    """One `Idempotency-Key` of one merchant: in flight (with a lease, for crashed workers)
    until the response is stored, then replayed for 24 h."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("merchant_id", "key"), Index(None, "created_at"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)


class MerchantAuditEntry(Base):
    """Append-only: every merchant action, failures included. Never updated, never deleted
    by the application."""

    __tablename__ = "merchant_audit_log"
    __table_args__ = (Index(None, "merchant_id", "at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("merchants.id", ondelete="SET NULL")
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("merchant_api_keys.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(String(80))  # "merchant", "cli", "staff:<id>"
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(40))
    redemption_id: Mapped[uuid.UUID | None]
    detail: Mapped[str | None] = mapped_column(String(500))
