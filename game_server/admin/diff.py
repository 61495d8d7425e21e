"""What a publish would change: each kind's slugs added, changed and removed against the
active version (a changed item is one whose canonical JSON differs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from content.model import Bundle

KINDS = ("areas", "pois", "quests", "badges", "coupons", "merchants", "streets")


class KindChanges(BaseModel):
    added: list[str] = []
    changed: list[str] = []
    removed: list[str] = []


class BundleChanges(BaseModel):
    against_version_id: int | None
    areas: KindChanges
    pois: KindChanges
    quests: KindChanges
    badges: KindChanges
    coupons: KindChanges
    merchants: KindChanges
    streets: KindChanges


def _by_slug(items: Sequence[Any]) -> dict[str, Any]:
    return {item.slug: item.model_dump(mode="json") for item in items}


def _kind(before: Sequence[Any], after: Sequence[Any]) -> KindChanges:
    old, new = _by_slug(before), _by_slug(after)
    return KindChanges(
        added=sorted(new.keys() - old.keys()),
        changed=sorted(slug for slug in new.keys() & old.keys() if new[slug] != old[slug]),
        removed=sorted(old.keys() - new.keys()),
    )


def changes(active: Bundle | None, candidate: Bundle, active_id: int | None) -> BundleChanges:
    """The difference from `active` (None: nothing published, everything is added)."""
    base = active or Bundle()
    kinds = {kind: _kind(getattr(base, kind), getattr(candidate, kind)) for kind in KINDS}
    return BundleChanges(against_version_id=active_id, **kinds)
