"""Positions: each fix judged against the published world (pure `geo`), the tracker claimed,
what it earned stored, suspicious patterns put on record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from game_server.anticheat import service as anticheat
from game_server.district import footfall
from game_server.events.log import NewEvent
from game_server.gateway import protocol, suspicion
from game_server.gateway.actions import GameActions
from game_server.gateway.connection import CloseSocket, Connection, NotStored
from game_server.gateway.limits import AbuseMeter, Throttle, TokenBucket
from game_server.gateway.positions import Visit, longer_stays, rejected, to_events
from game_server.gateway.world import World
from game_server.kit.uow import unit_of_work
from geo import Fix, Outcome, Rejection

TRACKER_SAVE_EVERY_S = 5.0
# A frame whose state another socket keeps claiming first is judged at most this often.
CLAIM_ATTEMPTS = 3


@dataclass(slots=True)
class Limits:
    bucket: TokenBucket
    abuse: AbuseMeter
    notices: Throttle
    saved_at: float = 0.0


def _ts(fix: protocol.PositionFix) -> int:
    return fix.ts


@dataclass(slots=True)
class _Judged:
    """What one frame's fixes earned, and what looked suspicious."""

    events: list[NewEvent]
    visits: list[Visit]
    suspects: list[suspicion.Suspect]
    prints: list[tuple[str, protocol.PositionFix]]  # (site, the fix that made the visit)
    # Fixes the tracker accepted, for street footfall: (lat, lon, device ts in ms).
    accepted: list[tuple[float, float, int]] = field(default_factory=list)


def _fix(fix: protocol.PositionFix) -> Fix:
    return Fix(fix.lat, fix.lon, fix.accuracy, fix.ts, fix.mock)


