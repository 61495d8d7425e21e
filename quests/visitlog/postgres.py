"""The gateway's hot write path on PostgreSQL: one statement per unit of work, in asyncpg.

Most of what a socket writes is a few geo events (`poi.enter`, `poi.exit`, `position.rejected`),
sometimes with a visit that the game has already judged to change nothing but the history
(see `quests.view`), or with a visit whose game reaction follows in a unit of work of its own
(`reaction_pending`: the geo events are not kept waiting for it). Through the ORM such a unit
of work costs three to five statements and about 1.5 ms of CPU; here it is one round trip of
about 0.1 ms. It keeps the contract of `game_server.events.log.append` exactly: `seq` is given
under the player's cursor row lock, so it is strictly increasing per player whatever the
worker, and an event is stored before it is sent.

A write that depends on what the game knew (a visit judged quiet) says which cursor value it was
judged against (`expect_seq`) and takes the player's row lock like every game unit of work does
(`quests.repository.QuestRepository.lock_players`); when anything else has been appended since,
nothing is written and None is returned, and the caller takes another path. The same happens
when the player has no cursor row yet, and, without waiting, when a game unit of work holds the
player's lock (SKIP LOCKED): it is about to change what the visit was judged on, and waiting for
it kept a pool connection and the socket's next events waiting up to seconds under load.

SQLite has no such path: there the gateway always uses the ORM (`quests.visitlog.orm` for quiet
visits; one writer anyway).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson

from game_server.events.log import NewEvent, StoredEvent
from quests.visitlog import Appended, VisitRow, longest

log = logging.getLogger(__name__)


# Data-modifying CTEs see one snapshot and all run; everything hangs off `c`, so when the cursor
# update matches nothing (another unit of work appended first, or no cursor), nothing is written.
# `l` takes the player's row lock first when the write depends on the game state ($5 not null),
# or finds nothing if a game unit of work holds it (then nothing is written either).
_LOCK = """
l AS (
    SELECT id FROM players
    WHERE id = $1 AND $5::integer IS NOT NULL
    FOR NO KEY UPDATE SKIP LOCKED
)"""
_CURSOR_MATCHES = "AND ($5::integer IS NULL OR (last_seq = $5 AND EXISTS (SELECT 1 FROM l)))"
_VISITS_AND_DAY = """
v AS (
    INSERT INTO visits AS old
        (player_id, poi, entered_ts_ms, visited_at, dwell_s, team_id, reaction_pending,
         reaction_owner)
    SELECT $1, y.poi, y.entered, $4, y.dwell,
           (SELECT team_id FROM team_members WHERE player_id = $1), $10,
           CASE WHEN $10 THEN $11::text END
    FROM c, unnest($6::text[], $7::bigint[], $8::float8[]) AS y(poi, entered, dwell)
    ON CONFLICT (player_id, poi, entered_ts_ms) DO UPDATE
    SET dwell_s = excluded.dwell_s,
        reaction_pending = old.reaction_pending OR excluded.reaction_pending,
        reaction_owner = CASE WHEN excluded.reaction_pending THEN excluded.reaction_owner
                              ELSE old.reaction_owner END
    WHERE old.dwell_s IS NULL OR old.dwell_s < excluded.dwell_s
), d AS (
    INSERT INTO play_days (player_id, city, day)
    SELECT $1, $12::text, $9::date FROM c WHERE $9::date IS NOT NULL
    ON CONFLICT DO NOTHING
)"""

# Events without a presence key (enters, exits, rejections: most writes).
_APPEND = f"""
WITH {_LOCK}, c AS (
    UPDATE event_cursors SET last_seq = last_seq + cardinality($2::text[])
    WHERE player_id = $1 {_CURSOR_MATCHES}
    RETURNING last_seq
), e AS (
    INSERT INTO player_events (player_id, seq, kind, data, created_at)
    SELECT $1, c.last_seq - cardinality($2::text[]) + x.ord, x.kind, x.data::json, $4
    FROM c, unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(kind, data, ord)
), {_VISITS_AND_DAY}
SELECT last_seq FROM c
"""  # noqa: S608 - built from the constants above, no input

# With a visit's event, keyed by its presence ($13). `x` leaves out the events of a presence
# already in the log (a visit reported again after a worker died before saving its tracker
# state): they take no `seq`. Two statements racing with the same presence both pass `x` (one
# snapshot); the unique index keeps the second one out (`e`), which then leaves a hole in
# `seq` — never a second copy.
_APPEND_KEYED = f"""
WITH {_LOCK}, x AS (
    SELECT u.kind, u.data, u.presence, u.ord, row_number() OVER (ORDER BY u.ord) AS k
    FROM unnest($2::text[], $3::text[], $13::text[]) WITH ORDINALITY AS u(kind, data, presence, ord)
    WHERE u.presence IS NULL OR NOT EXISTS (
        SELECT 1 FROM player_events p WHERE p.player_id = $1 AND p.presence = u.presence
    )
), n AS (
    SELECT count(*)::integer AS n FROM x
), c AS (
    UPDATE event_cursors SET last_seq = last_seq + (SELECT n FROM n)
    WHERE player_id = $1 {_CURSOR_MATCHES}
    RETURNING last_seq
), e AS (
    INSERT INTO player_events (player_id, seq, kind, data, created_at, presence)
    SELECT $1, c.last_seq - n.n + x.k, x.kind, x.data::json, $4, x.presence
    FROM c, n, x
    ON CONFLICT (player_id, presence) WHERE presence IS NOT NULL DO NOTHING
    RETURNING seq
), {_VISITS_AND_DAY}
SELECT c.last_seq, n.n,
       (SELECT array_agg(x.ord ORDER BY x.k) FROM x) AS kept,
       (SELECT array_agg(e.seq) FROM e) AS inserted
