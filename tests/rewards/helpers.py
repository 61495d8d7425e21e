"""Set-ups for the merchant and player API tests: shops, coupons, keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import httpx
from fastapi import FastAPI
from shapely.geometry import Polygon

from content.model import CouponTemplate
from rewards import codes
from rewards.issuance import IssuedCoupon, issue_coupon
from rewards.merchants import MerchantService, MerchantSpec
from rewards.repository import MerchantRepository
from tests.rewards import factories


@dataclass
class Shop:
    slug: str
    api_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def serve_content(app: FastAPI, *templates: CouponTemplate) -> None:
    """Make the district (and templates) the active content of this app."""
    app.state.catalog.current = SimpleNamespace(bundle=factories.bundle(*templates))


async def shop(app: FastAPI, slug: str = "caffe-alvino", name: str = "Caffè Alvino") -> Shop:
    lat, lon = factories.INSIDE
    async with app.state.session_factory() as session:
        service = MerchantService(MerchantRepository(session), actor="test")
        spec = MerchantSpec(slug=slug, name=name, category="cafe", street="Corso", lat=lat, lon=lon)
        _, key = await service.create(spec, Polygon(factories.DISTRICT))
        await session.commit()
    return Shop(slug=slug, api_key=key.api_key)


async def coupon(
    app: FastAPI,
    *,
    merchant: str = "caffe-alvino",
    player_id: uuid.UUID | None = None,
    now: datetime | None = None,
    hold_reason: str | None = None,
    **template: Any,
) -> IssuedCoupon:
    tpl = factories.template(
        slug=template.pop("slug", f"tpl-{uuid.uuid4().hex[:6]}"), merchant=merchant, **template
    )
    async with app.state.session_factory() as session:
        owner = player_id or await factories.player(session)
        issued = await issue_coupon(
            session, tpl, owner, f"test:{uuid.uuid4()}", now=now, hold_reason=hold_reason
        )
        await session.commit()
    assert issued is not None
    return issued


def shown(issued: IssuedCoupon) -> str:
    return codes.display(issued.code)


async def redeem(
    client: httpx.AsyncClient, shop_: Shop, code: str, *, key: str | None = None, **body: Any
) -> httpx.Response:
    headers = {**shop_.auth, "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(
        "/merchant/v1/redemptions", json={"code": code, **body}, headers=headers
    )
