"""The district's problem details (their Italian wordings: wordings.py)."""

from __future__ import annotations

from game_server.kit.errors import NotFound, Unprocessable


class BadPeriod(Unprocessable):
    slug = "bad-period"


class UnknownDistrictItem(NotFound):
    slug = "unknown-district-item"
