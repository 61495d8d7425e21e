"""Factories with keyword arguments for the rewards tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Area, Bundle, CouponTemplate, LocalText
from game_server.players.models import Player

# The indicative district of walls.geojson, simplified: a corridor along the decumanus.
DISTRICT = [
    (18.1640, 40.3505),
    (18.1820, 40.3520),
    (18.1820, 40.3560),
    (18.1640, 40.3525),
    (18.1640, 40.3505),
]
INSIDE = (40.3529, 18.1700)  # (lat, lon): Corso Vittorio Emanuele II
OUTSIDE = (40.3600, 18.1600)


def template(**overrides: Any) -> CouponTemplate:
    values: dict[str, Any] = {
        "slug": "caffe-in-piazza",
        "merchant": "caffe-alvino",
        "offer": LocalText(it="Un caffè in omaggio", en="A free coffee"),
        "valid_days": 30,
        "total_limit": None,
        "per_player_limit": 1,
    }
    values.update(overrides)
    return CouponTemplate(**values)


def bundle(*templates: CouponTemplate) -> Bundle:
    district = Area(
        slug="distretto",
        role="district",
        name=LocalText(it="Distretto", en="District"),
        polygon=DISTRICT,
    )
    return Bundle(areas=[district], coupons=list(templates))


async def player(session: AsyncSession) -> uuid.UUID:
    row = Player(id=uuid.uuid4(), display_name="Tester")
    session.add(row)
    await session.flush()
    return row.id
