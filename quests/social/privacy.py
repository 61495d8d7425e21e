"""What the GDPR deletion (`DELETE /v1/me`) must call before deleting a player's row."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from quests.social.models import XpScore
from quests.social.repository import TeamRepository


async def forget_player(session: AsyncSession, player_id: uuid.UUID) -> None:
    """Free the player's team seat and remove their scores from every board.

    Friendships, invite code and feed items go with the player row (ON DELETE CASCADE); a team
    seat must be released through the counter, and scores have no foreign key. A Redis copy of
    a board forgets the player at its next rebuild.
    """
    await TeamRepository(session).remove_member(player_id)
    await session.execute(delete(XpScore).where(XpScore.member == str(player_id)))
