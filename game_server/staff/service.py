"""Staff accounts and their logins. Never commits: the unit of work does."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from content.model import DEFAULT_CITY
from game_server.audit.actors import ANONYMOUS, Actor
from game_server.audit.service import AuditLog
from game_server.kit.clock import utcnow
from game_server.kit.errors import Unprocessable
from game_server.staff import passwords
from game_server.staff.exceptions import LoginFailed, LoginThrottled, StaffExists, UnknownStaff
from game_server.staff.limits import LoginLimiter
from game_server.staff.models import StaffAccount
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.settings import StaffSettings
from game_server.staff.tokens import issue_staff_token

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOGIN_FAILED = "wrong email or password"  # the same words whatever was wrong


@dataclass(frozen=True, slots=True)
class IssuedStaffToken:
    staff_id: uuid.UUID
    access_token: str
    expires_in: int
    role: Role


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise Unprocessable(f"{email!r} is not an email address")
    return cleaned


class StaffService:
    def __init__(self, repository: StaffRepository, audit: AuditLog) -> None:
        self.accounts = repository
        self.audit = audit

    async def create(
        self,
        email: str,
        role: Role,
        password: str,
        *,
        by: Actor,
        cities: Sequence[str] = (DEFAULT_CITY,),
    ) -> StaffAccount:
        """A new account holding `role` on each of `cities`."""
        email = normalize_email(email)
        if not cities:
            raise Unprocessable("a staff account needs at least one comune")
        passwords.check_strength(password, email=email)
        if await self.accounts.by_email(email) is not None:
            raise StaffExists(f"a staff account {email} already exists")
        account = await self.accounts.add(
            StaffAccount(
                id=uuid.uuid4(),
                email=email,
                role=role.value,
                password_hash=await passwords.hash_password(password),
                created_at=utcnow(),
            )
        )
        for city in dict.fromkeys(cities):
            await self.accounts.set_grant(account.id, city, role.value)
        detail = {"email": email, "role": role.value, "cities": sorted(set(cities))}
        await self.audit.record(
            by, "staff.create", status=201, target=_target(account), detail=detail
        )
        return account

    async def grant(
        self, staff_id: uuid.UUID, city: str, role: Role | None, *, by: Actor
    ) -> dict[str, str]:
        """Give `role` on comune `city` (None takes it away); the account's `role` becomes the
        highest it holds anywhere. Returns the account's grants."""
        account = await self.accounts.get(staff_id)
        if account is None:
            raise UnknownStaff(f"no staff account {staff_id}")
        await self.accounts.set_grant(staff_id, city, role.value if role else None)
        grants = await self.accounts.grants_of(staff_id)
        if grants:
            account.role = max((Role(r) for r in grants.values()), key=lambda r: r.rank).value
        action = "staff.grant" if role else "staff.revoke"
        detail = {"role": role.value if role else None}
        await self.audit.record(by, action, target=_target(account), detail=detail, city=city)
        return grants

    async def disable(self, staff_id: uuid.UUID, *, by: Actor) -> StaffAccount:
        account = await self.accounts.get(staff_id)
        if account is None:
            raise UnknownStaff(f"no staff account {staff_id}")
        if account.disabled_at is None:
            account.disabled_at = utcnow()
            await self.accounts.session.flush()
        await self.audit.record(by, "staff.disable", target=_target(account))
        return account

    async def by_email(self, email: str) -> StaffAccount:
        account = await self.accounts.by_email(normalize_email(email))
        if account is None:
            raise UnknownStaff(f"no staff account {email}")
        return account

    async def login(
        self,
        email: str,
        password: str,
        *,
        limiter: LoginLimiter,
        settings: StaffSettings,
        client_ip: str | None = None,
    ) -> IssuedStaffToken:
        email = email.strip().lower()
        anonymous = Actor(ANONYMOUS, client_ip=client_ip)
        try:
            await limiter.check(email, client_ip)
        except LoginThrottled:
            await self.audit.record(anonymous, "staff.login", status=429, target=f"email:{email}")
            raise
        account = await self.accounts.by_email(email)
        ok = await passwords.verify_password(account.password_hash if account else None, password)
        if account is None or not ok or account.disabled_at is not None:
            await limiter.count_failure(email, client_ip)
            await self.audit.record(anonymous, "staff.login", status=401, target=f"email:{email}")
            raise LoginFailed(_LOGIN_FAILED)
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = await passwords.hash_password(password)
        await limiter.forget(email, client_ip)
        return await self._issue(account, settings, client_ip)

    async def _issue(
        self, account: StaffAccount, settings: StaffSettings, client_ip: str | None
    ) -> IssuedStaffToken:
        now = utcnow()
        account.last_login_at = now
        role = Role(account.role)
        actor = Actor(f"staff:{account.id}", role=role.value, client_ip=client_ip)
        await self.audit.record(actor, "staff.login", target=_target(account))
        ttl_s = settings.staff_token_ttl_s
        token = issue_staff_token(
            account.id, role, secret=settings.secret_key, now=now, ttl_s=ttl_s
        )
        return IssuedStaffToken(account.id, token, ttl_s, role)


def _target(account: StaffAccount) -> str:
    return f"staff:{account.id}"
