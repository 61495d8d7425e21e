from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric

from game_server.kit.background import in_background

LAG_PROBE_S = 0.25


class FrameCounts:
    """The two counters bumped for every frame, as plain integers exported at scrape time.

    A prometheus `Counter.inc` takes a lock and costs about 2 µs; twice per frame, at thousands
    of frames per second, that was a tenth of the gateway's own Python per frame. Only the
    worker's event loop bumps these, so `+= 1` is enough.
    """

    __slots__ = ("fixes", "frames")

    def __init__(self) -> None:
        self.frames = 0
        self.fixes = 0

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily("lupiae_ws_frames", "frames received", value=self.frames)
        yield CounterMetricFamily("lupiae_ws_fixes", "position fixes evaluated", value=self.fixes)

    def describe(self) -> Iterator[Metric]:
        return self.collect()


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = Gauge(
            "lupiae_ws_connections", "open /v1/play sockets", registry=registry
        )
        self.counts = FrameCounts()  # lupiae_ws_frames_total, lupiae_ws_fixes_total
        registry.register(self.counts)
        self.fixes_dropped = Counter(
            "lupiae_ws_fixes_dropped_total",
            "fixes dropped: closer than the minimum device-time interval",
            registry=registry,
        )
        self.rate_limited = Counter(
            "lupiae_ws_rate_limited_total", "frames over the per-socket budget", registry=registry
        )
        self.events = Counter(
            "lupiae_ws_events_total", "events stored by the gateway", registry=registry
        )
        self.closes = Counter(
            "lupiae_ws_closes_total",
            "sockets the server closed, by close code (1008 policy, 1013 try again later, …)",
            ["code"],
            registry=registry,
        )
        self.loop_lag = Histogram(
            "lupiae_event_loop_lag_seconds",
            f"how late a {LAG_PROBE_S} s timer fires: the worker's event loop is busy or blocked",
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.gc_pause = Histogram(
            "lupiae_gc_pause_seconds",
            "garbage collections of the oldest generation: the whole worker stops meanwhile",
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
        )
        self.reactions_deferred = Counter(
            "lupiae_ws_reactions_deferred_total",
            "game reactions left to the sweep: this worker's reaction queue was full",
            registry=registry,
        )
        self.commit_seconds = Histogram(
            "lupiae_ws_commit_seconds",
            "time to store a batch of events, by path: `fast` (one statement: the game judged"
            " the visits from the socket's view), `ahead` (one statement: the visits' reaction"
            " is owed), `reaction` (the game's unit of work granting it) or `full` (events and"
            " reaction in one unit of work: SQLite)",
            ["path"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


@contextlib.asynccontextmanager
async def probing_loop_lag(histogram: Histogram) -> AsyncIterator[None]:
    """While the block runs, observe how late a periodic timer fires."""

    async def probe() -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + LAG_PROBE_S
            await asyncio.sleep(LAG_PROBE_S)
            histogram.observe(max(0.0, loop.time() - due))

    async with in_background(("loop-lag-probe", probe())):
        yield


@contextlib.contextmanager
def timing_full_collections(histogram: Histogram) -> Iterator[None]:
    """While the block runs, observe how long each full (generation 2) collection takes."""
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            histogram.observe(time.perf_counter() - started.pop())

    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)
