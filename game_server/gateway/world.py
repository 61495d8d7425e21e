"""The geo engine for the active content: every comune's fences, play area and tracker."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Polygon

from content.model import Bundle, City, Poi
from game_server.catalog.service import LoadedContent, VersionKey
from game_server.district.streets import StreetIndex
from geo import Atlas, Fence, FenceIndex, GeoSettings, PlayArea, Region, Tracker


@dataclass(frozen=True)
class World:
    version_id: VersionKey
    bundle: Bundle
    tracker: Atlas
    # Dwell steps longer than a visit's dwell: the visit is reported again when crossed.
    dwell_targets_ms: dict[str, tuple[int, ...]]
    # The comuni's shopping streets, where footfall is counted (game_server.district).
    streets: StreetIndex


def build_world(loaded: LoadedContent, settings: GeoSettings) -> World:
    bundle = loaded.bundle
    regions = [
        region_of(content.city, content.bundle, content.content_hash, settings)
        for _, content in sorted(loaded.cities.items())
    ]
    targets = _dwell_targets(bundle, settings.dwell_s)
    streets = StreetIndex(bundle.streets)
    return World(loaded.key, bundle, Atlas(regions, settings), targets, streets)


def region_of(city: City, bundle: Bundle, digest: str, settings: GeoSettings) -> Region:
    """One comune's geo engine: its POIs' fence index, its walls as play area, its bbox."""
    index = FenceIndex.build([_fence(poi) for poi in bundle.pois], version=digest)
    walls = bundle.area_by_role("old_town", city.slug)
    area = PlayArea(Polygon(walls.polygon), settings.area_margin_m, index.frame) if walls else None
    return Region(city.slug, city.bbox, Tracker(settings, index, area))


def _dwell_targets(bundle: Bundle, default_dwell_s: float) -> dict[str, tuple[int, ...]]:
    targets: dict[str, set[int]] = {}
    for quest in bundle.quests:
        for step in quest.steps:
            if step.dwell_s is not None and step.dwell_s > default_dwell_s:
                targets.setdefault(step.poi, set()).add(step.dwell_s * 1000)
    return {poi: tuple(sorted(values)) for poi, values in targets.items()}


def _fence(poi: Poi) -> Fence:
    if poi.polygon:
        return Fence.polygon(poi.slug, Polygon(poi.polygon), dwell_s=poi.dwell_s)
    assert poi.radius_m is not None
    return Fence.circle(poi.slug, poi.lat, poi.lon, poi.radius_m, dwell_s=poi.dwell_s)


class WorldCache:
    """Rebuilds the world only when the active content versions change."""

    def __init__(self, settings: GeoSettings) -> None:
        self.settings = settings
        self._world: World | None = None

    def get(self, loaded: LoadedContent) -> World:
        world = self._world
        if world is None or world.version_id != loaded.key:
            world = self._world = build_world(loaded, self.settings)
        return world
