"""Play days per comune: a distinct-days badge counts the days played in its own comune

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01

`play_days` gains `city` (part of the key): the day is the comune's local day. Existing rows
become Lecce's, except the days on which the player's visits were all to another comune's
sites (a site's comune is that of the content version that published it): those move there,
and a day with visits in two comuni counts in both. A day with answers only stays Lecce's.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITY = "lecce"
ROME = ZoneInfo("Europe/Rome")  # every comune's time zone when this was written (frozen)

_play_days = sa.table(
    "play_days",
    sa.column("player_id", sa.Uuid()),
    sa.column("city", sa.String()),
    sa.column("day", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("play_days") as batch:
        batch.add_column(sa.Column("city", sa.String(64), server_default=CITY, nullable=False))
        batch.drop_constraint("pk_play_days", type_="primary")
        batch.create_primary_key("pk_play_days", ["player_id", "city", "day"])
    _days_played_elsewhere()


def _days_played_elsewhere() -> None:
    bind = op.get_bind()
    elsewhere = sa.text(
        "SELECT DISTINCT v.player_id FROM visits v"
        " JOIN pois p ON p.slug = v.poi JOIN content_versions cv ON cv.id = p.version_id"
        " WHERE cv.city <> :city"
    )
    for (player_id,) in bind.execute(elsewhere, {"city": CITY}).all():
        _redistribute(bind, player_id)


def _redistribute(bind: sa.Connection, player_id: object) -> None:
    """One player who played outside Lecce: each day with visits goes to their comuni."""
    visits = sa.text(
        "SELECT DISTINCT cv.city, v.visited_at FROM visits v"
        " JOIN pois p ON p.slug = v.poi JOIN content_versions cv ON cv.id = p.version_id"
        " WHERE v.player_id = :player"
    )
    cities: defaultdict[date, set[str]] = defaultdict(set)
    for city, visited_at in bind.execute(visits, {"player": player_id}).all():
        cities[_local_day(visited_at)].add(city)
    days = _play_days.c
    kept = bind.execute(sa.select(days.day).where(days.player_id == player_id)).scalars().all()
    for stored in kept:
        day = date.fromisoformat(stored) if isinstance(stored, str) else stored
        if day not in cities or cities[day] == {CITY}:
            continue
        bind.execute(_play_days.delete().where(days.player_id == player_id, days.day == day))
        bind.execute(
            _play_days.insert(),
            [{"player_id": player_id, "city": c, "day": day} for c in sorted(cities[day])],
        )


def _local_day(at: datetime | str) -> date:
    if isinstance(at, str):  # SQLite returns the stored text
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:  # stored as UTC without an offset
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    return at.astimezone(ROME).date()


def downgrade() -> None:
    # One row per player and day again: the comune is forgotten.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "DELETE FROM play_days WHERE EXISTS (SELECT 1 FROM play_days o"
            " WHERE o.player_id = play_days.player_id AND o.day = play_days.day"
            " AND o.city < play_days.city)"
        )
    )
    with op.batch_alter_table("play_days") as batch:
        batch.drop_constraint("pk_play_days", type_="primary")
        batch.create_primary_key("pk_play_days", ["player_id", "day"])
        batch.drop_column("city")
