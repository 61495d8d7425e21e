"""Who may call an admin route: `Requires(Role.CURATOR)` and `Requires(Role.ADMIN)`.

401: no credentials, or credentials that are not valid (expired, forged, unknown, disabled).
403: valid credentials of someone who may not: a player, a merchant, a staff role too low.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.audit.actors import Actor
from game_server.kit.deps import SessionDep, SettingsDep
from game_server.kit.errors import Forbidden, NotAuthenticated
from game_server.staff.models import StaffAccount
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.tokens import decode_staff_token

# Another kind of credential that reaches the admin API (a merchant's API key: rewards'), by
# the prefix that marks it, and its owner's refusal: 401 when it is no working credential, 403
# when it is one. The wiring registers them (`app.state.foreign_credentials`): their owners sit
# above this domain, which never imports them.
RefuseForeign = Callable[[AsyncSession, str], Awaitable[NoReturn]]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="StaffToken",
    description="staff token from POST /admin/v1/auth/login",
)
StaffBearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    subject: str
    role: Role
    email: str | None = None  # None only for tokens minted outside login
    client_ip: str | None = None
    # Role per comune; None for tokens minted outside login (the secret's holder may do all).
    grants: dict[str, Role] | None = None

    def require_city(self, city: str, role: Role = Role.CURATOR) -> None:
        """Refuse (403) unless this staff member holds `role` or higher on comune `city`."""
        held = self.role if self.grants is None else self.grants.get(city)
        if held is None or not held.allows(role):
            raise Forbidden(
                f"you hold no {role.value} role on comune {city!r}",
                required=role,
                city=city,
                grants=sorted(self.grants or ()),
            )

    def cities(self, role: Role = Role.CURATOR) -> set[str] | None:
        """The comuni where this staff member holds `role` (None: every comune)."""
        if self.grants is None:
            return None
        return {city for city, held in self.grants.items() if held.allows(role)}

    @property
    def name(self) -> str:
        return f"staff:{self.subject}"

    @property
    def actor(self) -> Actor:
        return Actor(self.name, role=self.role.value, client_ip=self.client_ip)


class Requires:
    """A dependency admitting staff whose role allows `role` (admins allow everything)."""

    def __init__(self, role: Role, *, anyone: bool = False) -> None:
        self.role = role
        self.anyone = anyone  # every staff role may (who am I)

    async def __call__(
        self, request: Request, session: SessionDep, settings: SettingsDep, bearer: StaffBearer
    ) -> StaffPrincipal:
        if bearer is None:
            raise NotAuthenticated("missing staff bearer token")
        raw = bearer.credentials
        foreign: dict[str, RefuseForeign] = request.app.state.foreign_credentials
        for prefix, refuse in foreign.items():
            if raw.startswith(prefix):
                await refuse(session, raw)
        claims = decode_staff_token(raw, secret=settings.secret_key)
        if claims is None:
            raise Forbidden("player tokens cannot use the admin API")
        try:
            role = Role(claims.role)
        except ValueError:
            raise Forbidden(f"unknown staff role {claims.role!r}") from None
        email, grants = await _enabled_account(session, claims.subject)
        if not (self.anyone or role.allows(self.role)):
            raise Forbidden(f"this route needs the {self.role.value} role", required=self.role)
        client = request.client.host if request.client else None
        return StaffPrincipal(claims.subject, role, email, client, grants)

    def __repr__(self) -> str:
        return "Requires(any staff)" if self.anyone else f"Requires({self.role.value})"


async def _enabled_account(
    session: AsyncSession, subject: str
) -> tuple[str | None, dict[str, Role] | None]:
    """The account's email and its role per comune. A disabled account's tokens stop at
    once, not when they expire; a grant taken away counts from the next request."""
    try:
        staff_id = uuid.UUID(subject)
    except ValueError:
        # Not an account id: minted with the secret outside login (rewards' tests do). Whoever
        # holds the secret can sign any subject, so refusing these would protect nothing.
        return None, None
    account = await session.get(StaffAccount, staff_id)
    if account is None:
        raise NotAuthenticated("this staff account no longer exists")
    if account.disabled_at is not None:
        raise NotAuthenticated("this staff account is disabled")
    grants = await StaffRepository(session).grants_of(staff_id)
    return account.email, {city: Role(role) for city, role in grants.items()}


CuratorStaff = Annotated[StaffPrincipal, Depends(Requires(Role.CURATOR))]
AnyStaff = Annotated[StaffPrincipal, Depends(Requires(Role.CURATOR, anyone=True))]
AdminStaff = Annotated[StaffPrincipal, Depends(Requires(Role.ADMIN))]
