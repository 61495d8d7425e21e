"""Where the database keeps something about a player, and what export and erase do with it.

One entry per table that refers to players. `tests/game_server/privacy/test_plan.py` walks the
SQLAlchemy metadata and fails when a table that refers to players (a foreign key to `players`,
directly or through another table, or a column named like a player id) has no entry here: a
table added later cannot be forgotten by export or erase. docs/privacy.md describes each
section field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Erase(StrEnum):
    DELETE = "delete"  # every row naming the player is deleted
    ANONYMISE = "anonymise"  # rows stay, the column naming the player is set to NULL
    KEEP = "keep"  # rows stay and no longer name the player (see `why`)


@dataclass(frozen=True, slots=True)
class Section:
    table: str
    section: str  # its key in the export document
    columns: tuple[str, ...]  # the columns that hold the player's id (any of them)
    erase: Erase
    why: str = ""
    as_text: bool = False  # the id is stored as text (e.g. a leaderboard member)
    hidden: tuple[str, ...] = ()  # columns left out of the export (secrets' hashes)


PLAN: tuple[Section, ...] = (
    Section("players", "profile", ("id",), Erase.DELETE),
    Section(
        "refresh_tokens",
        "sessions",
        ("player_id",),
        Erase.DELETE,
        hidden=("token_hash",),
        why="deleting them refuses every refresh token at once",
    ),
    Section(
        "player_passkeys",
        "passkeys",
        ("player_id",),
        Erase.DELETE,
        hidden=("credential_id", "public_key"),
        why="deleted, the passkey signs nobody in any more",
    ),
    Section("event_cursors", "event_cursor", ("player_id",), Erase.DELETE),
    Section("player_events", "events", ("player_id",), Erase.DELETE),
    Section("visits", "visits", ("player_id",), Erase.DELETE),
    Section("quest_runs", "quest_runs", ("player_id",), Erase.DELETE),
    Section("step_completions", "step_completions", ("player_id",), Erase.DELETE),
    Section("quest_completions", "quest_completions", ("player_id",), Erase.DELETE),
    Section("xp_awards", "xp_awards", ("player_id",), Erase.DELETE),
    Section("player_badges", "badges", ("player_id",), Erase.DELETE),
    Section("play_days", "play_days", ("player_id",), Erase.DELETE),
    Section("quiz_failures", "quiz_failures", ("player_id",), Erase.DELETE),
    Section("visited_sites", "visited_sites", ("player_id",), Erase.DELETE),
    Section("team_members", "team", ("player_id",), Erase.DELETE, why="the seat is freed"),
    Section("invite_codes", "invite_code", ("player_id",), Erase.DELETE),
    Section("friendships", "friends", ("low_id", "high_id"), Erase.DELETE),
    Section("feed_items", "feed", ("player_id",), Erase.DELETE),
    Section("xp_scores", "scores", ("member",), Erase.DELETE, as_text=True),
    Section(
        "anticheat_records",
        "anticheat_records",
        ("player_id",),
        Erase.DELETE,
        why="suspicious patterns on record (docs/anti-cheat.md)",
    ),
    Section(
        "coupons",
        "coupons",
        ("player_id",),
        Erase.ANONYMISE,
        why="a coupon with a redemption stays in the shop's books without the player; the "
        "others are deleted",
    ),
)

# Tables that reach players only through another table of the plan.
LINKED: dict[str, str] = {
    "redemptions": "kept in the shop's books: they name a coupon, which no longer names the "
    "player after erase (exported under `redemptions`)",
}

# Text columns of other tables that may name a player in free form.
MENTIONS: dict[str, str] = {
    "audit_log": "staff actions on the player (ban, unban) keep `target = player:<id>`: the "
    "log is append-only by law and by trigger; after erase the id points at nothing "
    "(exported under `moderation`)",
}


def section_of(table: str) -> Section | None:
    return next((s for s in PLAN if s.table == table), None)
