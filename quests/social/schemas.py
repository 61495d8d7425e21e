"""API models of the social endpoints. None of them has a field for a position."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from game_server.kit.inputs import NAME_RULE

TeamName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), NAME_RULE
]
CodeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class TeamCreate(BaseModel):
    name: TeamName


class CodeBody(BaseModel):
    code: CodeText = Field(
        description="as shown or read aloud: any case, dashes and spaces ignored"
    )


class TeamMemberRead(BaseModel):
    display_name: str


class TeamRead(BaseModel):
    team_id: uuid.UUID
    name: str
    join_code: str = Field(description="share it to let others join, e.g. K7QM-4XPR-W")
    member_count: int
    max_members: int
    members: list[TeamMemberRead]


class InviteCodeRead(BaseModel):
    code: str = Field(description="give it to a friend: they add you with POST /v1/friends")


class FriendRead(BaseModel):
    player_id: uuid.UUID
    display_name: str
    since: datetime


class FriendsRead(BaseModel):
    friends: list[FriendRead]


class FeedItemRead(BaseModel):
    # Display names only: no player id of anyone (docs/security.md); `me` marks the caller.
    display_name: str
    me: bool = Field(description="the caller's own item")
    kind: str
    data: dict[str, Any]
    at: datetime


class FeedRead(BaseModel):
    items: list[FeedItemRead]
    next_before: int | None = Field(description="pass as `before` for older items; null at the end")


class PlayerStanding(BaseModel):
    # Display names only: a board never carries a stranger's player id (docs/security.md).
    rank: int
    display_name: str | None
    me: bool = Field(description="the caller's own standing")
    score: int


class TeamStanding(BaseModel):
    rank: int
    team_id: uuid.UUID
    display_name: str | None
    score: int


class MyRank(BaseModel):
    rank: int
    score: int


class LeaderboardRead(BaseModel):
    city: str = Field(description="the comune whose board this is")
    board: str
    period: str = Field(description="`alltime` or the ISO week in Lecce, e.g. `2026-W47`")
    top: list[PlayerStanding] | list[TeamStanding]
    me: MyRank | None = Field(description="the caller (or the caller's team); null when unranked")
    around_me: list[PlayerStanding] | list[TeamStanding]
