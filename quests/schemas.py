from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class EventRead(BaseModel):
    seq: int
    kind: str
    data: dict[str, Any]


class StepProgress(BaseModel):
    id: str
    kind: str
    poi: str
    done: bool
    completed_at: datetime | None = None


class QuestProgress(BaseModel):
    slug: str
    title: str
    run: int = Field(description="which run of a repeatable quest (from 1)")
    status: Literal["started", "completed"]
    started_at: datetime
    completed_at: datetime | None = None
    order: Literal["any", "sequence"]
    steps: list[StepProgress]


class LevelRead(BaseModel):
    xp: int
    level: int
    level_xp: int = Field(description="total XP at which the current level started")
    next_level_xp: int = Field(description="total XP needed for the next level")


class MyQuests(LevelRead):
    quests: list[QuestProgress] = Field(description="every run, oldest first")


class StartResult(BaseModel):
    quest: QuestProgress
    events: list[EventRead]


class BadgeRead(BaseModel):
    slug: str
    name: str
    description: str
    awarded_at: datetime
    credential_url: str


class ProgressRead(LevelRead):
    quests_completed: int
    badges: int
    play_days: int
    sites_visited: int
