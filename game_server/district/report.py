"""The monthly monitoring pack of a comune's district: CSV files and a printable PDF report.

Built on demand (console, API, `lupiae district report --month YYYY-MM`) and by the
`district_report` job (last month's, once). The pack leaves the district role (it goes to the
Region), so the open data's rule applies to every count in it: cells under k are suppressed
(left empty, with `suppressed` true); rates and times are given only where their base is not.
Charts are drawn with matplotlib (Agg, no display) and laid out with fpdf2.
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
from game_server.district.errors import BadPeriod
from game_server.district.models import DistrictReport
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
    campaigns = await figures.campaigns(session, bundle, city, period, now=now)

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
    pdf, pages = _pdf(comune.name.it, month, foot, shops, total, campaigns, k)
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


# -- the PDF ------------------------------------------------------------------------------


def _latin(text: str) -> str:
    """The core PDF fonts speak Latin-1: Italian accents pass, other marks are replaced."""
    return text.replace("—", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(figure)
    return buffer.getvalue()


def _charts(
    foot: figures.Footfall,
    shops: list[tuple[Any, figures.Funnel]],
    campaigns: list[figures.Campaign],
    k: int,
) -> list[tuple[str, bytes]]:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    charts = []
    names = [s.name["it"] for s in foot.streets]
    players = [s.players if s.players >= k else 0 for s in foot.streets]
    base = [s.baseline_players if s.baseline_players >= k else 0 for s in foot.streets]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], players, height=0.4, label="mese / month", color="#b5532b")
    ax.barh([i - 0.2 for i in y], base, height=0.4, label="base / baseline", color="#9aa5b1")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.set_xlabel("giocatori-ora / player-hours")
    ax.legend(fontsize=8)
    charts.append(("Passaggi per via / Footfall per street (base: mediana 4 settimane)", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.6))
    for s in foot.streets:
        series = foot.by_hour_of_day.get(s.slug, [0.0] * 24)
        ax.plot(range(24), series, label=s.name["it"], linewidth=1.4)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("ora / hour")
    ax.set_ylabel("giocatori medi / mean players")
    ax.legend(fontsize=7, ncol=2)
    charts.append(("Giocatori per ora del giorno / Players per hour of day", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.6))
    labels = [m.name for m, _ in shops]
    stages = (
        ("issued", "emessi", "#9aa5b1"),
        ("redeemed", "riscattati", "#2f7d4f"),
        ("voided", "annullati", "#d9a400"),
        ("expired", "scaduti", "#b5532b"),
    )
    width = 0.2
    for n, (key, label, color) in enumerate(stages):
        values = [getattr(f, key) if getattr(f, key) >= k else 0 for _, f in shops]
        ax.bar(
            [i + (n - 1.5) * width for i in range(len(labels))],
            values,
            width,
            label=label,
            color=color,
        )
    ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=15)
    ax.legend(fontsize=8)
    charts.append(("Buoni per esercizio / Coupon funnel per shop", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.2))
    slugs = [c.template for c in campaigns]
    lifts = [
        (c.uplift or 0.0) * 100 if c.players >= k and c.baseline_players >= k else 0.0
        for c in campaigns
    ]
    ax.bar(slugs, lifts, color=["#2f7d4f" if v >= 0 else "#b5532b" for v in lifts])
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_ylabel("% sulla base / vs baseline")
    ax.tick_params(axis="x", labelsize=7, rotation=15)
    charts.append(
        ("Variazione nelle vie delle campagne / Campaign uplift in its streets", _png(fig))
    )
    return charts


def _pdf(
    comune: str,
    month: str,
    foot: figures.Footfall,
    shops: list[tuple[Any, figures.Funnel]],
    total: figures.Funnel,
    campaigns: list[figures.Campaign],
    k: int,
) -> tuple[bytes, int]:
    from fpdf import FPDF  # noqa: PLC0415

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Distretto Urbano del Commercio - {comune} - {month}")
    pdf.set_creator("Lupiae")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0, 8, _latin(f"Distretto Urbano del Commercio di {comune}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(
        0,
        7,
        _latin(f"Rapporto di monitoraggio / Monitoring report - {month}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _latin(
            "Cifre aggregate dal gioco Lupiae: passaggi nelle vie commerciali (giocatori "
            "distinti per via e ora, HyperLogLog, errore 0,81 %), buoni emessi e riscattati. "
            "Base: mediana dello stesso giorno e ora nelle 4 settimane precedenti. Celle sotto "
            f"k = {k} soppresse (vuote), come nei dati aperti. Significato ed errore di ogni "
            "cifra: docs/district.md. / Aggregates from the Lupiae game; cells under k "
            "suppressed, as in the open data."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    rows: list[tuple[str, ...]] = [
        ("Via / street", "giocatori-ora", "base", "variazione", "sosta media s")
    ]
    for s in foot.streets:
        shown = s.players >= k
        rows.append(
            (
                s.name["it"],
                str(s.players) if shown else "<k",
                f"{s.baseline_players:g}" if s.baseline_players >= k else "<k",
                f"{s.uplift * 100:+.0f} %"
                if shown and s.uplift is not None and s.baseline_players >= k
                else "-",
                f"{s.mean_dwell_s:.0f}" if shown and s.mean_dwell_s is not None else "-",
            )
        )
    _table(pdf, rows, (70, 30, 25, 30, 30))
    pdf.ln(3)
    rows = [("Esercizio / shop", "emessi", "riscattati", "annullati", "scaduti", "tasso")]
    for m, f in [*shops, (None, total)]:
        name = str(m.name) if m is not None else "Distretto / district"
        rows.append(
            (
                name,
                *(str(v) if v >= k else "<k" for v in (f.issued, f.redeemed, f.voided, f.expired)),
                f"{f.redemption_rate * 100:.0f} %"
                if f.redemption_rate is not None and f.redeemed >= k
                else "-",
            )
        )
    _table(pdf, rows, (70, 22, 24, 24, 22, 22))
    for title, png in _charts(foot, shops, campaigns, k):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _latin(title), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(png), w=180)
    return bytes(pdf.output()), pdf.page_no()


def _table(pdf: Any, rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    for n, row in enumerate(rows):
        pdf.set_font("Helvetica", "B" if n == 0 else "", 8)
        for text, width in zip(row, widths, strict=False):
            pdf.cell(width, 6, _latin(text)[:48], border=1)
        pdf.ln(6)


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
