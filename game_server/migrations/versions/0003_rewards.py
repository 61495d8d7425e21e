"""Rewards: merchants and their API keys, coupons, redemptions, idempotency, audit log

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import game_server.kit.db

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_postgresql() -> bool:
    # GiST indexes exist only on PostGIS; SQLite keeps geometry as plain WKB.
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "coupon_template_counters",
        sa.Column("template_slug", sa.String(length=80), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("template_slug", name=op.f("pk_coupon_template_counters")),
    )
    op.create_table(
        "merchants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("geom", game_server.kit.db.Geometry("POINT"), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
        sa.UniqueConstraint("slug", name=op.f("uq_merchants_slug")),
    )
    if _is_postgresql():
        op.create_index(
            "ix_merchants_geom", "merchants", ["geom"], unique=False, postgresql_using="gist"
        )
    op.create_table(
        "coupons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("player_id", sa.Uuid(), nullable=True),
        sa.Column("template_slug", sa.String(length=80), nullable=False),
        sa.Column("merchant_slug", sa.String(length=80), nullable=False),
        sa.Column("offer_it", sa.String(length=500), nullable=False),
        sa.Column("offer_en", sa.String(length=500), nullable=False),
        sa.Column("terms_it", sa.String(length=2000), nullable=True),
        sa.Column("terms_en", sa.String(length=2000), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name=op.f("fk_coupons_player_id_players"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
        sa.UniqueConstraint(
            "player_id",
            "template_slug",
            "reason",
            name=op.f("uq_coupons_player_id_template_slug_reason"),
        ),
    )
    op.create_index(
        op.f("ix_coupons_player_id_template_slug"),
        "coupons",
        ["player_id", "template_slug"],
        unique=False,
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_idempotency_records_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "merchant_id", "key", name=op.f("uq_idempotency_records_merchant_id_key")
        ),
    )
    op.create_index(
        op.f("ix_idempotency_records_created_at"),
        "idempotency_records",
        ["created_at"],
        unique=False,
    )
    op.create_table(
        "merchant_api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_merchant_api_keys_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_merchant_api_keys_key_hash")),
    )
    op.create_index(
        op.f("ix_merchant_api_keys_merchant_id"), "merchant_api_keys", ["merchant_id"], unique=False
    )
    op.create_table(
        "merchant_audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("redemption_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["merchant_api_keys.id"],
            name=op.f("fk_merchant_audit_log_api_key_id_merchant_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_merchant_audit_log_merchant_id_merchants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_audit_log")),
    )
    op.create_index(
        op.f("ix_merchant_audit_log_merchant_id_at"),
        "merchant_audit_log",
        ["merchant_id", "at"],
        unique=False,
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["merchant_api_keys.id"],
            name=op.f("fk_redemptions_api_key_id_merchant_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_redemptions_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_redemptions_merchant_id_merchants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
    )
    op.create_index(
        op.f("ix_redemptions_merchant_id_redeemed_at"),
        "redemptions",
        ["merchant_id", "redeemed_at"],
        unique=False,
    )
    op.create_index(
        "uq_redemptions_coupon_id_active",
        "redemptions",
        ["coupon_id"],
        unique=True,
        sqlite_where=sa.text("voided_at IS NULL"),
        postgresql_where=sa.text("voided_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_redemptions_coupon_id_active",
        table_name="redemptions",
        sqlite_where=sa.text("voided_at IS NULL"),
        postgresql_where=sa.text("voided_at IS NULL"),
    )
    op.drop_index(op.f("ix_redemptions_merchant_id_redeemed_at"), table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_index(op.f("ix_merchant_audit_log_merchant_id_at"), table_name="merchant_audit_log")
    op.drop_table("merchant_audit_log")
    op.drop_index(op.f("ix_merchant_api_keys_merchant_id"), table_name="merchant_api_keys")
    op.drop_table("merchant_api_keys")
    op.drop_index(op.f("ix_idempotency_records_created_at"), table_name="idempotency_records")
    op.drop_table("idempotency_records")
    op.drop_index(op.f("ix_coupons_player_id_template_slug"), table_name="coupons")
    op.drop_table("coupons")
    if _is_postgresql():
        op.drop_index("ix_merchants_geom", table_name="merchants", postgresql_using="gist")
    op.drop_table("merchants")
    op.drop_table("coupon_template_counters")