class Moves(GameActions):
    async def _over_budget(self, conn: Connection, limits: Limits, now_s: float) -> None:
        """Drop a frame over the wall-clock budget; say so at most once per notice interval."""
        self.metrics.rate_limited.inc()
        self._refuse(limits, now_s)
        if limits.notices.allow("rate_limited", now_s):
            await self._commit(conn, [rejected("rate_limited", None)], [])

    def _refuse(self, limits: Limits, now_s: float) -> None:
        """Count a refused frame; close the socket on sustained abuse."""
        if limits.abuse.record(now_s):
            raise CloseSocket("too many frames; slow down")

    async def _positions(
        self,
        conn: Connection,
        frame: protocol.Position | protocol.Positions,
        limits: Limits,
        now_s: float,
    ) -> None:
        world = self._world(conn)
        if world is None:
            conn.send_local(
                protocol.error("no_content", "no game content is published yet", conn.language)
            )
            return
        fixes = [frame] if isinstance(frame, protocol.Position) else sorted(frame.fixes, key=_ts)
        now_ms = int(self.clock().timestamp() * 1000)
        unseen = conn.tracker, conn.last_fix_ts  # if the batch's events cannot be stored
        for _ in range(CLAIM_ATTEMPTS):
            judged = self._judge(conn, world, fixes, limits, now_s, now_ms)
            if not (judged.events or judged.visits):
                break
            # Claim the state before storing what it earned: another socket of the player
            # may have moved them meanwhile (one player, one place).
            claim = await self.trackers.claim(
                conn.player_id, conn.tracker_read, conn.tracker, conn.tracker_seq
            )
            conn.tracker_read = claim.raw
            if claim.ok:
                break
            assert claim.theirs is not None
            unseen = conn.tracker, conn.last_fix_ts = claim.theirs.state, unseen[1]
        else:
            judged = _Judged([], [], judged.suspects, [])  # still contested: store nothing
        self.metrics.counts.fixes += len(fixes)
        if judged.accepted and world.streets:
            tally = self._count_footfall(conn, world, judged.accepted)
            if tally:  # most fixes stay on (or off) a street: nothing to send, no await
                await footfall.send(self.backend, tally)
        if judged.events or judged.visits:
            try:
                await self._commit(conn, judged.events, judged.visits, world)
            except NotStored:
                # Forget the batch: the tracker state saved when the socket closes must not
                # count enters and visits that nobody stored. Uploaded again after
                # reconnecting, the same fixes earn them again.
                conn.tracker, conn.last_fix_ts = unseen
                raise
            await self._save_tracker(conn)  # now with the seq of the events just stored
            limits.saved_at = now_s
        elif now_s - limits.saved_at >= TRACKER_SAVE_EVERY_S:
            await self._save_tracker(conn)
            limits.saved_at = now_s
        if judged.suspects or judged.prints:
            await self._put_on_record(conn, judged, now_s)

    def _judge(
        self,
        conn: Connection,
        world: World,
        fixes: Sequence[protocol.PositionFix],
        limits: Limits,
        now_s: float,
        now_ms: int,
    ) -> _Judged:
        judged = _Judged([], [], [], [])
        for fix in fixes:
            before = conn.tracker
            outcomes = self._evaluate(conn, world, fix, now_ms, judged.suspects)
            anchor = conn.tracker.anchor
            if anchor is not None and anchor is not before.anchor and anchor.ts_ms == fix.ts:
                judged.accepted.append((anchor.lat, anchor.lon, anchor.ts_ms))
            # Read each fix's outcomes against the state right after it: a visit's entry time
            # and dwell must not depend on how the fixes were batched.
            new_events, new_visits = to_events(outcomes, conn.tracker, limits.notices, now_s)
            judged.events += new_events
            judged.visits += new_visits + longer_stays(before, conn.tracker, world.dwell_targets_ms)
            if new_visits:  # one fix inside overlapping fences makes several visits
                judged.prints.append((new_visits[0].poi, fix))
        return judged

    @staticmethod
    def _count_footfall(
        conn: Connection, world: World, accepted: list[tuple[float, float, int]]
    ) -> footfall.Tally:
        """Street footfall: the steps onto and off a street, the only news for the backend."""
        tally = footfall.Tally([], [])
        for lat, lon, ts_ms in accepted:
            conn.on_street = footfall.step(
                world.streets, conn.player_id, conn.on_street, lat, lon, ts_ms, tally
            )
        return tally

    async def _leave_street(self, conn: Connection) -> None:
        if conn.on_street is None:
            return
        tally = footfall.Tally([], [])
        footfall.leave(conn.on_street, tally)
        conn.on_street = None
        await footfall.send(self.backend, tally)

    async def _save_tracker(self, conn: Connection) -> None:
        """Save unless another socket of the player saved first: then take their state."""
        claim = await self.trackers.claim(
            conn.player_id, conn.tracker_read, conn.tracker, conn.tracker_seq
        )
        conn.tracker_read = claim.raw
        if claim.theirs is not None:
            conn.tracker = claim.theirs.state

    async def _put_on_record(self, conn: Connection, judged: _Judged, now_s: float) -> None:
        """Suspicious patterns of this frame on the player's record (its own unit of work)."""
        suspects = list(judged.suspects)
        for poi, fix in judged.prints:
            found = await suspicion.replayed(self.backend, conn.player_id, poi, _fix(fix))
            if found is not None:
                suspects.append(found)
        conn.recorded = conn.recorded or suspicion.Recorded()
        due = conn.recorded.due(suspects, now_s)
        if not due:
            return
        try:
            async with unit_of_work(self.factory, lock=self._writes) as session:
                for kind, evidence in due:
                    await anticheat.record(session, conn.player_id, kind, evidence)
        except Exception as exc:  # the record is lost, the play goes on
            self._background_failed(exc, "recording suspicious patterns")

    def _evaluate(
        self,
        conn: Connection,
        world: World,
        fix: protocol.PositionFix,
        now_ms: int,
        suspects: list[suspicion.Suspect],
    ) -> list[Outcome]:
        last = conn.last_fix_ts
        if last is not None and 0 <= fix.ts - last < self.settings.min_fix_interval_s * 1000:
            self.metrics.fixes_dropped.inc()
            return []
        anchor = conn.tracker.anchor
        geo_fix = _fix(fix)
        if anchor is not None and anchor is not conn.own_anchor and not fix.mock:
            # The last position was set by another socket of the player.
            apart = suspicion.elsewhere(self.geo, anchor, geo_fix)
            if apart is not None:
                suspects.append(("two_places", {"ts": fix.ts, **apart}))
                return [Rejection("two_places", fix.ts)]
        state, outcomes = world.tracker.process(conn.tracker, geo_fix, now_ms)
        conn.tracker = state
        if state.anchor is not anchor:
            conn.own_anchor = state.anchor
        if last is None or fix.ts > last:
            conn.last_fix_ts = fix.ts
        if outcomes and isinstance(outcomes[0], Rejection):
            found = suspicion.rejection_suspect(self.geo, outcomes[0], anchor, geo_fix)
            if found is not None:
                suspects.append(found)
        return outcomes
