"""Passkeys of players (WebAuthn) and the ceremony challenges already answered

Revision ID: 0020
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "player_passkeys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1024), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("transports", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name=op.f("fk_player_passkeys_player_id_players"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_player_passkeys_credential_id")),
    )
    op.create_index(
        op.f("ix_player_passkeys_player_id"), "player_passkeys", ["player_id"], unique=False
    )
    op.create_table(
        "passkey_used_challenges",
        sa.Column("challenge_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("challenge_hash", name=op.f("pk_passkey_used_challenges")),
    )
    op.create_index(
        op.f("ix_passkey_used_challenges_expires_at"),
        "passkey_used_challenges",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_passkey_used_challenges_expires_at"), table_name="passkey_used_challenges"
    )
    op.drop_table("passkey_used_challenges")
    op.drop_index(op.f("ix_player_passkeys_player_id"), table_name="player_passkeys")
    op.drop_table("player_passkeys")
