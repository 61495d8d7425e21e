"""All SQL about staff accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.staff.models import StaffAccount


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

    async def emails_of(self, staff_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not staff_ids:
            return {}
        stmt = select(StaffAccount.id, StaffAccount.email).where(StaffAccount.id.in_(staff_ids))
        return {row.id: row.email for row in await self.session.execute(stmt)}
