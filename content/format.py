"""The YAML format curators write: structure, types, bounds and defaults.

These models only describe the shape of a file; they also produce the JSON Schema that
editors use. Rules that relate several values (references, geometry, time windows) live in
`content.checks`. The normalised game is `content.model.Bundle`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
TIME_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
AREA_ROLES = ("old_town", "district", "other")
QUEST_ORDERS = ("any", "sequence")
PRESENCE_RULES = ("server_time", "device_time")
RADIUS_M = (10, 150)
DWELL_S = (5, 1800)
DEFAULT_RADIUS_M = 30
DEFAULT_COOLDOWN_H = 24

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=64),
    Field(description="Identificativo / identifier: a-z, 0-9, '-' '_' (e.g. porta_napoli)"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Time = Annotated[
    str, StringConstraints(pattern=TIME_PATTERN), Field(description="HH:MM, Europe/Rome")
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitudine / latitude (WGS84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitudine / longitude (WGS84)")]
RadiusM = Annotated[
    int,
    Field(ge=RADIUS_M[0], le=RADIUS_M[1], description="Raggio / trigger radius, metres (10–150)"),
]
DwellS = Annotated[
    int, Field(ge=DWELL_S[0], le=DWELL_S[1], description="Sosta / dwell, seconds (5–1800)")
]
Point = Annotated[list[float], Field(min_length=2, max_length=2, description="[lon, lat]")]
Polygon = Annotated[
    list[Point],
    Field(min_length=3, description="Anello / ring of [lon, lat] points (closing it is optional)"),
]
Line = Annotated[
    list[Point],
    Field(min_length=2, description="Linea / line of [lon, lat] points, along the street"),
]
STREET_WIDTH_M = (3, 80)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class LocalText(Strict):
    """Testo in italiano e inglese / text in Italian and English."""

    it: Text = Field(description="Italiano")
    en: Text = Field(description="English")


class TimeWindow(Strict):
    """Giorni e orari (ora di Roma) / days and hours (Europe/Rome local time)."""

    days: list[Weekday] = Field(default=list(WEEKDAYS), min_length=1)
    start: Time
    end: Time = Field(description="HH:MM; earlier than start = past midnight")


class Area(Strict):
    slug: Slug
    role: Literal["old_town", "district", "other"] = Field(
        default="other", description="old_town = le mura / the walls; district = DUC"
    )
    name: LocalText
    description: LocalText | None = None
    polygon: Polygon
    source: str | None = Field(default=None, description="Fonte / attribution")


class Street(Strict):
    """Una via commerciale del distretto / a shopping street of the district (footfall)."""

    slug: Slug
    name: LocalText
    line: Line
    width_m: float = Field(
        ge=STREET_WIDTH_M[0],
        le=STREET_WIDTH_M[1],
        description="Larghezza contata / counted width, metres (3–80), centred on the line",
    )
    source: str | None = Field(default=None, description="Fonte / attribution")


class Poi(Strict):
    slug: Slug
    kind: Slug = Field(description="Tipo / kind: church, gate, square, palace, …")
    name: LocalText
    description: LocalText
    lat: Latitude
    lon: Longitude
    radius_m: RadiusM | None = Field(default=None, description="Default 30 m")
    polygon: Polygon | None = Field(default=None, description="Instead of radius_m")
    dwell_s: DwellS | None = Field(default=None, description="Sosta per una visita / dwell")
    outside_walls: bool = Field(default=False, description="Fuori dalle mura / outside the walls")
    opening_hours: list[TimeWindow] | None = None
    source: str | None = Field(default=None, description="Fonte / attribution")


class Quiz(Strict):
    question: LocalText
    answers: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        min_length=1, description="Risposte accettate / accepted answers (any language)"
    )


class Step(Strict):
    """One of: visit, dwell (+ dwell_s), quiz (+ at), team (+ min_members, window_s)."""

    id: Slug | None = Field(default=None, description="Default: the POI slug")
    visit: Slug | None = Field(default=None, description="Visita / visit this POI")
    dwell: Slug | None = Field(default=None, description="Sosta lunga / long stay at this POI")
    team: Slug | None = Field(default=None, description="Squadra / team meets at this POI")
    at: Slug | None = Field(default=None, description="Quiz: POI where it is answered")
    quiz: Quiz | None = None
    dwell_s: DwellS | None = None
    min_members: int | None = Field(default=None, ge=2, le=50, description="Default 2")
    window_s: int | None = Field(default=None, ge=10, le=3600, description="Default 120 s")
    hint: LocalText | None = None


class Schedule(Strict):
    """Quando si gioca / when the quest can be played."""

    hours: list[TimeWindow] | None = None
    from_date: dt.date | None = Field(default=None, alias="from", description="YYYY-MM-DD")
    until_date: dt.date | None = Field(default=None, alias="until", description="YYYY-MM-DD")
    only_when_open: bool = Field(default=False, description="Solo con i siti aperti / open POIs")


class Rewards(Strict):
    xp: int = Field(default=0, ge=0, le=10_000)
    badge: Slug | None = None
    coupon: Slug | None = None


class Quest(Strict):
    slug: Slug
    title: LocalText
    story: LocalText
    order: Literal["any", "sequence"] = Field(default="any", description="any | sequence")
    steps: list[Step] = Field(min_length=1)
    requires: list[Slug] = Field(default_factory=list, description="Quest da completare prima")
    when: Schedule | None = None
    repeatable: bool = False
    cooldown_h: int | None = Field(default=None, ge=1, le=8760, description="Default 24 h")
    auto_start: bool = False
    rewards: Rewards = Field(default_factory=Rewards)


class SitesOfKind(Strict):
    kind: Slug
    count: int = Field(ge=1, le=1000)


class Criteria(Strict):
    """All the given conditions must hold / tutte le condizioni indicate."""

    quests_completed: int | None = Field(default=None, ge=1, le=1000)
    quests: list[Slug] | None = Field(default=None, min_length=1)
    sites_of_kind: SitesOfKind | None = None
    distinct_days: int | None = Field(default=None, ge=1, le=366)


class Badge(Strict):
    slug: Slug
    name: LocalText
    description: LocalText
    icon: str | None = None
    criteria: Criteria | None = Field(default=None, description="Omit: given by quest rewards")


class CouponEvidence(Strict):
    """Prove / evidence a coupon needs (docs/anti-cheat.md). Omitted keys take safe values."""

    presence: Literal["server_time", "device_time"] = Field(
        default="server_time",
        description=(
            "server_time: i passi devono avvenire mentre il server li vede, non più in fretta "
            "di una camminata / the steps must happen while the server sees them, no faster "
            "than a walk. device_time: the device's clock is trusted (not recommended)"
        ),
    )
    min_account_age_s: int = Field(
        default=0,
        ge=0,
        le=30 * 86_400,
        description="Età minima dell'account / minimum account age at completion, seconds",
    )
    upgraded_account: bool = Field(
        default=False,
        description="Solo account non ospite / only accounts upgraded from guest",
    )
    team_distinct_clients: bool = Field(
        default=True,
        description=(
            "Missioni di squadra: un solo coupon per client / team quests: one coupon per client"
        ),
    )
    attestation: bool = Field(
        default=False,
        description=(
            "Richiede l'attestazione del dispositivo (se l'operatore la attiva) / requires a "
            "platform attestation when the operator enables it"
        ),
    )


class Coupon(Strict):
    slug: Slug
    merchant: Slug
    offer: LocalText
    terms: LocalText | None = None
    valid_days: int | None = Field(default=None, ge=1, le=3650, description="Days after issue")
    valid_until: dt.date | None = Field(default=None, description="YYYY-MM-DD")
    total_limit: int | None = Field(default=None, ge=1, description="Omit: no limit")
    per_player_limit: int = Field(default=1, ge=1, le=100)
    evidence: CouponEvidence = Field(
        default_factory=CouponEvidence,
        description="Prove richieste / the evidence a coupon needs (docs/anti-cheat.md)",
    )


class Merchant(Strict):
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    category: Slug
    street: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    lat: Latitude
    lon: Longitude
    demo: bool = Field(default=False, description="Dati dimostrativi / demo data")
    description: LocalText | None = None


class ContentFile(Strict):
    """Un file di contenuti / one content file: any of these lists."""

    areas: list[Area] = Field(default_factory=list)
    pois: list[Poi] = Field(default_factory=list)
    quests: list[Quest] = Field(default_factory=list)
    badges: list[Badge] = Field(default_factory=list)
    coupons: list[Coupon] = Field(default_factory=list)
    merchants: list[Merchant] = Field(default_factory=list)
    streets: list[Street] = Field(default_factory=list)


KIND_MODELS: dict[str, type[Strict]] = {
    "areas": Area,
    "pois": Poi,
    "quests": Quest,
    "badges": Badge,
    "coupons": Coupon,
    "merchants": Merchant,
    "streets": Street,
}
