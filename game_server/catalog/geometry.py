"""The geometry rows of a content version (areas and POIs), for PostGIS and GIS tools."""

from __future__ import annotations

from shapely.geometry import Point, Polygon

from content.model import Bundle
from game_server.catalog.models import Area, Poi


def geometry_rows(version_id: int, bundle: Bundle) -> list[Area | Poi]:
    rows: list[Area | Poi] = [
        Area(
            version_id=version_id,
            slug=area.slug,
            role=area.role,
            name_it=area.name.it,
            name_en=area.name.en,
            geom=Polygon(area.polygon),
        )
        for area in bundle.areas
    ]
    for poi in bundle.pois:
        geom = Polygon(poi.polygon) if poi.polygon else Point(poi.lon, poi.lat)
        rows.append(
            Poi(
                version_id=version_id,
                slug=poi.slug,
                kind=poi.kind,
                name_it=poi.name.it,
                name_en=poi.name.en,
                radius_m=poi.radius_m,
                geom=geom,
            )
        )
    return rows
