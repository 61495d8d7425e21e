"""Several comuni: content versions, merchants, coupons, staff grants and the audit log per comune

Everything that existed before belongs to comune `lecce`: its content versions (their stored
bundles gain Lecce's descriptor and every item its `city`, their hashes are recomputed), its
merchants and coupons, and every staff account keeps its role as a grant on Lecce. Audit
entries written before comuni existed keep no comune (the log is append-only).

This revision also joins the domain branches into one head.

Revision ID: 0008
Revises: 0005, 0006, 0017, 0019, 0020, 0023, 0024
Create Date: 2026-11-30
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: tuple[str, ...] | None = (
    "0005",
    "0006",
    "0017",
    "0019",
    "0020",
    "0023",
    "0024",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITY = "lecce"
# Lecce as content/lecce/city.yaml described it when this migration was written.
LECCE: dict[str, Any] = {
    "slug": "lecce",
    "name": {"it": "Lecce", "en": "Lecce"},
    "ipa_code": "c_e506",
    "publisher": {"it": "Comune di Lecce", "en": "Municipality of Lecce"},
    "timezone": "Europe/Rome",
    "bbox": [18.02, 40.22, 18.4, 40.47],
    "demo": False,
    "website": "https://www.comune.lecce.it",
}
KINDS = ("areas", "pois", "quests", "badges", "coupons", "merchants")
_versions = sa.table(
    "content_versions",
    sa.column("id", sa.Integer()),
    sa.column("content_hash", sa.String()),
    sa.column("bundle_json", sa.LargeBinary()),
)


def upgrade() -> None:
    _content_versions()
    for table in ("merchants", "coupons"):
        op.add_column(table, sa.Column("city", sa.String(64), server_default=CITY, nullable=False))
        op.create_index(op.f(f"ix_{table}_city"), table, ["city"])
    op.add_column("audit_log", sa.Column("city", sa.String(64), nullable=True))
    op.create_index(op.f("ix_audit_log_city_at"), "audit_log", ["city", "at"])
    _staff_grants()


def _content_versions() -> None:
    with op.batch_alter_table("content_versions") as batch:
        batch.add_column(sa.Column("city", sa.String(64), server_default=CITY, nullable=False))
        batch.drop_constraint("uq_content_versions_content_hash", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_content_versions_city_content_hash"), ["city", "content_hash"]
        )
        batch.create_index(op.f("ix_content_versions_city_activated_at"), ["city", "activated_at"])
    bind = op.get_bind()
    rows = bind.execute(sa.select(_versions.c.id, _versions.c.bundle_json)).all()
    for version_id, raw in rows:
        bundle_json = _in_lecce(bytes(raw))
        digest = hashlib.sha256(bundle_json).hexdigest()
        bind.execute(
            _versions.update()
            .where(_versions.c.id == version_id)
            .values(bundle_json=bundle_json, content_hash=digest)
        )


def _in_lecce(raw: bytes) -> bytes:
    """A stored bundle as this release writes it: Lecce's descriptor, each item's comune."""
    bundle = json.loads(raw)
    bundle["cities"] = [LECCE]
    for kind in KINDS:
        for item in bundle.get(kind, []):
            item["city"] = CITY
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _staff_grants() -> None:
    op.create_table(
        "staff_grants",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('curator', 'admin')", name=op.f("ck_staff_grants_role_known")),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_grants_staff_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "city", name=op.f("pk_staff_grants")),
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO staff_grants (staff_id, city, role, granted_at) "
            "SELECT id, :city, role, created_at FROM staff_accounts"
        ),
        {"city": CITY},
    )


def downgrade() -> None:
    op.drop_table("staff_grants")
    op.drop_index(op.f("ix_audit_log_city_at"), table_name="audit_log")
    op.drop_column("audit_log", "city")
    for table in ("coupons", "merchants"):
        op.drop_index(op.f(f"ix_{table}_city"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("city")
    op.get_bind().execute(
        sa.text("DELETE FROM content_versions WHERE city <> :city"), {"city": CITY}
    )
    with op.batch_alter_table("content_versions") as batch:
        batch.drop_index(op.f("ix_content_versions_city_activated_at"))
        batch.drop_constraint(op.f("uq_content_versions_city_content_hash"), type_="unique")
        batch.create_unique_constraint("uq_content_versions_content_hash", ["content_hash"])
        batch.drop_column("city")
