"""HTTP routes of the district (docs/district.md).

`/admin/v1/district/{city}/…`: the district manager's figures (role `district` on that
comune, or an admin). `/merchant/v1/figures`: a shop's own figures, with its API key; a key
only ever reads its own shop.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from content.model import Bundle
from game_server.district import figures, report
from game_server.district.campaigns import campaign_figures, shop_streets
from game_server.district.errors import BadPeriod, UnknownDistrictItem
from game_server.district.models import DistrictReport
from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep, settings_of
from game_server.kit.uow import make_durable
from game_server.opendata.settings import OpenDataSettings
from game_server.staff.auth import Requires, StaffPrincipal
from game_server.staff.roles import Role
from rewards.auth import MerchantKey

MAX_DAYS = 93
# The district publishes its figures under open data's k (LUPIAE_OPENDATA_K).
SettingsDep = Annotated[OpenDataSettings, Depends(settings_of(OpenDataSettings))]
DistrictStaff = Annotated[StaffPrincipal, Depends(Requires(Role.DISTRICT))]

router = APIRouter(prefix="/admin/v1/district", tags=["district"])
merchant_router = APIRouter(prefix="/merchant/v1", tags=["merchant"])

From = Annotated[str | None, Query(alias="from", description="first local day, YYYY-MM-DD")]
To = Annotated[str | None, Query(alias="to", description="last local day, YYYY-MM-DD")]


def _bundle(request: Request) -> Bundle:
    loaded = request.app.state.catalog.require()
    bundle: Bundle = loaded.bundle
    return bundle


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadPeriod(f"`{name}` must be a date as YYYY-MM-DD, not {text!r}") from None


def period_of(bundle: Bundle, city: str, start: str | None, end: str | None) -> figures.Period:
    comune = bundle.city(city)
    if comune is None:
        raise UnknownDistrictItem(f"no comune {city!r} is published")
    zone = ZoneInfo(comune.timezone)
    today = utcnow().astimezone(zone).date()
    last = _day(end, "to") if end else today
    first = _day(start, "from") if start else last - timedelta(days=6)
    if first > last:
        raise BadPeriod("`from` must not be after `to`")
    if (last - first).days >= MAX_DAYS:
        raise BadPeriod(f"a period spans at most {MAX_DAYS} days")
    return figures.Period(first, last, comune.timezone)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a district figure is asked for: the comune, its published content, the period."""

    city: str
    bundle: Bundle
    period: figures.Period


def _scope(
    city: str, staff: DistrictStaff, request: Request, start: From = None, end: To = None
) -> Scope:
    """The caller holds the district role on `city` (or is an admin); the period is valid."""
    staff.require_city(city, Role.DISTRICT)
    bundle = _bundle(request)
    return Scope(city, bundle, period_of(bundle, city, start, end))


DistrictScope = Annotated[Scope, Depends(_scope)]


