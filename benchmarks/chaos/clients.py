"""The suite's players, till and prober: real clients that retry as real ones would.

A bot walks a real route at 1 Hz, keeps every event it receives by `seq` (a second copy is
counted), reconnects after any close to the next worker with `resume_after`, buffers its fixes
while disconnected and uploads them as a batch, and pings every 2 s (its last pong tells the
socket is served). The till redeems coupons with an Idempotency-Key and retries the same key
on any 5xx or transport error, on the other worker. The prober reads `/v1/me`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from game_server.simulate import Site, route, walk

DWELL_S = 30
MAX_BUFFERED = 600
# Fixes sent this long before a socket closed may not have been stored (a close 1013 forgets
# its batch; a killed worker may have died before storing): a phone uploads them again.
RESEND_S = 15
RECONNECT_S = (0.2, 0.5, 1.0, 1.0, 2.0)


@dataclass
class Received:
    seq: int
    kind: str
    data: dict[str, Any]
    at: float  # wall clock, s


@dataclass
class Bot:
    name: str
    token: str
    player_id: str
    urls: list[str]
    rng: random.Random
    prefer: int = 0
    received: dict[int, Received] = field(default_factory=dict)
    received_twice: int = 0
    closes: list[tuple[float, int]] = field(default_factory=list)  # (when, close code)
    errors: Counter[str] = field(default_factory=Counter)
    connected: bool = False
    last_pong: float = 0.0
    buffered: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # the last RESEND_S fixes sent
    ws: Any = None

    @property
    def last_seq(self) -> int:
        return max(self.received, default=0)

    async def run(self, sites: list[Site], stop_at: float) -> None:
        walker = asyncio.create_task(self._walk(sites, stop_at))
        try:
            attempt = 0
            while time.time() < stop_at:
                served = await self._session(self.urls[self.prefer], stop_at)
                self.prefer = (self.prefer + 1) % len(self.urls)  # the other worker next
                attempt = 0 if served else attempt + 1
                await asyncio.sleep(RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)])
        finally:
            walker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await walker

    async def _session(self, base: str, stop_at: float) -> bool:
        """One socket until it closes; True if it was welcomed."""
        welcomed = False
        try:
            async with connect(
                base.replace("http", "ws", 1) + "/v1/play",
                compression=None,
                open_timeout=5,
                close_timeout=2,
            ) as ws:
                hello = {"type": "hello", "token": self.token, "resume_after": self.last_seq}
                await ws.send(orjson.dumps(hello).decode())
                pinger = asyncio.create_task(self._ping(ws))
                try:
                    async for raw in ws:
                        frame = orjson.loads(raw)
                        if frame["type"] == "welcome":
                            welcomed = True
                            await self._connected(ws)
                        else:
                            self._frame(frame)
                        if time.time() > stop_at + 30:
                            break
                finally:
                    self.connected, self.ws = False, None
                    pinger.cancel()
        except ConnectionClosed as closed:
            self.closes.append((time.time(), closed.rcvd.code if closed.rcvd else 1006))
        except (OSError, InvalidHandshake, InvalidStatus, TimeoutError) as exc:
            self.errors[type(exc).__name__] += 1
        return welcomed

    async def _connected(self, ws: Any) -> None:
        self.ws, self.connected = ws, True
        fixes = (self.sent + self.buffered)[-MAX_BUFFERED:]
        self.buffered, self.sent = [], []
        if fixes:
            await ws.send(orjson.dumps({"type": "positions", "fixes": fixes}).decode())

    def _frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "pong":
            self.last_pong = time.time()
        elif frame["type"] == "event":
            seq = int(frame["seq"])
            if seq in self.received:
                self.received_twice += 1
            else:
                self.received[seq] = Received(seq, frame["kind"], frame["data"], time.time())
        elif frame["type"] == "error":
            self.errors[f"error:{frame.get('code')}"] += 1

    async def _ping(self, ws: Any) -> None:
        while True:
            with contextlib.suppress(ConnectionClosed):
                await ws.send('{"type": "ping"}')
            await asyncio.sleep(2)

    async def _walk(self, sites: list[Site], stop_at: float) -> None:
        here = self.rng.choice(sites)
        while time.time() < stop_at:
            for there in route(sites, self.rng, 3):
                for lat, lon, accuracy in walk(here, there, self.rng, dwell_s=DWELL_S):
                    if time.time() >= stop_at:
                        return
                    await self._fix(
                        {
                            "lat": lat,
                            "lon": lon,
                            "accuracy": accuracy,
                            "ts": int(time.time() * 1000),
                        }
                    )
                    await asyncio.sleep(1)
                here = there

    async def _fix(self, fix: dict[str, Any]) -> None:
        ws = self.ws
        if ws is not None and self.connected:
            try:
                await ws.send(orjson.dumps({"type": "position", **fix}).decode())
                self.sent.append(fix)
                del self.sent[:-RESEND_S]
                return
            except ConnectionClosed:
                pass
        self.buffered.append(fix)
        del self.buffered[:-MAX_BUFFERED]

    async def sync(self, last_seq: int, timeout_s: float) -> None:
        """Wait until every stored event has arrived (a bot catches up on its reconnects)."""
        deadline = time.time() + timeout_s
        while self.last_seq < last_seq and time.time() < deadline:  # noqa: ASYNC110 - polling
            await asyncio.sleep(0.2)


@dataclass
class Till:
    urls: list[str]
    api_key: str
    codes: list[str]
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    acked: dict[str, str] = field(default_factory=dict)  # code -> redemption id
    refused: dict[str, int] = field(default_factory=dict)
    last_ok: float = 0.0
    answers: list[tuple[float, int]] = field(default_factory=list)

    async def run(self, stop_at: float, every_s: float = 0.25) -> None:
        worker = 0
        async with httpx.AsyncClient(timeout=5) as http:
            for code in self.codes:
                if time.time() >= stop_at:
                    return
                worker = await self._redeem(http, code, worker)
                await asyncio.sleep(every_s)

    async def _redeem(self, http: httpx.AsyncClient, code: str, worker: int) -> int:
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": str(uuid.uuid4())}
        for _ in range(400):  # bounded: ~2 minutes of retries
            try:
                response = await http.post(
                    f"{self.urls[worker]}/merchant/v1/redemptions",
                    json={"code": code},
                    headers=headers,
                )
            except httpx.HTTPError:
                self.transport_errors += 1
                worker = (worker + 1) % len(self.urls)
                await asyncio.sleep(0.3)
                continue
            self.statuses[response.status_code] += 1
            self.answers.append((time.time(), response.status_code))
            if response.status_code in (200, 201):
                self.acked[code] = response.json()["id"]
                self.last_ok = time.time()
                return worker
            if response.status_code >= 500 or response.status_code in (409, 429):
                if response.status_code >= 500:
                    worker = (worker + 1) % len(self.urls)
                await asyncio.sleep(0.3)
                continue
            self.refused[code] = response.status_code
            return worker
        return worker


@dataclass
class Prober:
    """REST as a player's app uses it: `/v1/me` on each worker in turn."""

    urls: list[str]
    token: str
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    last_ok: float = 0.0
    answers: list[tuple[float, int]] = field(default_factory=list)

    async def run(self, stop_at: float) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(timeout=3, headers=headers) as http:
            n = 0
            while time.time() < stop_at:
                n += 1
                try:
                    response = await http.get(f"{self.urls[n % len(self.urls)]}/v1/me")
                except httpx.HTTPError:
                    self.transport_errors += 1
                else:
                    self.statuses[response.status_code] += 1
                    self.answers.append((time.time(), response.status_code))
                    if response.status_code == 200:
                        self.last_ok = time.time()
                await asyncio.sleep(0.25)
