"""A visit's event is stored once per presence: `player_events.presence`, unique per player

Revision ID: 0023
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYED = sa.text("presence IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("player_events") as batch:
        batch.add_column(sa.Column("presence", sa.String(length=100), nullable=True))
    op.create_index(
        "uq_player_events_presence",
        "player_events",
        ["player_id", "presence"],
        unique=True,
        postgresql_where=_KEYED,
        sqlite_where=_KEYED,
    )


def downgrade() -> None:
    op.drop_index("uq_player_events_presence", table_name="player_events")
    with op.batch_alter_table("player_events") as batch:
        batch.drop_column("presence")