@router.get("/{city}/streets")
async def streets(
    scope: DistrictScope,
    session: SessionDep,
) -> dict[str, Any]:
    """The comune's shopping streets as GeoJSON, each with its footfall over the period (for
    the map, coloured by footfall)."""
    city, bundle, period = scope.city, scope.bundle, scope.period
    found = await figures.footfall(session, bundle, city, period)
    by_slug = {s.slug: s for s in found.streets}
    features = []
    for street in (s for s in bundle.streets if s.city == city):
        got = by_slug[street.slug]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in street.line]},
                "properties": {
                    "slug": street.slug,
                    "name": got.name,
                    "width_m": street.width_m,
                    "players": got.players,
                    "baseline_players": got.baseline_players,
                    "uplift": got.uplift,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/{city}/footfall")
async def footfall(
    scope: DistrictScope,
    session: SessionDep,
    street: Annotated[str | None, Query(description="one street's slug")] = None,
) -> dict[str, Any]:
    """Footfall per street and hour (distinct players, passes, mean dwell) against the median
    of the same weekday and hour over the previous four weeks."""
    city, bundle, period = scope.city, scope.bundle, scope.period
    if street is not None and not any(s.slug == street and s.city == city for s in bundle.streets):
        raise UnknownDistrictItem(f"comune {city!r} has no street {street!r}")
    found = await figures.footfall(session, bundle, city, period, street=street)
    return {"city": city, "from": period.start, "to": period.end, **asdict(found)}


@router.get("/{city}/coupons")
async def coupons(
    scope: DistrictScope,
    session: SessionDep,
    merchant: Annotated[str | None, Query(description="one shop's slug")] = None,
) -> dict[str, Any]:
    """The coupon funnel of the coupons issued in the period: for the district, per shop and
    per campaign (coupon template), with the campaigns' uplift in their streets."""
    city, bundle, period = scope.city, scope.bundle, scope.period
    shops = [m for m in bundle.merchants if m.city == city]
    if merchant is not None and not any(m.slug == merchant for m in shops):
        raise UnknownDistrictItem(f"comune {city!r} has no shop {merchant!r}")
    now = utcnow()
    total = await figures.funnel(session, city, period, now=now, merchant=merchant)
    per_shop = []
    for shop in shops:
        if merchant is None or shop.slug == merchant:
            got = await figures.funnel(session, city, period, now=now, merchant=shop.slug)
            per_shop.append({"merchant": shop.slug, "name": shop.name, **asdict(got)})
    campaigns = await campaign_figures(session, bundle, city, period, now=now)
    if merchant is not None:
        campaigns = [c for c in campaigns if c.merchant == merchant]
    return {
        "city": city,
        "from": period.start,
        "to": period.end,
        "total": asdict(total),
        "merchants": per_shop,
        "campaigns": [asdict(c) for c in campaigns],
    }


@router.post("/{city}/reports/{month}", status_code=201)
async def build_report(
    city: str,
    month: str,
    staff: DistrictStaff,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Build (again) the monthly monitoring pack of `month` (YYYY-MM): the PDF report and the
    CSV files, cells under k suppressed; the scheduler builds last month's by itself."""
    staff.require_city(city, Role.DISTRICT)
    bundle = _bundle(request)
    now = utcnow()
    pack = await report.build(session, bundle, city, month, now=now, k=settings.opendata_k)
    await report.store(session, pack, now)
    await make_durable(session)
    base = f"/admin/v1/district/{city}/reports/{month}"
    return {
        "city": city,
        "month": month,
        "pages": pack.pages,
        "pdf": f"{base}/report.pdf",
        "csv_zip": f"{base}/pack.zip",
    }


@router.get("/{city}/reports/{month}/report.pdf", response_class=Response)
async def report_pdf(city: str, month: str, staff: DistrictStaff, session: SessionDep) -> Response:
    """The printable report of a built pack."""
    staff.require_city(city, Role.DISTRICT)
    found = await _stored(session, city, month)
    disposition = f'inline; filename="district-{city}-{month}.pdf"'
    return Response(
        found.pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get("/{city}/reports/{month}/pack.zip", response_class=Response)
async def report_zip(city: str, month: str, staff: DistrictStaff, session: SessionDep) -> Response:
    """The pack: its CSV files and the report, zipped."""
    staff.require_city(city, Role.DISTRICT)
    found = await _stored(session, city, month)
    disposition = f'attachment; filename="district-{city}-{month}.zip"'
    return Response(
        found.csv_zip, media_type="application/zip", headers={"Content-Disposition": disposition}
    )


async def _stored(session: SessionDep, city: str, month: str) -> DistrictReport:
    report.month_period(month, "Europe/Rome")  # a clear 422 for a malformed month
    found = await report.stored(session, city, month)
    if found is None:
        raise UnknownDistrictItem(
            f"no monitoring pack of {month} for comune {city!r} yet; build it first"
        )
    return found


@merchant_router.get("/figures")
async def my_figures(
    principal: MerchantKey,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    start: From = None,
    end: To = None,
) -> dict[str, Any]:
    """This shop's own figures over the period (default: the last 7 days): coupons issued,
    redeemed, voided, redemption rate, time to redeem; its street's footfall with the open
    data's suppression (under k withheld). Never another shop's."""
    shop = principal.merchant
    bundle = _bundle(request)
    period = period_of(bundle, shop.city, start, end)
    now = utcnow()
    got = await figures.funnel(session, shop.city, period, now=now, merchant=shop.slug)
    k = settings.opendata_k
    merchant = next((m for m in bundle.merchants if m.slug == shop.slug), None)
    streets = shop_streets(bundle, merchant) if merchant else []
    found = await figures.footfall(session, bundle, shop.city, period)
    street_rows = [
        {
            "slug": s.slug,
            "name": s.name,
            "players": figures.suppress(s.players, k),
            "baseline_players": s.baseline_players if s.baseline_players >= k else None,
        }
        for s in found.streets
        if s.slug in {x.slug for x in streets}
    ]
    return {
        "merchant": shop.slug,
        "name": shop.name,
        "from": period.start,
        "to": period.end,
        "issued": got.issued,
        "redeemed": got.redeemed,
        "voided": got.voided,
        "expired": got.expired,
        "open": got.open,
        "redemption_rate": got.redemption_rate,
        "median_hours_to_redeem": got.median_hours_to_redeem,
        "mean_hours_to_redeem": got.mean_hours_to_redeem,
        "by_quest": {q: n for q, n in got.by_quest.items() if n >= k},
        "k": k,
        "streets": street_rows,
    }


def csv_of(rows: list[dict[str, Any]], columns: list[str]) -> Response:
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
