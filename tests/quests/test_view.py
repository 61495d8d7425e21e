"""`quiet_visit`: which visits the socket may record without the game's unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from content import load_bundle
from content.model import Bundle
from quests.criteria import PlayerRecord
from quests.engine import Engine, Record, Run, Snapshot, Visit
from quests.view import GameView, quiet_visit
from tests.paths import CONTENT

NOON = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # 12:00 in Lecce
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    loaded = load_bundle(CONTENT).bundle
    assert loaded is not None
    return loaded


def _view(
    *,
    runs: dict[str, Run] | None = None,
    visited: frozenset[str] = frozenset(),
    days: int = 1,
    last_day: date | None = TODAY,
    owned: frozenset[str] = frozenset(),
    elsewhere: dict[str, tuple[int, date]] | None = None,
) -> GameView:
    """A view with `days` play days in Lecce, the last on `last_day`, and `elsewhere`'s."""
    welcome = {"benvenuti-a-lecce": Run("benvenuti-a-lecce", 1, NOON)}  # auto-started
    snapshot = Snapshot(runs=runs if runs is not None else welcome, records={})
    counts = {city: n for city, (n, _) in (elsewhere or {}).items()}
    lasts = {city: day for city, (_, day) in (elsewhere or {}).items()}
    if last_day is not None:
        counts["lecce"], lasts["lecce"] = days, last_day
    return GameView(7, snapshot, PlayerRecord(frozenset(), visited, counts), owned, lasts)


def _judge(bundle: Bundle, view: GameView, poi: str, dwell_s: float = 25.0):  # type: ignore[no-untyped-def]
    return quiet_visit(view, Engine(bundle), bundle, Visit(poi, NOON, dwell_s))


def test_a_site_nothing_waits_for_is_quiet_and_joins_the_record(bundle: Bundle) -> None:
    judged = _judge(bundle, _view(), "sant_anna")
    assert judged is not None
    view, new_day = judged
    assert new_day is None  # today was counted already
    assert view.record.visited_pois == {"sant_anna"}
    assert view.seq == 7  # the caller moves it to the cursor it wrote at


def test_the_first_visit_of_a_day_adds_the_day(bundle: Bundle) -> None:
    judged = _judge(bundle, _view(days=1, last_day=date(2026, 11, 20)), "sant_anna")
    assert judged is not None
    view, new_day = judged
    assert new_day == ("lecce", TODAY)
    assert (view.record.play_days, view.last_play_days) == ({"lecce": 2}, {"lecce": TODAY})


def test_a_day_is_counted_in_the_comune_of_the_site(bundle: Bundle) -> None:
    """Played in Bergamo today: the first visit in Lecce still adds Lecce's day."""
    bergamo = {"bergamo": (5, TODAY)}
    judged = _judge(
        bundle, _view(days=1, last_day=date(2026, 11, 20), elsewhere=bergamo), "sant_anna"
    )
    assert judged is not None
    view, new_day = judged
    assert new_day == ("lecce", TODAY)
    assert view.record.play_days == {"lecce": 2, "bergamo": 5}
    assert view.last_play_days == {"lecce": TODAY, "bergamo": TODAY}


def test_an_open_step_there_needs_the_game(bundle: Bundle) -> None:
    assert _judge(bundle, _view(), "piazza_sant_oronzo") is None  # benvenuti-a-lecce


def test_a_quest_that_would_start_by_itself_needs_the_game(bundle: Bundle) -> None:
    assert _judge(bundle, _view(runs={}), "sant_anna") is None


def test_a_dwell_step_counts_only_once_its_dwell_is_reached(bundle: Bundle) -> None:
    gates = {
        **_view().snapshot.runs,
        "porte-della-citta": Run("porte-della-citta", 1, NOON, frozenset({"napoli"})),
    }
    assert _judge(bundle, _view(runs=gates), "porta_rudiae", dwell_s=25) is not None
    assert _judge(bundle, _view(runs=gates), "porta_rudiae", dwell_s=31) is None


def test_a_team_step_there_always_needs_the_game(bundle: Bundle) -> None:
    assert _judge(bundle, _view(), "piazza_duomo") is None  # insieme-in-piazza


def test_a_badge_criterion_met_by_this_visit_needs_the_game(bundle: Bundle) -> None:
    roman = _view(visited=frozenset({"teatro_romano"}))
    assert _judge(bundle, roman, "anfiteatro_romano") is None  # archeologo: two sites
    owned = _view(visited=frozenset({"teatro_romano"}), owned=frozenset({"archeologo"}))
    assert _judge(bundle, owned, "anfiteatro_romano") is not None
    third_day = _view(days=2, last_day=date(2026, 11, 21))
    assert _judge(bundle, third_day, "sant_anna") is None  # di-casa-a-lecce: three days
    # Days played in Bergamo are not Lecce's: a first day in Lecce earns no Lecce badge.
    bergamo = _view(last_day=None, elsewhere={"bergamo": (9, date(2026, 11, 21))})
    assert _judge(bundle, bergamo, "sant_anna") is not None


def test_a_clock_going_backwards_needs_the_game(bundle: Bundle) -> None:
    assert _judge(bundle, _view(last_day=date(2026, 11, 23)), "sant_anna") is None


def test_a_completed_quest_is_not_started_again(bundle: Bundle) -> None:
    done = Snapshot(runs={}, records={"benvenuti-a-lecce": Record(1, NOON)})
    view = GameView(
        3,
        done,
        PlayerRecord(frozenset({"benvenuti-a-lecce"}), frozenset(), {"lecce": 1}),
        frozenset(),
        {"lecce": TODAY},
    )
    assert _judge(bundle, view, "sant_anna") is not None
