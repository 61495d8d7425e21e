"""Emulated walks for the browser tests: realistic fixes fed to the page's geolocation.

The page's clock is Playwright's fake clock: each fix is set as the browser's position, the
test waits until the app has taken it (`data-last-fix` changes), then the clock jumps two
seconds. So a 20-minute walk at 1.4 m/s with a fix every 2 s takes seconds of wall time, while
the server judges speeds and dwell on the fixes' device time exactly as for a real phone; the
walk tests advance the server's own clock with the page's (`server_clock`), since coupons are
paid by presence in server time too. The
test server accepts fixes from its future (`LUPIAE_GEO__MAX_FUTURE_S`) and more frames per
second than a phone sends (`LUPIAE_FRAMES_PER_S`), see tests/web/server.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from playwright.sync_api import Page

from content.sources import load_bundle
from geo import Fix
from tests.geo.traces import Stop, walk
from tests.paths import CONTENT

EVERY_MS = 2_000


def at(slug: str, dwell_s: float = 0.0) -> Stop:
    """A stop at a published site's centre."""
    bundle = load_bundle(CONTENT).bundle
    assert bundle is not None
    site = next(p for p in bundle.pois if p.slug == slug)
    return Stop(site.lat, site.lon, dwell_s)


def path(stops: Sequence[Stop], seed: int = 7) -> list[Fix]:
    """Fixes every 2 s at 1.4 m/s with GPS noise (8 m at most, accuracy 5-15 m)."""
    return walk(stops, seed=seed, speed_mps=1.4, every_s=EVERY_MS / 1000)


def feed(
    page: Page,
    fixes: Sequence[Fix],
    *,
    acked: bool = True,
    server_clock: Callable[[float], None] | None = None,
) -> None:
    """Give the page each fix as its position, two seconds of its clock apart. With `acked`,
    wait after each fix until the server has it (nothing left in the buffer). With
    `server_clock` (a ServerClock's `advance`, tests/web/server.py), the server's time moves on
    with the page's, as for a real walk."""
    for fix in fixes:
        before = page.evaluate("document.body.dataset.lastFix ?? ''")
        page.context.set_geolocation(
            {"latitude": fix.lat, "longitude": fix.lon, "accuracy": fix.accuracy_m}
        )
        page.wait_for_function(
            "([before, acked]) => (document.body.dataset.lastFix ?? '') !== before"
            " && (!acked || document.body.dataset.waiting === '0')",
            arg=[before, acked],
            polling=5,
        )
        page.clock.fast_forward(EVERY_MS)
        if server_clock is not None:
            server_clock(EVERY_MS / 1000)
