"""What the district keeps: street footfall per hour (counts only) and the monthly packs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base


class StreetFootfall(Base):
    """One street in one UTC hour: distinct players (HyperLogLog estimate), passes and their
    total dwell. No player id, no time finer than the hour."""

    __tablename__ = "street_footfall"

    city: Mapped[str] = mapped_column(String(64), primary_key=True)
    street: Mapped[str] = mapped_column(String(80), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    players: Mapped[int] = mapped_column(Integer)
    passes: Mapped[int] = mapped_column(Integer)
    dwell_s: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DistrictReport(Base):
    """A comune's monthly monitoring pack: the printable report and the CSV files (a zip)."""

    __tablename__ = "district_reports"

    city: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    csv_zip: Mapped[bytes] = mapped_column(LargeBinary)
