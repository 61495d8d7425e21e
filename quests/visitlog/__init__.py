"""The visit log: a player's events appended together with the visits (and play day) they
record, in one transaction, owned by the quest domain whose tables (`visits`, `play_days`) it
writes. One protocol, two implementations, one contract suite run over both
(`tests/quests/test_visitlog_contract.py`):

- `quests.visitlog.postgres.FastLog`: PostgreSQL only, one asyncpg statement per write (the
  gateway's hot path there);
- `quests.visitlog.orm.OrmVisitLog`: SQLAlchemy, its own unit of work, any dialect (the
  gateway's quiet visits on SQLite).

The contract of `append(player_id, events, at=…, expect_seq=…, visits=…, play_day=…,
reaction_pending=…)`:

- the events are appended with the event log's contract (`game_server.events.log.append`):
  `seq` strictly increasing per player, an event of a presence already in the log is not
  stored again and takes no `seq`; `created_at` is `at`;
- each visit is recorded once (`visits`' primary key), with the longest dwell reported;
  `reaction_pending` marks a visit recorded ahead of the game's reaction, owed by `worker_id`
  (`game_server.kit.liveness`), and a replay that is not longer changes nothing;
- `play_day` (`(city, day)`, `quests.models.PlayDay`) is added once;
- None, and nothing written, when the player has no event cursor, or when `expect_seq` is given
  and the player's cursor is not at it, or (PostgreSQL) a game unit of work holds the player's
  row lock: the caller takes the full unit of work instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from game_server.events.log import NewEvent, StoredEvent


@dataclass(frozen=True, slots=True)
class VisitRow:
    """A visit to record (`visits`): for the history only, or with its reaction still owed."""

    poi: str
    entered_ts_ms: int
    dwell_s: float


@dataclass(frozen=True, slots=True)
class Appended:
    last_seq: int
    events: list[StoredEvent]  # those stored: a presence already in the log is not
    reserved: int  # the `seq`s taken: last_seq - reserved is the cursor before the write


def longest(visits: Sequence[VisitRow]) -> list[VisitRow]:
    """One row per visit: the longest dwell reported in this batch (first-seen order)."""
    merged: dict[tuple[str, int], VisitRow] = {}
    for v in visits:
        known = merged.get((v.poi, v.entered_ts_ms))
        if known is None or known.dwell_s < v.dwell_s:
            merged[(v.poi, v.entered_ts_ms)] = v
    return list(merged.values())


class VisitLog(Protocol):
    # Named as the owner of the reactions this worker records ahead (game_server.kit.liveness).
    worker_id: str | None

    async def append(
        self,
        player_id: uuid.UUID,
        events: Sequence[NewEvent],
        *,
        at: datetime,
        expect_seq: int | None = None,
        visits: Sequence[VisitRow] = (),
        play_day: tuple[str, date] | None = None,
        reaction_pending: bool = False,
    ) -> Appended | None:
        """Append `events` and record `visits` in one transaction; None: take the full path."""
        ...

    async def close(self) -> None: ...
