"""Answer normalisation, the XP curve and badge criteria (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.model import BadgeCriteria, Quiz, SitesOfKind
from quests.answers import is_correct, normalise_answer
from quests.criteria import PlayerRecord, badges_due, criteria_met
from quests.levels import Level, level_for, xp_for_level
from tests.quests.factories import badge, poi, text


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("  Sant’Oronzo!! ", "sant oronzo"),
        ("CARLO\tV", "carlo v"),
        ("Città", "citta"),
        ("Straße", "strasse"),
        ("ﬁne", "fine"),  # NFKD: ligatures unfold
        ("...", ""),
    ],
)
def test_normalise_answer(given_text: str, expected: str) -> None:
    assert normalise_answer(given_text) == expected


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=40))
def test_normalisation_is_idempotent_and_ignores_case_and_padding(value: str) -> None:
    once = normalise_answer(value)
    assert normalise_answer(once) == once
    assert normalise_answer(f"  {value.upper()} ,") == normalise_answer(value.lower())


def test_is_correct_accepts_any_listed_answer_but_never_an_empty_one() -> None:
    quiz = Quiz(question=text("?"), answers=["Carlo V", "Charles the Fifth", "..."])
    assert is_correct(quiz, "carlo v")
    assert is_correct(quiz, "CHARLES  the fifth.")
    assert not is_correct(quiz, "Carlo")
    assert not is_correct(quiz, "!!")


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (99, 1), (100, 2), (299, 2), (300, 3), (600, 4), (1000, 5)]
)
def test_the_xp_curve(xp: int, level: int) -> None:
    assert level_for(xp) == level


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_a_level_is_the_largest_one_whose_threshold_is_reached(xp: int) -> None:
    level = Level.of(xp)
    assert level.level_xp <= xp < level.next_level_xp
    assert level.next_level_xp == xp_for_level(level.level + 1)


CHURCHES = {s: poi(s, kind="church") for s in ("duomo", "rosario", "croce")}
GATE = {"napoli": poi("napoli", kind="gate")}
POIS = {**CHURCHES, **GATE}


def record(quests: set[str] = set(), pois: set[str] = set(), days: int = 0) -> PlayerRecord:  # noqa: B006
    return PlayerRecord(frozenset(quests), frozenset(pois), {"lecce": days})


@pytest.mark.parametrize(
    ("criteria", "player", "met"),
    [
        (BadgeCriteria(quests_completed=2), record({"a"}), False),
        (BadgeCriteria(quests_completed=2), record({"a", "b"}), True),
        (BadgeCriteria(quests=["a", "b"]), record({"a", "c"}), False),
        (BadgeCriteria(quests=["a", "b"]), record({"a", "b", "c"}), True),
        (
            BadgeCriteria(sites_of_kind=SitesOfKind(kind="church", count=2)),
            record(pois={"duomo", "napoli"}),
            False,
        ),
        (
            BadgeCriteria(sites_of_kind=SitesOfKind(kind="church", count=2)),
            record(pois={"duomo", "croce", "napoli"}),
            True,
        ),
        (BadgeCriteria(distinct_days=3), record(days=2), False),
        (BadgeCriteria(distinct_days=3), record(days=3), True),
        (BadgeCriteria(quests_completed=1, distinct_days=2), record({"a"}, days=1), False),
    ],
)
def test_criteria(criteria: BadgeCriteria, player: PlayerRecord, met: bool) -> None:
    assert criteria_met(criteria, player, POIS) is met


def test_badges_due_skips_owned_and_reward_only_badges() -> None:
    badges = [
        badge("reward-only"),
        badge("one", quests_completed=1),
        badge("two", quests_completed=2),
    ]
    assert badges_due(badges, record({"a"}), POIS, owned=[]) == ["one"]
    assert badges_due(badges, record({"a"}), POIS, owned=["one"]) == []


def test_distinct_days_count_the_badges_own_comune() -> None:
    """Five days played in Bergamo and one in Lecce: Lecce's three-day badge is not met,
    Bergamo's is."""
    days = PlayerRecord(frozenset(), frozenset(), {"bergamo": 5, "lecce": 1})
    three_days = BadgeCriteria(distinct_days=3)
    assert not criteria_met(three_days, days, POIS, "lecce")
    assert criteria_met(three_days, days, POIS, "bergamo")
    assert not criteria_met(three_days, days, POIS, "otranto")  # never played there
