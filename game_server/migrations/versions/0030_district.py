"""Town Centre Management: street footfall per hour, monthly packs, the district role

Revision ID: 0030
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "role IN ('curator', 'admin')"
AFTER = "role IN ('curator', 'admin', 'district')"


def _roles(check: str) -> None:
    for table in ("staff_accounts", "staff_grants"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_role_known"), type_="check")
            batch.create_check_constraint(op.f(f"ck_{table}_role_known"), check)


def upgrade() -> None:
    op.create_table(
        "street_footfall",
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("street", sa.String(length=80), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("players", sa.Integer(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.Column("dwell_s", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("city", "street", "hour", name=op.f("pk_street_footfall")),
    )
    op.create_table(
        "district_reports",
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("csv_zip", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("city", "month", name=op.f("pk_district_reports")),
    )
    _roles(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM staff_grants WHERE role = 'district'")
    op.execute(
        "UPDATE staff_accounts SET disabled_at = CURRENT_TIMESTAMP, role = 'curator' "
        "WHERE role = 'district'"
    )
    _roles(BEFORE)
    op.drop_table("district_reports")
    op.drop_table("street_footfall")
