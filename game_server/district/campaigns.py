"""A coupon campaign's figures (docs/district.md): its funnel, and the footfall of its shop's
streets while it ran against the same hours' baseline (`district.figures`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle, CouponTemplate, Merchant, Street
from game_server.district.figures import (
    BASELINE_WEEKS,
    Cell,
    Funnel,
    Period,
    baseline_hours,
    footfall_cells,
    funnel,
    median,
    uplift,
)
from game_server.district.streets import StreetIndex
from rewards.models import Coupon

NEAR_SHOP_M = 80.0  # a campaign's streets: its shop's street, or streets this close


def shop_streets(bundle: Bundle, merchant: Merchant) -> list[Street]:
    """The streets of a shop: the one named as its street, else those within NEAR_SHOP_M."""
    streets = [s for s in bundle.streets if s.city == merchant.city]
    named = [
        s
        for s in streets
        if merchant.street.casefold() in (s.name.it.casefold(), s.name.en.casefold())
    ]
    if named:
        return named
    near = []
    for s in streets:
        wide = s.model_copy(update={"width_m": 2 * NEAR_SHOP_M})
        if StreetIndex([wide]).locate(merchant.lat, merchant.lon) is not None:
            near.append(s)
    return near


@dataclass
class Campaign:
    template: str
    merchant: str
    offer: dict[str, str]
    streets: list[str]
    running_from: datetime | None
    running_to: datetime | None
    funnel: Funnel
    players: int  # street player-hours while it ran (within the period)
    baseline_players: float
    uplift: float | None


async def campaign_figures(
    session: AsyncSession, bundle: Bundle, city: str, period: Period, *, now: datetime
) -> list[Campaign]:
    """Each coupon template of the comune: its funnel, and its streets' footfall while it ran
    (from its first coupon to its last expiry, within the period) against the baseline."""
    start, end = period.bounds()
    merchants = {m.slug: m for m in bundle.merchants if m.city == city}
    cells = await footfall_cells(session, city, start - timedelta(weeks=BASELINE_WEEKS), end)
    out = []
    for template in (t for t in bundle.coupons if t.city == city):
        merchant = merchants.get(template.merchant)
        streets = shop_streets(bundle, merchant) if merchant else []
        first, last = await _running(session, template, now)
        result = await funnel(
            session, city, period, now=now, template=template.slug, with_sites=False
        )
        players = 0
        base = 0.0
        if first is not None and last is not None:
            for hour in period.hours():
                if not (first - timedelta(hours=1) < hour <= last):
                    continue
                for s in streets:
                    players += cells.get((s.slug, hour), Cell()).players
                    base += median(
                        [
                            cells.get((s.slug, h), Cell()).players
                            for h in baseline_hours(hour, period.zone)
                        ]
                    )
        out.append(
            Campaign(
                template.slug,
                template.merchant,
                {"it": template.offer.it, "en": template.offer.en},
                [s.slug for s in streets],
                first,
                last,
                result,
                players,
                round(base, 1),
                uplift(players, base),
            )
        )
    return out


async def _running(
    session: AsyncSession, template: CouponTemplate, now: datetime
) -> tuple[datetime | None, datetime | None]:
    stmt = select(func.min(Coupon.issued_at), func.max(Coupon.expires_at)).where(
        Coupon.template_slug == template.slug
    )
    earliest, latest = (await session.execute(stmt)).one()
    first, last = earliest, latest
    if first is None:
        return None, None
    return first, min(now, last) if last is not None else now
