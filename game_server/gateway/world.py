"""The geo engine for one content version: fences, play area and tracker, built once."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Polygon

from content.model import Bundle, Poi
from game_server.catalog.service import LoadedContent
from geo import Fence, FenceIndex, GeoSettings, PlayArea, Tracker


@dataclass(frozen=True)
class World:
    version_id: int
    bundle: Bundle
    tracker: Tracker
    # Dwell steps longer than a visit's dwell: the visit is reported again when crossed.
    dwell_targets_ms: dict[str, tuple[int, ...]]


def build_world(loaded: LoadedContent, settings: GeoSettings) -> World:
    bundle = loaded.bundle
    fences = [_fence(poi) for poi in bundle.pois]
    index = FenceIndex.build(fences, version=loaded.content_hash)
    walls = bundle.area_by_role("old_town")
    area = PlayArea(Polygon(walls.polygon), settings.area_margin_m, index.frame) if walls else None
    tracker = Tracker(settings, index, area)
    return World(loaded.version_id, bundle, tracker, _dwell_targets(bundle, settings.dwell_s))


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
    """Rebuilds the world only when the active content version changes."""

    def __init__(self, settings: GeoSettings) -> None:
        self.settings = settings
        self._world: World | None = None

    def get(self, loaded: LoadedContent) -> World:
        world = self._world
        if world is None or world.version_id != loaded.version_id:
            world = self._world = build_world(loaded, self.settings)
        return world
