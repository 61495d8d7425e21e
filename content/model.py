"""The normalised game content: what the validator produces and the database stores.

Every default is filled in and every shorthand expanded, so the game engine never needs to
know the YAML format. `Bundle.canonical_json()` is what a content version stores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict

FORMAT_VERSION = 1
TIMEZONE = "Europe/Rome"
DEFAULT_CITY = "lecce"  # the comune of content written before comuni existed

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Coordinate = tuple[float, float]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


BBox = tuple[float, float, float, float]  # west, south, east, north (lon/lat, WGS84)


class LocalText(Frozen):
    it: str
    en: str

    def get(self, language: str) -> str:
        """The text in `language` ("it" or "en"), English for any other language."""
        return self.it if language == "it" else self.en


class TimeWindow(Frozen):
    """Local times in Europe/Rome; `end` earlier than `start` means past midnight."""

    days: list[Weekday]
    start: str
    end: str


class Area(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    role: Literal["old_town", "district", "other"]
    name: LocalText
    description: LocalText | None = None
    polygon: list[Coordinate]  # closed ring of (lon, lat)
    source: str | None = None


class Street(Frozen):
    """A shopping street of the district: a line and the width counted around it."""

    city: str = DEFAULT_CITY
    slug: str
    name: LocalText
    line: list[Coordinate]  # (lon, lat) points along the street
    width_m: float
    source: str | None = None


class Poi(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    kind: str
    name: LocalText
    description: LocalText
    lat: float
    lon: float
    radius_m: int | None = None  # set unless `polygon` is
    polygon: list[Coordinate] | None = None  # closed ring of (lon, lat)
    dwell_s: int | None = None  # None: the server's default dwell
    outside_walls: bool = False
    opening_hours: list[TimeWindow] | None = None
    source: str | None = None


class Quiz(Frozen):
    question: LocalText
    answers: list[str]

    def accepts(self, answer: str) -> bool:
        """True when `answer` matches an accepted answer, ignoring case, accents and spacing."""
        given = normalize_answer(answer)
        return bool(given) and any(given == normalize_answer(a) for a in self.answers)


def normalize_answer(text: str) -> str:
    """Lower case, no accents, letters and digits only: "Sant'Oronzo" -> "santoronzo"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


class Step(Frozen):
    id: str
    kind: Literal["visit", "dwell", "quiz", "team"]
    poi: str
    dwell_s: int | None = None
    quiz: Quiz | None = None
    min_members: int | None = None
    window_s: int | None = None
    hint: LocalText | None = None


class Schedule(Frozen):
    hours: list[TimeWindow] | None = None
    from_date: dt.date | None = None
    until_date: dt.date | None = None
    only_when_open: bool = False
    timezone: str = TIMEZONE


class Rewards(Frozen):
    xp: int = 0
    badge: str | None = None
    coupon: str | None = None


