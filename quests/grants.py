"""Paying a completed quest: XP, badge, coupon — each once, each with its event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY, Bundle, Quest
from game_server.anticheat.evidence import EvidenceJudge
from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from quests import hooks
from quests.engine import QuestCompleted
from quests.levels import Level
from quests.repository import QuestRepository
from quests.social.settings import SocialSettings
from rewards.issuance import issue_coupon

if TYPE_CHECKING:
    from quests.service import Batch


def credential_path(badge: str) -> str:
    return f"/v1/me/badges/{badge}/credential"


class Grants:
    def __init__(
        self,
        session: AsyncSession,
        bundle: Bundle,
        repository: QuestRepository,
        settings: KernelSettings | None,
        backend: Backend | None,
        social: SocialSettings | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.social = social
        self.bundle = bundle
        self.repository = repository
        self.backend = backend

    async def quest_completed(
        self, batch: Batch, player_id: uuid.UUID, done: QuestCompleted, at: datetime
    ) -> None:
        """Called once per completion: only by the unit of work that inserted it."""
        reason = f"quest:{done.quest}:{done.run_no}"
        rewards = done.rewards
        batch.add(
            player_id,
            "quest.completed",
            {"quest": done.quest, "run": done.run_no, "rewards": rewards.model_dump()},
        )
        quest = self.bundle.quest(done.quest)
        title = quest.title.model_dump() if quest is not None else {}
        await hooks.record_feed(
            self.session,
            player_id,
            "quest.completed",
            {"quest": done.quest, "run": done.run_no, "title": title},
        )
        if rewards.xp > 0:
            city = quest.city if quest is not None else DEFAULT_CITY
            await self.xp(batch, player_id, rewards.xp, reason, at, city, quest=done.quest)
        if rewards.badge is not None:
            await self.badge(batch, player_id, rewards.badge, reason, at)
        if rewards.coupon is not None and quest is not None:
            await self.coupon(batch, player_id, rewards.coupon, quest, done.run_no, at)

    async def xp(
        self,
        batch: Batch,
        player_id: uuid.UUID,
        amount: int,
        reason: str,
        at: datetime,
        city: str = DEFAULT_CITY,
        **context: Any,
    ) -> None:
        """Grant XP once per `reason`; it counts on comune `city`'s leaderboards."""
        if not await self.repository.award_xp(player_id, reason, amount, at):
            return
        level = Level.of(await self.repository.total_xp(player_id))
        batch.add(
            player_id,
            "xp.gained",
            {
                "xp": amount,
                "total": level.total_xp,
                "level": level.level,
                "next_level_xp": level.next_level_xp,
                "reason": reason,
                **context,
            },
        )
        await hooks.record_xp(
            self.session, self.settings, self.backend, player_id, amount, at, city, self.social
        )

    async def badge(
        self, batch: Batch, player_id: uuid.UUID, slug: str, reason: str, at: datetime
    ) -> None:
        badge = next((b for b in self.bundle.badges if b.slug == slug), None)
        if badge is None or not await self.repository.award_badge(player_id, slug, reason, at):
            return
        data = {
            "badge": slug,
            "name": badge.name.model_dump(),
            "description": badge.description.model_dump(),
            "credential_url": credential_path(slug),
        }
        batch.add(player_id, "badge.awarded", data)
        await hooks.record_feed(
            self.session,
            player_id,
            "badge.awarded",
            {"badge": slug, "title": badge.name.model_dump()},
        )

    async def coupon(
        self,
        batch: Batch,
        player_id: uuid.UUID,
        slug: str,
        quest: Quest,
        run_no: int,
        at: datetime,
    ) -> None:
        """Issue the quest's coupon if its evidence holds, held if a moderator must look,
        or not at all if the steps were faster than a walk in server time
        (docs/anti-cheat.md)."""
        template = next((c for c in self.bundle.coupons if c.slug == slug), None)
        if template is None:
            return
        judge = EvidenceJudge(self.session, self.bundle, self.settings, self.backend)
        verdict = await judge.judge(template, player_id, quest, run_no, at)
        if verdict.action == "withhold":
            data = {"template": slug, "quest": quest.slug, "run": run_no, "reason": verdict.reason}
            batch.add(player_id, "coupon.withheld", data)
            return
        reason = f"quest:{quest.slug}:{run_no}"
        hold = verdict.reason if verdict.action == "hold" else None
        issued = await issue_coupon(
            self.session, template, player_id, reason, now=at, hold_reason=hold
        )
        if issued is not None:
            batch.add(player_id, "coupon.issued", issued.event_data())
