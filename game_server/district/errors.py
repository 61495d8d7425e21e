"""The district's problem details (Italian wordings in game_server/kit/italian.py)."""

from __future__ import annotations

from game_server.kit.errors import NotFound, Unprocessable


class BadPeriod(Unprocessable):
    slug = "bad-period"


class UnknownDistrictItem(NotFound):
    slug = "unknown-district-item"
