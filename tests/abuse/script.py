"""What the attacks of issue #17 send, and the helpers to read what they earned.

Positions are at the shipped sites' centres (from content/lecce), with a random offset of
a few centimetres per call: each test run makes its own fixes (a visit made of exactly the
fixes of an earlier one is a replayed trace, which is one of the attacks).
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx

from content import load_bundle
from game_server.audit.actors import Actor
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.db import make_engine, make_session_factory
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.service import StaffService
from geo.frame import distance_m
from tests.paths import CONTENT

_BUNDLE = load_bundle(CONTENT).bundle
assert _BUNDLE is not None
SITES: dict[str, tuple[float, float]] = {p.slug: (p.lat, p.lon) for p in _BUNDLE.pois}
PASSWORD = "correct horse battery staple"


def client_ip() -> str:
    """A fresh client address: sign-up limits and team coupons are per client."""
    return ".".join(["10", *(str(random.randint(1, 254)) for _ in range(3))])


def jitter() -> tuple[float, float]:
    return random.uniform(-3e-7, 3e-7), random.uniform(-3e-7, 3e-7)


def at_site(slug: str, start_ms: int, seconds: int, *, every_s: int = 1, **extra: Any) -> list:
    """Fixes standing at a site's centre from start_ms, one every `every_s` seconds."""
    lat, lon = SITES[slug]
    dlat, dlon = jitter()
    return [
        {"lat": lat + dlat, "lon": lon + dlon, "accuracy": 8.0, "ts": start_ms + i * 1000, **extra}
        for i in range(0, seconds + 1, every_s)
    ]


def batch_walk(slugs: list[str], start_ms: int, *, speed_mps: float = 12.0, stay_s: int = 40):
    """The farming script's batch: each site for `stay_s` (a fix every 20 s), travelling
    between them at `speed_mps` (plausible for the speed check), no fix on the way."""
    fixes: list[dict[str, Any]] = []
    t = start_ms
    for i, slug in enumerate(slugs):
        if i:
            a, b = SITES[slugs[i - 1]], SITES[slug]
            t += int(distance_m(*a, *b) / speed_mps * 1000)
        fixes += at_site(slug, t, stay_s, every_s=20)
        t += stay_s * 1000
    return fixes


async def guest(base: str, client: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post("/v1/auth/guest", headers={"X-Forwarded-For": client})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
    return body


async def me(base: str, token: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        return str(response.json()["player_id"])


async def coupons(base: str, token: str, language: str = "en") -> list[dict[str, Any]]:
    """The player's coupons, their reasons in `language` (English, as assertions are written)."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get("/v1/me/coupons", headers=headers)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
    return found


async def admin_token(database_url: str, base: str) -> dict[str, str]:
    """A fresh admin (created in the database, as `lupiae staff create` does) logged in."""
    email = f"moderator-{uuid.uuid4().hex[:8]}@comune.lecce.it"
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        service = StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))
        await service.create(email, Role.ADMIN, PASSWORD, by=Actor.cli("tests"))
        await session.commit()
    await engine.dispose()
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post(
            "/admin/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def record_of(
    base: str, auth: dict[str, str], player_id: str, language: str = "en"
) -> dict[str, Any]:
    headers = {**auth, "Accept-Language": language}
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get(f"/admin/v1/anticheat/players/{player_id}", headers=headers)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
    return body


def kinds(record: dict[str, Any]) -> set[str]:
    return {r["kind"] for r in record["evidence"]}
