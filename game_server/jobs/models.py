"""The last run of each scheduled job, shared by every worker (observability)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.db import Base, UTCDateTime


class JobRun(Base):
    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(80), primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(16))  # ok | failed
    last_detail: Mapped[str | None] = mapped_column(String(2000))
    # The scheduled time of the last run claimed: a conditional UPDATE on it lets one worker
    # only run each scheduled run, whatever the scheduler's store does (SQLite has no locks).
    claimed_fire_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
