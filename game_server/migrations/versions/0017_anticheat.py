"""Anti-cheat: suspicion records, held coupons, the client a player signed up from

Revision ID: 0017
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "anticheat_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "player_id",
            sa.Uuid(),
            sa.ForeignKey("players.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
    )
    op.create_index("ix_anticheat_records_player_id_at", "anticheat_records", ["player_id", "at"])
    op.create_index("ix_anticheat_records_at", "anticheat_records", ["at"])
    with op.batch_alter_table("coupons") as batch:
        batch.add_column(sa.Column("hold_reason", sa.String(200), nullable=True))
    with op.batch_alter_table("players") as batch:
        batch.add_column(sa.Column("signup_client", sa.String(64), nullable=True))
        batch.add_column(sa.Column("upgraded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("players") as batch:
        batch.drop_column("upgraded_at")
        batch.drop_column("signup_client")
    with op.batch_alter_table("coupons") as batch:
        batch.drop_column("hold_reason")
    op.drop_index("ix_anticheat_records_at", table_name="anticheat_records")
    op.drop_index("ix_anticheat_records_player_id_at", table_name="anticheat_records")
    op.drop_table("anticheat_records")
