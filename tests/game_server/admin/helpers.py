"""Staff accounts, logins and other callers for the admin API tests."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from shapely.geometry import Polygon

from game_server.audit.actors import Actor
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.service import StaffService
from rewards.merchants import MerchantService, MerchantSpec
from rewards.repository import MerchantRepository
from tests.paths import CONTENT

PASSWORD = "correct horse battery staple"
DISTRICT = Polygon([(18.1640, 40.3505), (18.1820, 40.3520), (18.1820, 40.3560), (18.1640, 40.3525)])


@dataclass(frozen=True)
class Staff:
    id: uuid.UUID
    email: str
    role: Role
    token: str

    @property
    def auth(self) -> dict[str, str]:
        # English, as the assertions are written; without the header the API answers Italian.
        return {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}


SHIPPED_CITIES = ("lecce", "bergamo")


async def create_staff(
    app: FastAPI,
    *,
    role: Role = Role.CURATOR,
    email: str | None = None,
    password: str = PASSWORD,
    cities: tuple[str, ...] = SHIPPED_CITIES,
) -> tuple[uuid.UUID, str]:
    """An account holding `role` on `cities` (by default every shipped comune)."""
    email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@comune.lecce.it"
    async with app.state.session_factory() as session:
        service = StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))
        account = await service.create(email, role, password, by=Actor.cli("tests"), cities=cities)
        await session.commit()
    return account.id, email


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/admin/v1/auth/login", json={"email": email, "password": password})


async def staff(
    app: FastAPI,
    http: httpx.AsyncClient,
    role: Role = Role.CURATOR,
    cities: tuple[str, ...] = SHIPPED_CITIES,
) -> Staff:
    staff_id, email = await create_staff(app, role=role, cities=cities)
    response = await login(http, email)
    assert response.status_code == 200, response.text
    return Staff(staff_id, email, role, response.json()["access_token"])


async def player_auth(http: httpx.AsyncClient) -> tuple[uuid.UUID, dict[str, str]]:
    body = (await http.post("/v1/auth/guest")).json()
    return uuid.UUID(body["player_id"]), {"Authorization": f"Bearer {body['access_token']}"}


async def merchant_auth(app: FastAPI) -> dict[str, str]:
    spec = MerchantSpec(
        slug=f"shop-{uuid.uuid4().hex[:6]}",
        name="Libreria",
        category="bookshop",
        street="Via Palmieri",
        lat=40.3529,
        lon=18.1700,
    )
    async with app.state.session_factory() as session:
        service = MerchantService(MerchantRepository(session), actor="tests")
        _, key = await service.create(spec, DISTRICT)
        await session.commit()
    return {"Authorization": f"Bearer {key.api_key}"}


def shipped_files(root: Path = CONTENT, city: str | None = "lecce") -> dict[str, bytes]:
    """The shipped content of comune `city` (None: every comune) as an upload:
    `{name relative to content/: bytes}`."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / city if city else root).rglob("*.yaml"))
        if not any(part.startswith((".", "__")) for part in p.relative_to(root).parts)
    }


def multipart(files: dict[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/yaml")) for name, data in files.items()]


def zipped(files: dict[str, bytes], *, folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()
