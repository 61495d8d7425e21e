"""Staff login and staff accounts (`/admin/v1/auth`, `/admin/v1/staff`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.deps import BackendDep, SessionDep, settings_of
from game_server.staff.auth import AdminStaff, AnyStaff
from game_server.staff.limits import LoginLimiter
from game_server.staff.models import StaffAccount
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.schemas import (
    GrantRequest,
    LoginRequest,
    StaffCreate,
    StaffRead,
    StaffTokenRead,
    WhoAmI,
)
from game_server.staff.service import StaffService
from game_server.staff.settings import StaffSettings

router = APIRouter(prefix="/admin/v1", tags=["admin: staff"])
SettingsDep = Annotated[StaffSettings, Depends(settings_of(StaffSettings))]

# The one admin route open to anonymous callers; tests/game_server/admin checks it is the only one.
LOGIN_PATH = "/admin/v1/auth/login"


def _service(session: SessionDep) -> StaffService:
    return StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))


def _read(account: StaffAccount, grants: dict[str, str] | None = None) -> StaffRead:
    return StaffRead(
        grants={city: Role(role) for city, role in (grants or {}).items()},
        id=account.id,
        email=account.email,
        role=Role(account.role),
        created_at=account.created_at,
        last_login_at=account.last_login_at,
        disabled_at=account.disabled_at,
    )


@router.post(
    "/auth/login",
    responses={
        401: {"description": "wrong email or password"},
        429: {"description": "throttled: this address, or this address for this account"},
    },
)
async def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    backend: BackendDep,
) -> StaffTokenRead:
    """Trade an email and password for a short-lived staff token (`Authorization: Bearer`)."""
    limiter = LoginLimiter(
        backend,
        failures=settings.staff_login_failures,
        window_s=settings.staff_login_window_s,
        client_failures=settings.staff_login_client_failures,
        account_failures=settings.staff_login_account_failures,
        secret=settings.secret_key,
    )
    issued = await _service(session).login(
        body.email,
        body.password,
        limiter=limiter,
        settings=settings,
        client_ip=request.client.host if request.client else None,
    )
    return StaffTokenRead(
        staff_id=issued.staff_id,
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        role=issued.role,
    )


@router.get("/auth/me")
async def whoami(staff: AnyStaff) -> WhoAmI:
    return WhoAmI(subject=staff.subject, role=staff.role, grants=staff.grants)


@router.get("/staff")
async def list_staff(_: AdminStaff, session: SessionDep) -> list[StaffRead]:
    repository = StaffRepository(session)
    return [_read(a, await repository.grants_of(a.id)) for a in await repository.all()]


@router.post("/staff", status_code=201)
async def create_staff(body: StaffCreate, staff: AdminStaff, session: SessionDep) -> StaffRead:
    """A new curator or admin of `cities`; the password must be at least 12 characters long.
    An admin grants roles only on the comuni where they are admin."""
    for city in body.cities:
        staff.require_city(city, Role.ADMIN)
    service = _service(session)
    account = await service.create(
        body.email, body.role, body.password, by=staff.actor, cities=body.cities
    )
    return _read(account, await service.accounts.grants_of(account.id))


@router.put("/staff/{staff_id}/grants/{city}")
async def grant_role(
    staff_id: uuid.UUID, city: str, body: GrantRequest, staff: AdminStaff, session: SessionDep
) -> StaffRead:
    """Give a role on one comune (replacing the one held there). Needs admin on that comune."""
    staff.require_city(city, Role.ADMIN)
    service = _service(session)
    grants = await service.grant(staff_id, city, body.role, by=staff.actor)
    account = await service.accounts.get(staff_id)
    assert account is not None
    return _read(account, grants)


@router.delete("/staff/{staff_id}/grants/{city}")
async def revoke_role(
    staff_id: uuid.UUID, city: str, staff: AdminStaff, session: SessionDep
) -> StaffRead:
    """Take away the role on one comune. Needs admin on that comune."""
    staff.require_city(city, Role.ADMIN)
    service = _service(session)
    grants = await service.grant(staff_id, city, None, by=staff.actor)
    account = await service.accounts.get(staff_id)
    assert account is not None
    return _read(account, grants)


@router.post("/staff/{staff_id}/disable")
async def disable_staff(staff_id: uuid.UUID, staff: AdminStaff, session: SessionDep) -> StaffRead:
    """Stop an account at once: no new logins, and its live tokens stop working."""
    return _read(await _service(session).disable(staff_id, by=staff.actor))
