"""All SQL about staff accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.staff.models import StaffAccount, StaffGrant


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: StaffAccount) -> StaffAccount:
        self.session.add(account)
        await self.session.flush()
        return account

    async def get(self, staff_id: uuid.UUID) -> StaffAccount | None:
        return await self.session.get(StaffAccount, staff_id)

    async def by_email(self, email: str) -> StaffAccount | None:
        stmt = select(StaffAccount).where(StaffAccount.email == email)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def all(self) -> list[StaffAccount]:
        stmt = select(StaffAccount).order_by(StaffAccount.email)
        return list((await self.session.execute(stmt)).scalars())

    async def grants_of(self, staff_id: uuid.UUID) -> dict[str, str]:
        """{comune: role} of one account."""
        stmt = select(StaffGrant.city, StaffGrant.role).where(StaffGrant.staff_id == staff_id)
        return {row.city: row.role for row in await self.session.execute(stmt)}

    async def set_grant(self, staff_id: uuid.UUID, city: str, role: str | None) -> None:
        """Grant `role` on `city` (replacing any), or take it away when `role` is None."""
        found = await self.session.get(StaffGrant, (staff_id, city))
        if role is None:
            if found is not None:
                await self.session.delete(found)
        elif found is None:
            self.session.add(StaffGrant(staff_id=staff_id, city=city, role=role))
        else:
            found.role = role
        await self.session.flush()

    async def emails_of(self, staff_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not staff_ids:
            return {}
        stmt = select(StaffAccount.id, StaffAccount.email).where(StaffAccount.id.in_(staff_ids))
        return {row.id: row.email for row in await self.session.execute(stmt)}
