"""Quest progress: visits, runs, step and quest completions, XP ledger, badges, play days

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _player_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["player_id"],
        ["players.id"],
        name=op.f(f"fk_{table}_player_id_players"),
        ondelete="CASCADE",
    )


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["player_id", "quest", "run_no"],
        ["quest_runs.player_id", "quest_runs.quest", "quest_runs.run_no"],
        name=f"fk_{table}_run_quest_runs",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("poi", sa.String(length=80), nullable=False),
        sa.Column("entered_ts_ms", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dwell_s", sa.Float(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        _player_fk("visits"),
        sa.PrimaryKeyConstraint("player_id", "poi", "entered_ts_ms", name=op.f("pk_visits")),
    )
    op.create_index(
        op.f("ix_visits_poi_team_id_visited_at"), "visits", ["poi", "team_id", "visited_at"]
    )
    op.create_table(
        "quest_runs",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("quest", sa.String(length=80), nullable=False),
        sa.Column("run_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        _player_fk("quest_runs"),
        sa.PrimaryKeyConstraint("player_id", "quest", "run_no", name=op.f("pk_quest_runs")),
    )
    op.create_table(
        "step_completions",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("quest", sa.String(length=80), nullable=False),
        sa.Column("run_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("step_id", sa.String(length=80), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        _run_fk("step_completions"),
        sa.PrimaryKeyConstraint(
            "player_id", "quest", "run_no", "step_id", name=op.f("pk_step_completions")
        ),
    )
    op.create_table(
        "quest_completions",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("quest", sa.String(length=80), nullable=False),
        sa.Column("run_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        _run_fk("quest_completions"),
        sa.PrimaryKeyConstraint("player_id", "quest", "run_no", name=op.f("pk_quest_completions")),
    )
    op.create_table(
        "xp_awards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("xp", sa.Integer(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        _player_fk("xp_awards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xp_awards")),
        sa.UniqueConstraint("player_id", "reason", name=op.f("uq_xp_awards_player_id_reason")),
    )
    op.create_table(
        "player_badges",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=80), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        _player_fk("player_badges"),
        sa.PrimaryKeyConstraint("player_id", "badge", name=op.f("pk_player_badges")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_player_badges_credential_id")),
    )
    op.create_table(
        "play_days",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _player_fk("play_days"),
        sa.PrimaryKeyConstraint("player_id", "day", name=op.f("pk_play_days")),
    )
    op.create_table(
        "quiz_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("quest", sa.String(length=80), nullable=False),
        sa.Column("step_id", sa.String(length=80), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        _player_fk("quiz_failures"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_failures")),
    )
    op.create_index(
        op.f("ix_quiz_failures_player_id_quest_step_id_failed_at"),
        "quiz_failures",
        ["player_id", "quest", "step_id", "failed_at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_quiz_failures_player_id_quest_step_id_failed_at"), table_name="quiz_failures"
    )
    op.drop_table("quiz_failures")
    op.drop_table("play_days")
    op.drop_table("player_badges")
    op.drop_table("xp_awards")
    op.drop_table("quest_completions")
    op.drop_table("step_completions")
    op.drop_table("quest_runs")
    op.drop_index(op.f("ix_visits_poi_team_id_visited_at"), table_name="visits")
    op.drop_table("visits")
