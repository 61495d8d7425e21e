"""A release as files: CSV, its Frictionless Data Package descriptor, and GeoJSON."""

from __future__ import annotations

import csv
import io
from typing import Any

from content.model import City
from game_server.kit.csvcells import row as csv_row
from game_server.opendata.models import OpenDataCell, OpenDataRelease
from game_server.opendata.release import Site

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
COLUMNS = ("date", "hour", "site", "site_name", "visits", "suppressed")


def table_schema(k: int) -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "date",
                "type": "date",
                "format": "%Y-%m-%d",
                "description": "local day",
                "constraints": {"required": True},
            },
            {
                "name": "hour",
                "type": "integer",
                "description": "local hour of the day, 0-23",
                "constraints": {"required": True, "minimum": 0, "maximum": 23},
            },
            {
                "name": "site",
                "type": "string",
                "description": "heritage site identifier",
                "constraints": {"required": True, "pattern": "^[a-z0-9_-]+$"},
            },
            {"name": "site_name", "type": "string", "description": "the site's name (Italian)"},
            {
                "name": "visits",
                "type": "integer",
                "description": f"visits in that hour; empty when suppressed (fewer than {k})",
                "constraints": {"minimum": k},
            },
            {
                "name": "suppressed",
                "type": "boolean",
                "trueValues": ["true"],
                "falseValues": ["false"],
                "constraints": {"required": True},
                "description": f"true when the count was under k = {k} and is not released",
            },
        ],
        "missingValues": [""],
        "primaryKey": ["date", "hour", "site"],
    }


def to_csv(cells: list[OpenDataCell], names: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in cells:
        visits = "" if c.visits is None else str(c.visits)
        flag = "true" if c.suppressed else "false"
        name = names.get(c.poi, c.poi)
        writer.writerow(csv_row((c.day.isoformat(), c.hour, c.poi, name, visits, flag)))
    return out.getvalue()


def privacy_note(release: OpenDataRelease) -> dict[str, Any]:
    return {
        "k": release.k,
        "suppressed_cells": release.suppressed,
        "cells": release.cells,
        "cap_per_player_site_day": release.cap_per_site_day,
        "max_sites_per_player_day": release.max_sites_per_day,
        "l1_sensitivity": release.cap_per_site_day * release.max_sites_per_day,
        "mechanism": release.mechanism,
        "noise_scale": release.noise_scale,
        "epsilon": release.epsilon,
        "delta": 0 if release.epsilon is not None else None,
        "released_once": True,
    }


def datapackage(city: City, release: OpenDataRelease) -> dict[str, Any]:
    day = release.day.isoformat()
    return {
        "profile": "tabular-data-package",
        "name": f"{city.slug}-heritage-visits-{day}",
        "title": f"Visite ai siti del patrimonio per ora — {city.name.it} — {day}",
        "description": "Visits to heritage sites per site and local hour, from the Lupiae game; "
        "each player's contribution capped, small counts suppressed.",
        "licenses": [LICENSE],
        "publisher": {"name": city.publisher.it, "ipa_code": city.ipa_code},
        "lupiae:built_on": release.built_at.date().isoformat(),
        "lupiae:privacy": privacy_note(release),
        "resources": [
            {
                "name": "visits",
                "path": "visits.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "licenses": [LICENSE],
                "schema": table_schema(release.k),
            }
        ],
    }


def to_geojson(
    city: City, release: OpenDataRelease, cells: list[OpenDataCell], sites: list[Site]
) -> dict[str, Any]:
    hours: dict[str, list[int | None]] = {s.slug: [None] * 24 for s in sites}
    for c in cells:
        hours.setdefault(c.poi, [None] * 24)[c.hour] = c.visits
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "site": s.slug,
                "name": s.name,
                "date": release.day.isoformat(),
                "visits_by_hour": hours[s.slug],
                "visits_released": sum(v for v in hours[s.slug] if v is not None),
            },
        }
        for s in sites
    ]
    return {
        "type": "FeatureCollection",
        "name": f"{city.slug}-heritage-visits-{release.day.isoformat()}",
        "license": LICENSE["path"],
        "lupiae:privacy": privacy_note(release),
        "features": features,
    }
