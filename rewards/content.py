"""The active content as rewards sees it: the district and the merchants' display names."""

from __future__ import annotations

from typing import Any

from content.model import Bundle


def active_bundle(state: Any) -> Bundle | None:
    """The Bundle served by this worker (`app.state`), or None before any publication."""
    current = getattr(state.catalog, "current", None)
    if current is None:
        return None
    bundle = getattr(current, "bundle", None)
    if isinstance(bundle, Bundle):
        return bundle
    raw = getattr(current, "bundle_json", None)
    return Bundle.model_validate_json(raw) if raw else None
