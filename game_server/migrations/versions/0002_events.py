"""Per-player event log and seq cursors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_cursors",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name=op.f("fk_event_cursors_player_id_players"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", name=op.f("pk_event_cursors")),
    )
    op.create_table(
        "player_events",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name=op.f("fk_player_events_player_id_players"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", "seq", name=op.f("pk_player_events")),
    )
    op.create_index(
        op.f("ix_player_events_created_at"), "player_events", ["created_at"], unique=False
    )
    op.execute("INSERT INTO event_cursors (player_id, last_seq) SELECT id, 0 FROM players")


def downgrade() -> None:
    op.drop_index(op.f("ix_player_events_created_at"), table_name="player_events")
    op.drop_table("player_events")
    op.drop_table("event_cursors")
