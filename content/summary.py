"""A one-screen overview of a valid bundle."""

from __future__ import annotations

from collections import Counter

from content.model import Bundle


def summary(bundle: Bundle) -> str:
    """Counts per kind, plus the few details a curator checks before publishing."""
    outside = sum(poi.outside_walls for poi in bundle.pois)
    steps = Counter(step.kind for quest in bundle.quests for step in quest.steps)
    demo = sum(merchant.demo for merchant in bundle.merchants)
    roles = ", ".join(f"{area.slug} ({area.role})" for area in bundle.areas)
    lines = [
        f"areas      {len(bundle.areas):4d}   {roles}",
        f"pois       {len(bundle.pois):4d}   {outside} outside the walls",
        f"quests     {len(bundle.quests):4d}   steps: "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(steps.items())),
        f"badges     {len(bundle.badges):4d}",
        f"coupons    {len(bundle.coupons):4d}",
        f"merchants  {len(bundle.merchants):4d}   {demo} demo",
        f"streets    {len(bundle.streets):4d}   counted for the district's footfall",
        f"hash       {bundle.content_hash()[:16]}",
    ]
    return "\n".join(lines)
