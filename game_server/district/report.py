"""The monthly monitoring pack of a comune's district: CSV files and a printable PDF report.

Built on demand (console, API, `lupiae district report --month YYYY-MM`) and by the
`district_report` job (last month's, once). The pack leaves the district role (it goes to the
Region), so the open data's rule applies to every count in it: cells under k are suppressed
(left empty, with `suppressed` true); rates and times are given only where their base is not.
The report is drawn by `district.pdf`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import Bundle
from game_server.catalog.service import Catalog
from game_server.district import figures
from game_server.district.campaigns import campaign_figures
from game_server.district.errors import BadPeriod
from game_server.district.models import DistrictReport
from game_server.district.pdf import render_pdf
from game_server.kit.csvcells import row as csv_row
from game_server.kit.db import dialect_insert
from game_server.kit.uow import unit_of_work

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_K = 10


def month_period(month: str, timezone: str) -> figures.Period:
    if not MONTH.match(month):
        raise BadPeriod(f"month must be YYYY-MM, not {month!r}")
    first = date.fromisoformat(f"{month}-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return figures.Period(first, following - timedelta(days=1), timezone)


@dataclass
class Pack:
    city: str
    month: str
    pdf: bytes
    csv_zip: bytes
    pages: int


def _k(value: float | int | None, k: int) -> Any:
    if value is None:
        return ""
    return value if value >= k else ""


async def build(
    session: AsyncSession, bundle: Bundle, city: str, month: str, *, now: datetime, k: int
) -> Pack:
    comune = bundle.city(city)
    if comune is None:
        from game_server.district.errors import UnknownDistrictItem  # noqa: PLC0415

        raise UnknownDistrictItem(f"no comune {city!r} is published")
    period = month_period(month, comune.timezone)
    foot = await figures.footfall(session, bundle, city, period)
    total = await figures.funnel(session, city, period, now=now)
    shops = []
    for m in (m for m in bundle.merchants if m.city == city):
        shops.append((m, await figures.funnel(session, city, period, now=now, merchant=m.slug)))
    campaigns = await campaign_figures(session, bundle, city, period, now=now)

    files = {
        "footfall_hourly.csv": _csv(
            [
                "local_time",
                "street",
                "players",
                "passes",
                "mean_dwell_s",
                "baseline_players",
                "suppressed",
            ],
            [
                [
                    h.local,
                    h.street,
                    _k(h.players, k),
                    _k(h.passes, k),
                    h.mean_dwell_s if h.players >= k else "",
                    _k(h.baseline_players, k),
                    str(h.players < k).lower(),
                ]
                for h in foot.hours
            ],
        ),
        "footfall_streets.csv": _csv(
            [
                "street",
                "name_it",
                "players",
                "passes",
                "mean_dwell_s",
                "baseline_players",
                "uplift",
                "suppressed",
            ],
            [
                [
                    s.slug,
                    s.name["it"],
                    _k(s.players, k),
                    _k(s.passes, k),
                    s.mean_dwell_s if s.players >= k else "",
                    _k(s.baseline_players, k),
                    s.uplift if s.players >= k and s.baseline_players >= k else "",
                    str(s.players < k).lower(),
                ]
                for s in foot.streets
            ],
        ),
        "coupons_shops.csv": _csv(
            _FUNNEL_COLUMNS,
            [[m.slug, *_funnel_row(f, k)] for m, f in shops]
            + [["(district)", *_funnel_row(total, k)]],
        ),
        "coupons_campaigns.csv": _csv(
            [
                "campaign",
                "merchant",
                "streets",
                "street_players",
                "baseline_players",
                "uplift",
                *_FUNNEL_COLUMNS[1:],
            ],
            [
                [
                    c.template,
                    c.merchant,
                    " ".join(c.streets),
                    _k(c.players, k),
                    _k(c.baseline_players, k),
                    c.uplift if c.players >= k and c.baseline_players >= k else "",
                    *_funnel_row(c.funnel, k),
                ]
                for c in campaigns
            ],
        ),
    }
    pdf, pages = render_pdf(comune.name.it, month, foot, shops, total, campaigns, k)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{city}-{month}/{name}", text)
        archive.writestr(f"{city}-{month}/report.pdf", pdf)
    return Pack(city, month, pdf, buffer.getvalue(), pages)


_FUNNEL_COLUMNS = [
    "merchant",
    "issued",
    "held",
    "redeemed",
    "voided",
    "expired",
    "open",
    "redemption_rate",
    "median_hours_to_redeem",
    "baseline_issued",
    "baseline_redeemed",
]


def _funnel_row(f: figures.Funnel, k: int) -> list[Any]:
    shown = f.issued >= k
    return [
        _k(f.issued, k),
        _k(f.held, k),
        _k(f.redeemed, k),
        _k(f.voided, k),
        _k(f.expired, k),
        _k(f.open, k),
        f.redemption_rate if shown and f.redeemed >= k else "",
        f.median_hours_to_redeem if f.redeemed >= k else "",
        _k(f.baseline_issued, k),
        _k(f.baseline_redeemed, k),
    ]


def _csv(columns: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(csv_row(row) for row in rows)  # docs/security.md: CSV injection
    return out.getvalue()


# -- storing and scheduling ---------------------------------------------------------------


async def store(session: AsyncSession, pack: Pack, now: datetime) -> None:
    values = {
        "city": pack.city,
        "month": pack.month,
        "created_at": now,
        "pdf": pack.pdf,
        "csv_zip": pack.csv_zip,
    }
    insert = dialect_insert(session, DistrictReport).values(values)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["city", "month"],
            set_={"created_at": now, "pdf": pack.pdf, "csv_zip": pack.csv_zip},
        )
    )


async def stored(session: AsyncSession, city: str, month: str) -> DistrictReport | None:
    return await session.get(DistrictReport, (city, month))


def previous_month(now: datetime) -> str:
    first = now.date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


async def build_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, k: int = DEFAULT_K
) -> dict[str, Any]:
    """Last month's pack of every comune with shopping streets, once."""
    month = previous_month(now)
    built = []
    async with unit_of_work(sessions) as session:
        loaded = await Catalog().reload(session)
        if loaded is None:
            return {"built": []}
        bundle = loaded.bundle
        for city in sorted({s.city for s in bundle.streets}):
            if await stored(session, city, month) is not None:
                continue
            pack = await build(session, bundle, city, month, now=now, k=k)
            await store(session, pack, now)
            built.append(f"{city} {month}")
    return {"built": built}
