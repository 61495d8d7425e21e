"""Staff login and staff accounts (`/admin/v1/auth`, `/admin/v1/staff`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.deps import BackendDep, SessionDep, SettingsDep
from game_server.staff.auth import AdminStaff, CuratorStaff
from game_server.staff.limits import LoginLimiter
from game_server.staff.models import StaffAccount
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.schemas import (
    LoginRequest,
    StaffCreate,
    StaffRead,
    StaffTokenRead,
    WhoAmI,
)
from game_server.staff.service import StaffService

router = APIRouter(prefix="/admin/v1", tags=["admin: staff"])

# The one admin route open to anonymous callers; tests/game_server/admin checks it is the only one.
LOGIN_PATH = "/admin/v1/auth/login"


def _service(session: SessionDep) -> StaffService:
    return StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))


def _read(account: StaffAccount) -> StaffRead:
    return StaffRead(
        id=account.id,
        email=account.email,
        role=Role(account.role),
        created_at=account.created_at,
        last_login_at=account.last_login_at,
        disabled_at=account.disabled_at,
    )


@router.post(
    "/auth/login",
    responses={401: {"description": "wrong email or password"}, 429: {"description": "throttled"}},
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
        backend, failures=settings.staff_login_failures, window_s=settings.staff_login_window_s
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
async def whoami(staff: CuratorStaff) -> WhoAmI:
    return WhoAmI(subject=staff.subject, role=staff.role)


@router.get("/staff")
async def list_staff(_: AdminStaff, session: SessionDep) -> list[StaffRead]:
    return [_read(a) for a in await StaffRepository(session).all()]


@router.post("/staff", status_code=201)
async def create_staff(body: StaffCreate, staff: AdminStaff, session: SessionDep) -> StaffRead:
    """A new curator or admin; the password must be at least 12 characters long."""
    account = await _service(session).create(body.email, body.role, body.password, by=staff.actor)
    return _read(account)


@router.post("/staff/{staff_id}/disable")
async def disable_staff(staff_id: uuid.UUID, staff: AdminStaff, session: SessionDep) -> StaffRead:
    """Stop an account at once: no new logins, and its live tokens stop working."""
    return _read(await _service(session).disable(staff_id, by=staff.actor))
