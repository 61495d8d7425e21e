"""Periods in query strings and the CSV rendering of a redemption history."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from starlette.responses import Response

from content.model import TIMEZONE
from game_server.kit.csvcells import row as csv_row
from game_server.kit.errors import Unprocessable
from game_server.kit.inputs import MAX_YEAR, MIN_YEAR
from rewards.schemas import RedemptionRead

CSV_COLUMNS = [
    "redemption_id",
    "redeemed_at",
    "voided_at",
    "code",
    "template",
    "offer_it",
    "offer_en",
    "reference",
]


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime | None
    until: datetime | None

    def __str__(self) -> str:
        since = self.since.isoformat() if self.since else "start"
        until = self.until.isoformat() if self.until else "now"
        return f"{since}..{until}"


def _moment(text: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    """An ISO date (a whole day in Lecce time) or date-time (naive means Lecce time)."""
    if not text:
        return None
    zone = ZoneInfo(TIMEZONE)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                raise ValueError(name)
            day += timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise ValueError(name)
    except (ValueError, OverflowError) as exc:
        raise Unprocessable(
            f"`{name}` must be an ISO date (2026-11-22) or date-time (2026-11-22T09:30:00+01:00)"
            f" within the years {MIN_YEAR}..{MAX_YEAR}"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _period(
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Annotated[str | None, Query(max_length=40)] = None,
) -> Period:
    return Period(_moment(from_, "from", end_of_day=False), _moment(to, "to", end_of_day=True))


period: Any = Depends(_period)


def csv_response(rows: list[RedemptionRead], merchant_slug: str, when: Period) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            csv_row(
                (
                    row.id,
                    row.redeemed_at.isoformat(),
                    row.voided_at.isoformat() if row.voided_at else None,
                    row.code,
                    row.template,
                    row.offer.it,
                    row.offer.en,
                    row.reference,
                )
            )
        )
    since = when.since.date().isoformat() if when.since else "start"
    until = when.until.date().isoformat() if when.until else "now"
    filename = f"redemptions-{merchant_slug}-{since}-{until}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
