"""Visits recorded ahead of the game's reaction to them (the gateway's geo events go out first)

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("reaction_pending")


def upgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.add_column(
            sa.Column("reaction_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        "ix_visits_reaction_pending",
        "visits",
        ["player_id"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_visits_reaction_pending", table_name="visits")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("reaction_pending")
