"""The read side: a player's own quests, level and badges, shaped for the API."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle, Quest
from quests import credentials
from quests.exceptions import BadgeNotAwarded
from quests.grants import credential_path
from quests.levels import Level
from quests.repository import QuestRepository, RunRow
from quests.schemas import (
    BadgeRead,
    LevelRead,
    MyQuests,
    ProgressRead,
    QuestProgress,
    StepProgress,
)


def level_read(level: Level) -> LevelRead:
    return LevelRead(
        xp=level.total_xp,
        level=level.level,
        level_xp=level.level_xp,
        next_level_xp=level.next_level_xp,
    )


def quest_progress(quest: Quest, run: RunRow, language: str) -> QuestProgress:
    return QuestProgress(
        slug=quest.slug,
        title=quest.title.get(language),
        run=run.run_no,
        status="completed" if run.completed_at else "started",
        started_at=run.started_at,
        completed_at=run.completed_at,
        order=quest.order,
        steps=[
            StepProgress(
                id=step.id,
                kind=step.kind,
                poi=step.poi,
                done=step.id in run.steps,
                completed_at=run.steps.get(step.id),
            )
            for step in quest.steps
        ],
    )


class ProgressReader:
    def __init__(self, session: AsyncSession, bundle: Bundle) -> None:
        self.repository = QuestRepository(session)
        self.bundle = bundle

    async def level(self, player_id: uuid.UUID) -> LevelRead:
        return level_read(Level.of(await self.repository.total_xp(player_id)))

    async def quests(self, player_id: uuid.UUID, language: str) -> MyQuests:
        runs = await self.repository.runs(player_id)
        level = await self.level(player_id)
        progress = [
            quest_progress(quest, run, language)
            for run in runs
            if (quest := self.bundle.quest(run.quest)) is not None
        ]
        return MyQuests(**level.model_dump(), quests=progress)

    async def run(self, player_id: uuid.UUID, slug: str, language: str) -> QuestProgress | None:
        quest = self.bundle.quest(slug)
        runs = [r for r in await self.repository.runs(player_id) if r.quest == slug]
        if quest is None or not runs:
            return None
        return quest_progress(quest, max(runs, key=lambda r: r.run_no), language)

    async def badges(self, player_id: uuid.UUID, language: str) -> list[BadgeRead]:
        content = {badge.slug: badge for badge in self.bundle.badges}
        return [
            BadgeRead(
                slug=row.badge,
                name=badge.name.get(language),
                description=badge.description.get(language),
                awarded_at=row.awarded_at,
                credential_url=credential_path(row.badge),
            )
            for row in await self.repository.badges(player_id)
            if (badge := content.get(row.badge)) is not None
        ]

    async def summary(self, player_id: uuid.UUID) -> ProgressRead:
        record = await self.repository.record(player_id)
        level = await self.level(player_id)
        return ProgressRead(
            **level.model_dump(),
            quests_completed=len(record.completed_quests),
            badges=len(await self.repository.badges(player_id)),
            play_days=await self.repository.days_played(player_id),
            sites_visited=len(record.visited_pois),
        )

    async def credential(
        self, player_id: uuid.UUID, slug: str, *, base_url: str, secret: str
    ) -> str:
        """The signed credential of a badge the player owns (never anyone else's)."""
        row = await self.repository.badge(player_id, slug)
        badge = next((b for b in self.bundle.badges if b.slug == slug), None)
        if row is None or badge is None:
            raise BadgeNotAwarded(f"you have not been awarded the badge '{slug}'")
        award = credentials.Award(row.credential_id, player_id, row.awarded_at)
        return credentials.sign(badge, award, base_url=base_url, secret=secret)
