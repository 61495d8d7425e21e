"""Privacy and open data: visited sites outliving pruned visits, scheduled job runs, releases

Revision ID: 0019
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visited_sites",
        sa.Column("player_id", sa.Uuid(), nullable=False),
        sa.Column("poi", sa.String(80), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name="fk_visited_sites_player_id_players",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", "poi", name="pk_visited_sites"),
    )
    op.create_index("ix_visits_visited_at", "visits", ["visited_at"])
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(80), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_started_at", _TS, nullable=True),
        sa.Column("last_finished_at", _TS, nullable=True),
        sa.Column("last_status", sa.String(16), nullable=True),
        sa.Column("last_detail", sa.String(2000), nullable=True),
        sa.Column("claimed_fire_time", _TS, nullable=True),
        sa.PrimaryKeyConstraint("job", name="pk_job_runs"),
    )
    op.create_table(
        "opendata_releases",
        sa.Column("city", sa.String(40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("built_at", _TS, nullable=False),
        sa.Column("published_at", _TS, nullable=True),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("cap_per_site_day", sa.Integer(), nullable=False),
        sa.Column("max_sites_per_day", sa.Integer(), nullable=False),
        sa.Column("mechanism", sa.String(80), nullable=True),
        sa.Column("noise_scale", sa.Float(), nullable=True),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("city", "day", name="pk_opendata_releases"),
    )
    op.create_table(
        "opendata_cells",
        sa.Column("city", sa.String(40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("poi", sa.String(80), nullable=False),
        sa.Column("hour", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("visits", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city", "day"],
            ["opendata_releases.city", "opendata_releases.day"],
            name="fk_opendata_cells_release",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("city", "day", "poi", "hour", name="pk_opendata_cells"),
    )


def downgrade() -> None:
    op.drop_table("opendata_cells")
    op.drop_table("opendata_releases")
    op.drop_table("job_runs")
    op.drop_index("ix_visits_visited_at", table_name="visits")
    op.drop_table("visited_sites")