class Quest(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    title: LocalText
    story: LocalText
    order: Literal["any", "sequence"]
    steps: list[Step]
    prerequisites: list[str] = []
    schedule: Schedule | None = None
    repeatable: bool = False
    cooldown_s: int | None = None
    auto_start: bool = False
    rewards: Rewards = Rewards()


class SitesOfKind(Frozen):
    kind: str
    count: int


class BadgeCriteria(Frozen):
    """All the given conditions must hold."""

    quests_completed: int | None = None
    quests: list[str] | None = None
    sites_of_kind: SitesOfKind | None = None
    distinct_days: int | None = None


class Badge(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    name: LocalText
    description: LocalText
    icon: str | None = None
    criteria: BadgeCriteria | None = None  # None: only given as a quest reward


class CouponEvidence(Frozen):
    """What a coupon needs beyond the quest (docs/anti-cheat.md)."""

    presence: Literal["server_time", "device_time"] = "server_time"
    min_account_age_s: int = 0
    upgraded_account: bool = False
    team_distinct_clients: bool = True
    attestation: bool = False


class CouponTemplate(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    merchant: str
    offer: LocalText
    terms: LocalText | None = None
    valid_days: int | None = None
    valid_until: dt.date | None = None
    total_limit: int | None = None
    per_player_limit: int = 1
    evidence: CouponEvidence = CouponEvidence()


class Merchant(Frozen):
    city: str = DEFAULT_CITY
    slug: str
    name: str
    category: str
    street: str
    lat: float
    lon: float
    demo: bool = False
    description: LocalText | None = None


class City(Frozen):
    """A comune: its identity in the public administration and where its game is played."""

    slug: str
    name: LocalText
    ipa_code: str  # the administration's code in the IPA index (indicepa.gov.it)
    publisher: LocalText  # who publishes the game and its open data
    timezone: str = TIMEZONE
    bbox: BBox
    demo: bool = False  # a demonstration of reuse, not the comune's own game
    website: str | None = None
    istat_code: str | None = None  # ISTAT's code of the comune (open data: spatial coverage)

    def contains(self, lat: float, lon: float) -> bool:
        west, south, east, north = self.bbox
        return west <= lon <= east and south <= lat <= north


LECCE = City(
    slug="lecce",
    name=LocalText(it="Lecce", en="Lecce"),
    ipa_code="c_e506",
    publisher=LocalText(it="Comune di Lecce", en="Municipality of Lecce"),
    bbox=(18.02, 40.22, 18.40, 40.47),
    website="https://www.comune.lecce.it",
    istat_code="075035",
)


class Bundle(Frozen):
    """One complete, valid version of the game content (each list sorted by slug).

    The content of one comune (`cities` holds that one), or of several merged: every item
    names its comune in `city`.
    """

    format_version: int = FORMAT_VERSION
    timezone: str = TIMEZONE
    cities: list[City] = []
    areas: list[Area] = []
    pois: list[Poi] = []
    quests: list[Quest] = []
    badges: list[Badge] = []
    coupons: list[CouponTemplate] = []
    merchants: list[Merchant] = []
    streets: list[Street] = []

    def canonical_json(self) -> bytes:
        """Deterministic JSON (sorted keys): equal bundles give equal bytes."""
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)

    def content_hash(self) -> str:
        """sha256 hex digest of `canonical_json()`."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    def area_by_role(self, role: str, city: str | None = None) -> Area | None:
        """The area with `role` (of comune `city` when given, else of the first comune)."""
        city = city or (self.cities[0].slug if self.cities else None)
        found = (a for a in self.areas if a.role == role and (city is None or a.city == city))
        return next(found, None)

    def poi(self, slug: str) -> Poi | None:
        return next((poi for poi in self.pois if poi.slug == slug), None)

    def quest(self, slug: str) -> Quest | None:
        return next((quest for quest in self.quests if quest.slug == slug), None)

    def city(self, slug: str) -> City | None:
        return next((city for city in self.cities if city.slug == slug), None)

    def slugs(self) -> set[str]:
        return {city.slug for city in self.cities}

    def for_city(self, slug: str) -> Bundle:
        """The content of comune `slug` alone (what one content version stores)."""

        def mine(items: list[_C]) -> list[_C]:
            return [item for item in items if item.city == slug]

        return Bundle(
            format_version=self.format_version,
            timezone=next((c.timezone for c in self.cities if c.slug == slug), self.timezone),
            cities=[c for c in self.cities if c.slug == slug],
            areas=mine(self.areas),
            pois=mine(self.pois),
            quests=mine(self.quests),
            badges=mine(self.badges),
            coupons=mine(self.coupons),
            merchants=mine(self.merchants),
            streets=mine(self.streets),
        )

    @classmethod
    def merge(cls, bundles: list[Bundle]) -> Bundle:
        """Several comuni's content as one (their slugs must not clash; see `clashes`)."""

        def joined(kind: str) -> list[Any]:
            items = [item for bundle in bundles for item in getattr(bundle, kind)]
            return sorted(items, key=lambda item: (item.slug, item.city))

        return cls(
            cities=sorted((c for b in bundles for c in b.cities), key=lambda c: c.slug),
            **{kind: joined(kind) for kind in KINDS},
        )


KINDS = ("areas", "pois", "quests", "badges", "coupons", "merchants", "streets")
_C = TypeVar("_C", Area, Poi, Quest, Badge, CouponTemplate, Merchant, Street)


def clashes(bundles: list[Bundle]) -> list[str]:
    """Slugs used by more than one comune, as "kind 'slug': comune, comune" sentences."""
    found = []
    for kind in KINDS:
        owners: dict[str, list[str]] = {}
        for bundle in bundles:
            for item in getattr(bundle, kind):
                owners.setdefault(item.slug, []).append(item.city)
        found += [
            f"{kind[:-1]} '{slug}' is defined by several comuni: {', '.join(sorted(cities))}"
            for slug, cities in sorted(owners.items())
            if len(cities) > 1
        ]
    return found
