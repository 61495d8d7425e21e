"""The district's figures (docs/district.md): street footfall against its baseline and the
coupon funnel per shop (a campaign's, with its uplift in its streets: `district.campaigns`).

Everything here reads aggregates (`street_footfall`) or counts coupons and redemptions; the
answers carry counts only. `suppress` applies the open data's rule (cells under k withheld)
for anything shown outside the district role (a shop's page, the monitoring pack).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.district.models import StreetFootfall
from quests.models import Visit
from rewards.models import Coupon, Redemption
from rewards.models import Merchant as MerchantRow

BASELINE_WEEKS = 4  # the median of the same weekday and hour over the previous four weeks
LED_BY_WINDOW = timedelta(hours=3)  # a site visited this long before a redemption led to it


@dataclass
class Period:
    """Local days [start, end] of a comune, and their UTC bounds."""

    start: date
    end: date
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bounds(self) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, time(0), self.zone).astimezone(UTC)
        last = datetime.combine(self.end + timedelta(days=1), time(0), self.zone)
        return first, last.astimezone(UTC)

    def hours(self) -> list[datetime]:
        """Every UTC hour of the period (23 or 25 on a DST day)."""
        first, last = self.bounds()
        out = []
        at = first
        while at < last:
            out.append(at)
            at += timedelta(hours=1)
        return out


def baseline_hours(hour: datetime, zone: ZoneInfo, weeks: int = BASELINE_WEEKS) -> list[datetime]:
    """The same weekday and local hour in each of the previous `weeks` weeks (UTC)."""
    local = hour.astimezone(zone)
    return [
        datetime.combine(local.date() - timedelta(weeks=k), local.time(), zone).astimezone(UTC)
        for k in range(1, weeks + 1)
    ]


def median(values: list[int]) -> float:
    return float(statistics.median(values)) if values else 0.0


def uplift(actual: float, baseline: float) -> float | None:
    """Relative change against the baseline; None when there is no baseline to compare to."""
    return None if baseline <= 0 else round((actual - baseline) / baseline, 4)


@dataclass
class Cell:
    players: int = 0
    passes: int = 0
    dwell_s: int = 0


async def footfall_cells(
    session: AsyncSession, city: str, start: datetime, end: datetime
) -> dict[tuple[str, datetime], Cell]:
    stmt = select(StreetFootfall).where(
        StreetFootfall.city == city, StreetFootfall.hour >= start, StreetFootfall.hour < end
    )
    cells = {}
    for row in (await session.execute(stmt)).scalars():
        hour = row.hour if row.hour.tzinfo else row.hour.replace(tzinfo=UTC)
        cells[(row.street, hour.astimezone(UTC))] = Cell(row.players, row.passes, row.dwell_s)
    return cells


@dataclass
class StreetFigures:
    slug: str
    name: dict[str, str]
    players: int  # sum of the hourly distinct players (player-hours)
    passes: int
    mean_dwell_s: float | None
    baseline_players: float
    uplift: float | None
    busiest_hour: int | None  # local hour of the day with the most players


@dataclass
class HourFigures:
    street: str
    hour: datetime  # UTC
    local: str  # ISO local time
    players: int
    passes: int
    mean_dwell_s: float | None
    baseline_players: float


@dataclass
class Footfall:
    streets: list[StreetFigures]
    hours: list[HourFigures]
    by_hour_of_day: dict[str, list[float]]  # street -> 24 mean players per local hour
    by_hour_of_day_baseline: dict[str, list[float]]


async def footfall(
    session: AsyncSession,
    bundle: Bundle,
    city: str,
    period: Period,
    *,
    street: str | None = None,
) -> Footfall:
    """Footfall per street and hour of the period, each against its baseline."""
    streets = [s for s in bundle.streets if s.city == city and (street is None or s.slug == street)]
    start, end = period.bounds()
    cells = await footfall_cells(session, city, start - timedelta(weeks=BASELINE_WEEKS), end)
    zone = period.zone
    hours = period.hours()
    rows: list[HourFigures] = []
    figures: list[StreetFigures] = []
    by_hour: dict[str, list[float]] = {}
    by_hour_base: dict[str, list[float]] = {}
    for s in streets:
        totals = Cell()
        base_total = 0.0
        of_day: defaultdict[int, list[int]] = defaultdict(list)
        of_day_base: defaultdict[int, list[float]] = defaultdict(list)
        for hour in hours:
            cell = cells.get((s.slug, hour), Cell())
            base = median(
                [cells.get((s.slug, h), Cell()).players for h in baseline_hours(hour, zone)]
            )
            local = hour.astimezone(zone)
            totals.players += cell.players
            totals.passes += cell.passes
            totals.dwell_s += cell.dwell_s
            base_total += base
            of_day[local.hour].append(cell.players)
            of_day_base[local.hour].append(base)
            if cell.players or cell.passes or base:
                rows.append(
                    HourFigures(
                        s.slug,
                        hour,
                        local.isoformat(),
                        cell.players,
                        cell.passes,
                        mean_dwell(cell),
                        base,
                    )
                )
        busiest = max(of_day, key=lambda h: sum(of_day[h])) if totals.players else None
        figures.append(
            StreetFigures(
                s.slug,
                {"it": s.name.it, "en": s.name.en},
                totals.players,
                totals.passes,
                mean_dwell(totals),
                round(base_total, 1),
                uplift(totals.players, base_total),
                busiest,
            )
        )
        by_hour[s.slug] = [_mean(of_day.get(h, [])) for h in range(24)]
        by_hour_base[s.slug] = [_mean(of_day_base.get(h, [])) for h in range(24)]
    return Footfall(figures, rows, by_hour, by_hour_base)


def _mean(values: list[int] | list[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def mean_dwell(cell: Cell) -> float | None:
    return round(cell.dwell_s / cell.passes, 1) if cell.passes else None


# -- coupons ------------------------------------------------------------------------------


@dataclass
class Funnel:
    issued: int = 0
    held: int = 0  # held for a moderator's check (or refused by one)
    redeemed: int = 0
    voided: int = 0  # redemptions voided at the till (the coupon can be redeemed again)
    expired: int = 0  # never redeemed, past its expiry
    open: int = 0  # issued, redeemable, not yet redeemed
    redemption_rate: float | None = None
    median_hours_to_redeem: float | None = None
    mean_hours_to_redeem: float | None = None
    by_quest: dict[str, int] = field(default_factory=dict)  # redemptions per quest that issued
    by_site: dict[str, int] = field(default_factory=dict)  # redemptions per site visited before
    baseline_issued: float = 0.0
    baseline_redeemed: float = 0.0


@dataclass
class _Row:
    coupon: Coupon
    redeemed_at: datetime | None
    voids: int


async def _coupon_rows(
    session: AsyncSession, city: str, start: datetime, end: datetime, **where: str
) -> list[_Row]:
    filters = [Coupon.city == city, Coupon.issued_at >= start, Coupon.issued_at < end]
    if "merchant" in where:
        filters.append(Coupon.merchant_slug == where["merchant"])
    if "template" in where:
        filters.append(Coupon.template_slug == where["template"])
    coupons = list((await session.execute(select(Coupon).where(*filters))).scalars())
    if not coupons:
        return []
    ids = [c.id for c in coupons]
    redemptions: defaultdict[object, list[Redemption]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        stmt = select(Redemption).where(Redemption.coupon_id.in_(ids[chunk : chunk + 500]))
        for r in (await session.execute(stmt)).scalars():
            redemptions[r.coupon_id].append(r)
    rows = []
    for c in coupons:
        mine = redemptions.get(c.id, [])
        active = next((r for r in mine if r.voided_at is None), None)
        rows.append(
            _Row(
                c,
                active.redeemed_at if active is not None else None,
                sum(1 for r in mine if r.voided_at is not None),
            )
        )
    return rows


async def funnel(
    session: AsyncSession,
    city: str,
    period: Period,
    *,
    now: datetime,
    merchant: str | None = None,
    template: str | None = None,
    with_sites: bool = True,
) -> Funnel:
    """The funnel of the coupons issued in the period (a cohort): what became of them."""
    start, end = period.bounds()
    where = {k: v for k, v in (("merchant", merchant), ("template", template)) if v}
    rows = await _coupon_rows(session, city, start, end, **where)
    out = Funnel()
    hours_to_redeem = []
    for row in rows:
        c = row.coupon
        out.issued += 1
        out.voided += row.voids
        expires = c.expires_at
        if c.state in ("held", "refused"):
            out.held += 1
        elif row.redeemed_at is not None:
            out.redeemed += 1
            issued = c.issued_at
            assert issued is not None
            hours_to_redeem.append((row.redeemed_at - issued).total_seconds() / 3600)
            quest = c.reason.split(":")[1] if c.reason.startswith("quest:") else c.reason
            out.by_quest[quest] = out.by_quest.get(quest, 0) + 1
        elif expires is not None and expires <= now:
            out.expired += 1
        else:
            out.open += 1
    out.redemption_rate = round(out.redeemed / out.issued, 4) if out.issued else None
    if hours_to_redeem:
        out.median_hours_to_redeem = round(statistics.median(hours_to_redeem), 2)
        out.mean_hours_to_redeem = round(sum(hours_to_redeem) / len(hours_to_redeem), 2)
    if with_sites:
        out.by_site = await _sites_before(session, [r for r in rows if r.redeemed_at])
    out.baseline_issued, out.baseline_redeemed = await _coupon_baseline(
        session, city, period, where
    )
    return out


async def _sites_before(session: AsyncSession, rows: list[_Row]) -> dict[str, int]:
    """Per heritage site: the redemptions whose player visited it in the hours before."""
    found: Counter[str] = Counter()
    for row in rows:
        player, at = row.coupon.player_id, row.redeemed_at
        if player is None or at is None:
            continue  # the player erased their account: the books keep the coupon only
        stmt = select(Visit.poi).where(
            and_(
                Visit.player_id == player,
                Visit.visited_at >= at - LED_BY_WINDOW,
                Visit.visited_at <= at,
            )
        )
        found.update(set((await session.execute(stmt)).scalars()))
    return dict(found.most_common())


async def _coupon_baseline(
    session: AsyncSession, city: str, period: Period, where: dict[str, str]
) -> tuple[float, float]:
    """Issued and redeemed over the period's days, each day against the median of the same
    weekday in the previous weeks (summed over the period)."""
    start, _ = period.bounds()
    rows = await _coupon_rows(
        session, city, start - timedelta(weeks=BASELINE_WEEKS), start, **where
    )
    zone = period.zone
    issued: Counter[date] = Counter()
    redeemed: Counter[date] = Counter()
    for row in rows:
        issued_at = row.coupon.issued_at
        assert issued_at is not None
        issued[issued_at.astimezone(zone).date()] += 1
        if row.redeemed_at is not None:
            redeemed[row.redeemed_at.astimezone(zone).date()] += 1
    base_issued = base_redeemed = 0.0
    day = period.start
    while day <= period.end:
        weeks = [day - timedelta(weeks=k) for k in range(1, BASELINE_WEEKS + 1)]
        base_issued += median([issued[d] for d in weeks])
        base_redeemed += median([redeemed[d] for d in weeks])
        day += timedelta(days=1)
    return round(base_issued, 1), round(base_redeemed, 1)


def suppress(value: int, k: int) -> int | None:
    """The open data's rule for anything shown outside the district role: under k, withheld."""
    return value if value >= k else None


async def merchant_row(session: AsyncSession, slug: str) -> MerchantRow | None:
    return (
        await session.execute(select(MerchantRow).where(MerchantRow.slug == slug))
    ).scalar_one_or_none()
