"""Every table that refers to players is covered by export and erase (game_server/privacy/plan).

Walks the SQLAlchemy metadata of every mapped table: a table with a foreign key to `players`
(directly, or through another such table), or with a column named like a player id, must have
its entry in the plan; so a table added later cannot be forgotten by export or erase.
"""

from __future__ import annotations

import re

from sqlalchemy import Table

from game_server.models import Base
from game_server.privacy.plan import LINKED, MENTIONS, PLAN, Erase

PLAYER_COLUMN = re.compile(r"(^|_)(player|member|low|high|owner|user)(_id)?$")


def _refers_to_players(table: Table, referring: set[str]) -> bool:
    for fk in table.foreign_keys:
        if fk.column.table.name == "players" or fk.column.table.name in referring:
            return True
    return table.name != "players" and any(
        PLAYER_COLUMN.search(column.name) and column.name != "member_count"
        for column in table.columns
    )


def tables_referring_to_players() -> set[str]:
    referring = {"players"}
    for _ in Base.metadata.sorted_tables:  # bounded fixpoint: one table more each pass
        more = {
            t.name
            for t in Base.metadata.sorted_tables
            if t.name not in referring and _refers_to_players(t, referring)
        }
        if not more:
            break
        referring |= more
    return referring


def test_every_table_referring_to_players_is_covered() -> None:
    covered = {s.table for s in PLAN} | set(LINKED)
    missing = tables_referring_to_players() - covered
    assert not missing, (
        f"tables refer to players but export/erase do not cover them: {sorted(missing)}; "
        "add them to game_server/privacy/plan.py and docs/privacy.md"
    )


def test_the_plan_names_real_tables_and_columns() -> None:
    tables = Base.metadata.tables
    for section in PLAN:
        assert section.table in tables, section.table
        for column in (*section.columns, *section.hidden):
            assert column in tables[section.table].c, f"{section.table}.{column}"
    assert set(LINKED) <= set(tables)
    assert set(MENTIONS) <= set(tables)
    assert len({s.section for s in PLAN}) == len(PLAN)


def test_the_walk_finds_what_it_must() -> None:
    found = tables_referring_to_players()
    # Direct, composite (through quest_runs), two-column and text-member references.
    assert {"visits", "step_completions", "friendships", "xp_scores", "redemptions"} <= found
    assert "merchants" not in found
    assert "teams" not in found


def test_kept_rows_say_why() -> None:
    for section in PLAN:
        if section.erase is not Erase.DELETE:
            assert section.why, section.table