FROM c, n
"""  # noqa: S608 - built from the constants above, no input


def _kept(
    player_id: uuid.UUID,
    events: Sequence[NewEvent],
    at: datetime,
    last_seq: int,
    reserved: int,
    kept: list[int] | None,
    inserted: list[int] | None,
) -> Appended:
    """The events the keyed statement stored, with their seqs."""
    first, stored_seqs = last_seq - reserved + 1, set(inserted or ())
    stored = [
        StoredEvent(player_id, first + k, events[ordinal - 1].kind, events[ordinal - 1].data, at)
        for k, ordinal in enumerate(kept or ())
        if first + k in stored_seqs
    ]
    return Appended(last_seq, stored, reserved)


def asyncpg_dsn(database_url: str) -> str | None:
    """The plain DSN of a `postgresql+asyncpg://` URL; None for any other database."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in {"postgresql+asyncpg", "postgresql", "postgres"}:
        return None
    return f"postgresql://{rest}"


# A statement PostgreSQL rolled back as a deadlock victim or on a serialization failure is
# run again this many more times (see `FastLog._run`).
RETRIES = 2
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)

# Under overload a write gives up after this long rather than waiting for a connection
# forever (SQLAlchemy's pool does the same after 30 s): the socket is closed with 1013.
ACQUIRE_TIMEOUT_S = 30.0


async def _no_reset(_: asyncpg.Connection) -> None:
    return None


class FastLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        # Named as the owner of the reactions this worker records ahead (game_server.kit.liveness).
        self.worker_id: str | None = None

    @classmethod
    async def open(cls, database_url: str, *, max_size: int = 10) -> FastLog | None:
        dsn = asyncpg_dsn(database_url)
        if dsn is None:
            return None
        # Nothing here changes session state (no SET, LISTEN, advisory or temporary objects):
        # the default reset on release would cost a round trip per write.
        # min_size=0: no floor to restore after a database restart (asyncpg logs a traceback
        # per failed attempt); busy connections stay pooled for 5 minutes anyway.
        pool = await asyncpg.create_pool(dsn, min_size=0, max_size=max_size, reset=_no_reset)
        return cls(pool)

    async def close(self) -> None:
        await self._pool.close()

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
        """Append `events` (and record `visits`) in one statement; None: take the full path.

        `reaction_pending`: the visits are recorded ahead of the game's reaction, which the
        caller owes (`quests.service.GameService.react_to_pending`); a replayed visit that is not
        longer than the one recorded changes nothing and is owed nothing, as in the full path.
        """
        rows = longest(visits)  # one row per visit: the longest dwell reported in this batch
        args = (
            player_id,
            [e.kind for e in events],
            [orjson.dumps(e.data).decode() for e in events],
            at,
            expect_seq,
            [v.poi for v in rows],
            [v.entered_ts_ms for v in rows],
            [v.dwell_s for v in rows],
            play_day[1] if play_day else None,
            reaction_pending,
            self.worker_id,
            play_day[0] if play_day else None,
        )
        keys = [e.presence for e in events]
        if not any(keys):
            last_seq = await self._run("fetchval", _APPEND, *args)
            if last_seq is None:
                return None
            first = last_seq - len(events) + 1
            stored = [
                StoredEvent(player_id, first + i, e.kind, e.data, at) for i, e in enumerate(events)
            ]
            return Appended(last_seq, stored, len(events))
        row = await self._run("fetchrow", _APPEND_KEYED, *args, keys)
        return None if row is None else _kept(player_id, events, at, *row)

    async def _run(self, method: str, query: str, *args: Any) -> Any:
        """One statement, in its own transaction. A second line only: the writers take their
        locks in one order (`quests.repository.QuestRepository.lock_players`), so PostgreSQL
        should never pick this statement as a deadlock victim; if it ever does, the statement
        was rolled back whole and is run again, at most `RETRIES` more times."""
        for attempt in range(RETRIES + 1):
            try:
                async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as connection:
                    return await getattr(connection, method)(query, *args)
            except RETRYABLE as exc:
                if attempt == RETRIES:
                    raise
                log.warning("fast append retried after %s", type(exc).__name__)
        raise AssertionError("unreachable")
