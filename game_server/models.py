"""Every mapped table, imported in one place for Alembic and for `create_all` in tests."""

from game_server.anticheat.models import SuspicionRecord
from game_server.audit.models import AuditEntry
from game_server.catalog.models import Area, ContentVersion, Poi
from game_server.district.models import DistrictReport, StreetFootfall
from game_server.events.models import EventCursor, PlayerEvent
from game_server.jobs.models import JobRun
from game_server.kit.db import Base
from game_server.kit.liveness import WorkerHeartbeat
from game_server.opendata.models import OpenDataCell, OpenDataRelease
from game_server.players.models import Player, RefreshToken
from game_server.players.passkeys.models import Passkey, UsedChallenge
from game_server.staff.models import StaffAccount, StaffGrant
from quests.models import (
    PlayDay,
    PlayerBadge,
    QuestCompletion,
    QuestRun,
    QuizFailure,
    StepCompletion,
    Visit,
    VisitedSite,
    XpAward,
)
from quests.social.models import FeedItem, Friendship, InviteCode, Team, TeamMember, XpScore
from rewards.models import (
    Coupon,
    CouponTemplateCounter,
    IdempotencyRecord,
    Merchant,
    MerchantApiKey,
    MerchantAuditEntry,
    Redemption,
)

__all__ = [
    "Area",
    "AuditEntry",
    "Base",
    "ContentVersion",
    "Coupon",
    "CouponTemplateCounter",
    "DistrictReport",
    "EventCursor",
    "FeedItem",
    "Friendship",
    "IdempotencyRecord",
    "InviteCode",
    "JobRun",
    "Merchant",
    "MerchantApiKey",
    "MerchantAuditEntry",
    "OpenDataCell",
    "OpenDataRelease",
    "Passkey",
    "PlayDay",
    "Player",
    "PlayerBadge",
    "PlayerEvent",
    "Poi",
    "QuestCompletion",
    "QuestRun",
    "QuizFailure",
    "Redemption",
    "RefreshToken",
    "StaffAccount",
    "StaffGrant",
    "StepCompletion",
    "StreetFootfall",
    "SuspicionRecord",
    "Team",
    "TeamMember",
    "UsedChallenge",
    "Visit",
    "VisitedSite",
    "WorkerHeartbeat",
    "XpAward",
    "XpScore",
]
