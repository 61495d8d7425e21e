"""Publishing guard: a bundle that is empty, or would take every site or quest away from the
version players have now, is refused unless an admin asks for it on purpose."""

from __future__ import annotations

from content.model import Bundle

_KINDS = ("areas", "pois", "quests", "badges", "coupons", "merchants")


def wipe_reasons(new: Bundle, live: Bundle | None) -> list[str]:
    """Why publishing `new` over `live` would empty the game (nothing when it would not)."""
    if not any(getattr(new, kind) for kind in _KINDS):
        return ["the bundle is empty: its files hold no areas, sites or quests (only comments?)"]
    if live is None:
        return []
    reasons = []
    if live.pois and not new.pois:
        reasons.append(f"it would remove every site ({len(live.pois)}) of the live version")
    if live.quests and not new.quests:
        reasons.append(f"it would remove every quest ({len(live.quests)}) of the live version")
    return reasons
