"""Fixes taken offline reach the server as one batch on reconnect and their visits count; a
reload mid-walk loses no buffered fix and shows no event twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from tests.web.conftest import player_page, shoot, start_guest
from tests.web.walk import at, feed, path

pytestmark = pytest.mark.browser


def visits(page: Page, site: str) -> int:
    return page.locator(f"#log [data-kind='poi.visit'][data-poi={site}]").count()


def seqs(page: Page) -> list[int]:
    values = page.locator("#log [data-seq]").evaluate_all("els => els.map(e => +e.dataset.seq)")
    return [int(v) for v in values]


BUFFERED_TS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("lupiae");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("fixes").objectStore("fixes").getAll();
    all.onsuccess = () => { resolve(all.result.map((f) => f.ts)); open.result.close(); };
  };
})"""


def buffered(page: Page) -> list[int]:
    """The device times of the fixes waiting in the page's buffer (IndexedDB)."""
    return [int(ts) for ts in page.evaluate(BUFFERED_TS)]


def test_offline_fixes_are_sent_as_one_batch_and_the_visits_count(
    context: BrowserContext,
) -> None:
    napoli = at("porta_napoli")
    page = player_page(context, napoli.lat, napoli.lon)
    start_guest(page)
    batches: list[int] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent",
            lambda frame: (
                batches.append(frame.count('"lat"')) if '"positions"' in str(frame) else None
            ),
        ),
    )
    feed(page, path([at("porta_napoli", 30), at("obelisco")], seed=3)[:25])
    expect(page.locator("#log [data-kind='poi.visit'][data-poi=porta_napoli]")).to_have_count(1)

    context.set_offline(True)
    expect(page.locator("body")).to_have_attribute("data-status", "offline")
    offline = path([at("obelisco", 30), at("teatro_paisiello", 30)], seed=4)
    feed(page, offline, acked=False)
    waiting = int(page.locator("body").get_attribute("data-waiting") or 0)
    assert waiting >= len(offline) - 1  # every fix kept (the first may be under a second)
    expect(page.locator("#status")).to_contain_text("posizioni in attesa")
    shoot(page, "offline")
    assert visits(page, "obelisco") == 0

    context.set_offline(False)
    expect(page.locator("body")).to_have_attribute("data-waiting", "0")
    expect(page.locator("#log [data-kind='poi.visit'][data-poi=obelisco]")).to_have_count(1)
    expect(page.locator("#log [data-kind='poi.visit'][data-poi=teatro_paisiello]")).to_have_count(1)
    assert max(batches) >= waiting  # one `positions` frame carried them all


def test_a_reload_mid_walk_loses_no_fix_and_shows_no_event_twice(
    context: BrowserContext,
) -> None:
    rudiae = at("porta_rudiae")
    page = player_page(context, rudiae.lat, rudiae.lon)
    blocked = {"on": False}

    def play(ws: WebSocketRoute) -> None:
        if blocked["on"]:
            ws.close(code=1013, reason="test: no network")
        else:
            ws.connect_to_server()

    page.route_web_socket("**/v1/play", play)
    start_guest(page)
    feed(page, path([at("porta_rudiae", 30), at("san_giovanni_rosario")], seed=5)[:30])
    expect(page.locator("#log [data-kind='poi.visit'][data-poi=porta_rudiae]")).to_have_count(1)
    before = seqs(page)

    blocked["on"] = True
    context.set_offline(True)  # the socket goes; the page's fixes wait in its buffer
    expect(page.locator("body")).to_have_attribute("data-status", "offline")
    context.set_offline(False)
    feed(page, path([at("san_giovanni_rosario", 30), at("sant_anna")], seed=6)[:25], acked=False)
    waiting = buffered(page)
    assert len(waiting) > 20

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-status", "offline")
    kept = buffered(page)
    assert set(waiting) <= set(kept)  # every buffered fix survived (the page may add its next)
    assert seqs(page) == before  # the log came back as it was, nothing replayed
    blocked["on"] = False
    page.clock.fast_forward(60_000)  # the reconnection's backoff
    expect(page.locator("body")).to_have_attribute("data-waiting", "0")
    expect(
        page.locator("#log [data-kind='poi.visit'][data-poi=san_giovanni_rosario]")
    ).to_have_count(1)
    after = seqs(page)
    assert len(after) == len(set(after))
    assert sorted(after, reverse=True) == after
    assert visits(page, "porta_rudiae") == 1
