"""Whether a coupon's evidence holds, at the moment its quest completes.

Three answers: issue it; issue it `held` with a reason a moderator reads (and the player
sees); or withhold it (the server-time record shows the steps faster than a walk: nobody can
release what did not happen). Each failure is put on the player's record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle, CouponTemplate, Quest
from game_server.anticheat import attestation
from game_server.anticheat.service import record, risk_of
from game_server.anticheat.settings import AntiCheatSettings
from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from game_server.players.models import Player
from quests.models import StepCompletion
from quests.presence import DEFAULT_WALK_MPS, legs
from rewards.models import Coupon

DEFAULT_DWELL_S = 20.0
DEFAULT_THRESHOLD = 10.0


@dataclass(frozen=True, slots=True)
class CouponVerdict:
    action: Literal["issue", "hold", "withhold"]
    reason: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


ISSUE = CouponVerdict("issue")


class EvidenceJudge:
    def __init__(
        self,
        session: AsyncSession,
        bundle: Bundle,
        settings: KernelSettings | None,
        backend: Backend | None,
    ) -> None:
        self.session = session
        self.bundle = bundle
        # The game hands on the app's settings, which carry anti-cheat's; without them (a bare
        # kernel's, or none), the defaults.
        self.settings = settings if isinstance(settings, AntiCheatSettings) else None
        self.backend = backend

    async def judge(
        self,
        template: CouponTemplate,
        player_id: uuid.UUID,
        quest: Quest,
        run_no: int,
        at: datetime,
    ) -> CouponVerdict:
        """Judge and put any failure on the player's record (never commits)."""
        verdict = await self._presence(template, player_id, quest, run_no)
        if verdict is ISSUE:
            verdict = await self._hold(template, player_id, quest, at)
        if verdict is not ISSUE:
            kind = verdict.evidence.pop("kind", None)
            if kind is not None:
                await record(self.session, player_id, kind, verdict.evidence, at=at)
        return verdict

    async def _presence(
        self, template: CouponTemplate, player_id: uuid.UUID, quest: Quest, run_no: int
    ) -> CouponVerdict:
        if template.evidence.presence != "server_time":
            return ISSUE
        stmt = select(StepCompletion.step_id, StepCompletion.completed_at).where(
            StepCompletion.player_id == player_id,
            StepCompletion.quest == quest.slug,
            StepCompletion.run_no == run_no,
        )
        completed = {step: at for step, at in (await self.session.execute(stmt)).all()}
        walk = self.settings.presence_walk_mps if self.settings else DEFAULT_WALK_MPS
        dwell = self.settings.geo_settings().dwell_s if self.settings else DEFAULT_DWELL_S
        pois = {p.slug: p for p in self.bundle.pois}
        fast = [g for g in legs(quest, pois, completed, walk_mps=walk, default_dwell_s=dwell)]
        fast = [g for g in fast if g.too_fast]
        if not fast:
            return ISSUE
        worst = min(fast, key=lambda g: g.seen_s - g.needed_s)
        evidence = {
            "kind": "late_batch",
            "quest": quest.slug,
            "run": run_no,
            "coupon": template.slug,
            "from": worst.from_poi,
            "to": worst.to_poi,
            "seen_s": round(worst.seen_s, 1),
            "needed_s": worst.needed_s,
            "walk_mps": walk,
        }
        return CouponVerdict(
            "withhold",
            f"{worst.from_poi} → {worst.to_poi} took {worst.seen_s:.0f} s in server time; "
            f"a walk needs {worst.needed_s:.0f} s",
            evidence,
        )

    async def _hold(
        self, template: CouponTemplate, player_id: uuid.UUID, quest: Quest, at: datetime
    ) -> CouponVerdict:
        player = await self.session.get(Player, player_id)
        evidence = template.evidence
        if player is not None and evidence.min_account_age_s > 0:
            age_s = (at - player.created_at).total_seconds()
            if age_s < evidence.min_account_age_s:
                return CouponVerdict(
                    "hold",
                    f"account {age_s:.0f} s old; this coupon needs {evidence.min_account_age_s} s",
                )
        if evidence.upgraded_account and (player is None or player.upgraded_at is None):
            return CouponVerdict("hold", "this coupon needs an upgraded (non-guest) account")
        if (
            evidence.attestation
            and self._attestation_on()
            and not await attestation.is_attested(self.backend, player_id)
        ):
            return CouponVerdict(
                "hold",
                "this coupon needs a device attestation",
                {"kind": "attestation", "coupon": template.slug, "missing": True},
            )
        shared = await self._shared_client(template, player, quest)
        if shared is not None:
            return shared
        return await self._risk(player_id, at)

    def _attestation_on(self) -> bool:
        return self.settings is not None and self.settings.attestation != "off"

    async def _shared_client(
        self, template: CouponTemplate, player: Player | None, quest: Quest
    ) -> CouponVerdict | None:
        """A team quest's coupon already collected by another account of the same client."""
        if not template.evidence.team_distinct_clients or player is None:
            return None
        if player.signup_client is None or not any(s.kind == "team" for s in quest.steps):
            return None
        stmt = (
            select(func.count())
            .select_from(Coupon)
            .join(Player, Player.id == Coupon.player_id)
            .where(
                Player.signup_client == player.signup_client,
                Player.id != player.id,
                Coupon.template_slug == template.slug,
                Coupon.reason.startswith(f"quest:{quest.slug}:"),
                Coupon.state.in_(("issued", "redeemed")),
            )
        )
        others = int((await self.session.execute(stmt)).scalar_one())
        if not others:
            return None
        return CouponVerdict(
            "hold",
            "another account of the same client already collected this team coupon",
            {
                "kind": "shared_client",
                "coupon": template.slug,
                "quest": quest.slug,
                "other_accounts": others,
            },
        )

    async def _risk(self, player_id: uuid.UUID, at: datetime) -> CouponVerdict:
        threshold = self.settings.risk_hold_threshold if self.settings else DEFAULT_THRESHOLD
        risk = await risk_of(self.session, player_id, at=at)
        if risk < threshold:
            return ISSUE
        return CouponVerdict("hold", f"risk score {risk:g} ≥ {threshold:g}: a moderator checks")
