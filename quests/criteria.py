"""Badge criteria from content, checked against a player's record (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from content.model import DEFAULT_CITY, Badge, BadgeCriteria, Poi


@dataclass(frozen=True, slots=True)
class PlayerRecord:
    completed_quests: frozenset[str]  # distinct quests completed at least once
    visited_pois: frozenset[str]  # distinct sites with at least one real visit
    # Per comune: its distinct local days with a visit to one of its sites or an answer to one
    # of its questions.
    play_days: Mapping[str, int]


def criteria_met(
    criteria: BadgeCriteria,
    record: PlayerRecord,
    pois: Mapping[str, Poi],
    city: str = DEFAULT_CITY,
    quest_cities: Mapping[str, str] | None = None,
) -> bool:
    """All the conditions that are given hold, counting only comune `city`'s quests and
    sites: a walk in one comune never earns another comune's badges. (Quests no longer in
    the content count for Lecce, the only comune before there were several.)"""
    wanted = criteria.quests_completed
    if wanted is not None:
        cities = quest_cities or {}
        mine = [q for q in record.completed_quests if cities.get(q, DEFAULT_CITY) == city]
        if len(mine) < wanted:
            return False
    if criteria.quests is not None and not set(criteria.quests) <= record.completed_quests:
        return False
    if criteria.sites_of_kind is not None:
        kind = criteria.sites_of_kind.kind
        seen = sum(
            1
            for slug in record.visited_pois
            if slug in pois and pois[slug].kind == kind and pois[slug].city == city
        )
        if seen < criteria.sites_of_kind.count:
            return False
    days = criteria.distinct_days
    return days is None or record.play_days.get(city, 0) >= days


def badges_due(
    badges: Iterable[Badge],
    record: PlayerRecord,
    pois: Mapping[str, Poi],
    owned: Iterable[str],
    quest_cities: Mapping[str, str] | None = None,
) -> list[str]:
    """Slugs of the badges with criteria that `record` now meets and the player lacks."""
    have = set(owned)
    return [
        badge.slug
        for badge in badges
        if badge.criteria is not None
        and badge.slug not in have
        and criteria_met(badge.criteria, record, pois, badge.city, quest_cities)
    ]
