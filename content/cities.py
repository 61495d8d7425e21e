"""`city.yaml`: the comune a content folder belongs to, and how a tree splits into comuni.

A folder with a `city.yaml` is one comune's content (`content/lecce/`); a folder whose
sub-folders have one is several comuni (`content/`). A folder without any `city.yaml` is
the content of comune `lecce`, as written before Lupiae knew several comuni.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError, model_validator
from pydantic_core import ErrorDetails

from content import format as fmt
from content import model
from content.catalog import Catalog
from content.messages import describe
from content.problems import Problem
from content.yamlio import YamlDoc, parse_yaml

CITY_FILE = "city.yaml"
IPA_PATTERN = r"^[a-z0-9_]{2,20}$"

IpaCode = Annotated[
    str,
    StringConstraints(pattern=IPA_PATTERN),
    Field(description="Codice IPA dell'ente / the administration's IPA code (e.g. c_e506)"),
]


class CityFile(fmt.Strict):
    """Il comune di questa cartella / the comune of this folder (city.yaml)."""

    slug: fmt.Slug
    name: fmt.LocalText
    ipa_code: IpaCode
    publisher: fmt.LocalText = Field(description="Chi pubblica / publisher (e.g. Comune di …)")
    timezone: str = Field(default=model.TIMEZONE, description="IANA time zone")
    bbox: list[float] = Field(
        min_length=4, max_length=4, description="[west, south, east, north] in lon/lat (WGS84)"
    )
    demo: bool = Field(default=False, description="Dimostrazione di riuso / a demo of reuse")
    website: str | None = None
    istat_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{6}$",
        description="Codice ISTAT del comune / the comune's ISTAT code (open data coverage)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CityFile:
        west, south, east, north = self.bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(
                "bbox must be [west, south, east, north] with west < east, south < north"
            )
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{self.timezone}'") from exc
        return self


def parse_city(name: str, data: bytes) -> tuple[model.City | None, list[Problem]]:
    """The comune described by one city.yaml, or the problems found in it."""
    doc, problems = parse_yaml(name, data)
    if doc is None or problems:
        return None, problems
    try:
        city = CityFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, [_problem(name, doc, error) for error in exc.errors(include_url=False)]
    return _normalised(city), []


def _problem(name: str, doc: YamlDoc, error: ErrorDetails) -> Problem:
    message = describe(error, CityFile)
    mark = doc.key_mark(message.loc) if message.at_key else doc.mark(message.loc)
    return Problem(name, mark.line, mark.col, message.text)


def _normalised(city: CityFile) -> model.City:
    west, south, east, north = city.bbox
    return model.City(
        slug=city.slug,
        name=model.LocalText(it=city.name.it, en=city.name.en),
        ipa_code=city.ipa_code,
        publisher=model.LocalText(it=city.publisher.it, en=city.publisher.en),
        timezone=city.timezone,
        bbox=(west, south, east, north),
        demo=city.demo,
        website=city.website,
        istat_code=city.istat_code,
    )


def split_by_city(files: Mapping[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Content files grouped by the folder of their city.yaml ("" = no city.yaml above).

    The deepest city.yaml above a file claims it; the groups keep the files' full names.
    """
    roots = sorted(
        (name[: -len(CITY_FILE)] for name in files if _is_city_file(name)), key=len, reverse=True
    )
    groups: dict[str, dict[str, bytes]] = {root: {} for root in roots}
    for name, data in files.items():
        if _is_city_file(name):
            groups[name[: -len(CITY_FILE)]][name] = data
            continue
        root = next((r for r in roots if name.startswith(r)), "")
        groups.setdefault(root, {})[name] = data
    return groups


def _is_city_file(name: str) -> bool:
    return name == CITY_FILE or name.endswith("/" + CITY_FILE)


def check_bbox(catalog: Catalog, city: model.City) -> Iterator[Problem]:
    """POIs, merchants and area corners lie inside the comune's bounding box."""
    where = f"comune '{city.slug}' (bbox {list(city.bbox)} in {CITY_FILE})"
    for kind in ("pois", "merchants"):
        for item in catalog.items(kind):
            if not city.contains(item.model.lat, item.model.lon):
                yield item.problem(f"{item.model.slug} lies outside {where}", "lat")
    for area in catalog.areas:
        if any(not city.contains(lat, lon) for lon, lat in area.model.polygon):
            yield area.problem(f"{area.model.slug} reaches outside {where}", "polygon")
    for street in catalog.streets:
        if any(not city.contains(lat, lon) for lon, lat in street.model.line):
            yield street.problem(f"{street.model.slug} reaches outside {where}", "line")
