"""Open-data releases and their cells. A cell, once stored, is never recomputed.

A release is one comune's day. Building it computes every cell of that day from the visit
rows once and stores it here; building it again (by the scheduler on another worker, by an
operator, after late uploads reached the visits table) returns the stored cells. So no two
releases can differ on a cell, and differencing releases reveals nothing. Only aggregates are
stored: no player id, no time finer than the hour.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.db import Base, UTCDateTime


class OpenDataRelease(Base):
    __tablename__ = "opendata_releases"

    city: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    k: Mapped[int] = mapped_column(Integer)  # cells under k are suppressed
    cap_per_site_day: Mapped[int] = mapped_column(Integer)
    max_sites_per_day: Mapped[int] = mapped_column(Integer)
    # Differential privacy: None when the release has no noise.
    mechanism: Mapped[str | None] = mapped_column(String(80))
    noise_scale: Mapped[float | None] = mapped_column(Float)
    epsilon: Mapped[float | None] = mapped_column(Float)  # the budget spent by this release
    cells: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[int] = mapped_column(Integer)


class OpenDataCell(Base):
    """Visits to one site in one local hour of the release's day."""

    __tablename__ = "opendata_cells"
    __table_args__ = (
        ForeignKeyConstraint(
            ["city", "day"],
            ["opendata_releases.city", "opendata_releases.day"],
            ondelete="CASCADE",
            name="fk_opendata_cells_release",
        ),
    )

    city: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    poi: Mapped[str] = mapped_column(String(80), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    visits: Mapped[int | None] = mapped_column(Integer)  # None when suppressed
    suppressed: Mapped[bool] = mapped_column(Boolean)
