"""The real game of Lecce shipped in content/lecce/."""

import csv
import json
from pathlib import Path

import pytest

from content import Bundle, load_bundle, summary
from content.schema import CITY_SCHEMA_FILE, SCHEMA_FILE, city_schema, json_schema
from quests.presence import shortest_walk_s

ROOT = Path(__file__).resolve().parents[2]
LECCE = ROOT / "content" / "lecce"
HERITAGE = LECCE / "reference" / "heritage.csv"


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    result = load_bundle(ROOT / "content")
    assert [str(p) for p in result.problems] == []
    assert result.bundle is not None
    return result.bundle.for_city("lecce")


def test_shipped_content_is_valid_from_any_path() -> None:
    whole = load_bundle(ROOT / "content").bundle
    assert whole is not None
    assert whole.for_city("lecce") == load_bundle(LECCE).bundle


def test_summary_counts(bundle: Bundle) -> None:
    text = summary(bundle)
    assert "pois         30   5 outside the walls" in text
    assert len(text.splitlines()) <= 20


def test_every_heritage_site_with_its_source(bundle: Bundle) -> None:
    with HERITAGE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pois = {poi.slug: poi for poi in bundle.pois}
    assert set(pois) == {row["slug"] for row in rows}
    for row in rows:
        poi = pois[row["slug"]]
        assert (poi.lat, poi.lon) == (float(row["lat"]), float(row["lon"]))
        assert poi.source == row["source"]
        assert poi.name.it == row["name_it"]
        assert poi.outside_walls == ("OUTSIDE" in row["source"])


def test_quest_shapes(bundle: Bundle) -> None:
    kinds = {step.kind for quest in bundle.quests for step in quest.steps}
    assert kinds == {"visit", "dwell", "quiz", "team"}
    assert {quest.order for quest in bundle.quests} == {"any", "sequence"}
    assert any(quest.schedule and quest.schedule.hours for quest in bundle.quests)
    assert any(quest.prerequisites for quest in bundle.quests)
    assert any(quest.repeatable for quest in bundle.quests)
    assert any(quest.auto_start for quest in bundle.quests)
    assert max(s.dwell_s or 0 for q in bundle.quests for s in q.steps) >= 600
    assert len(bundle.quests) >= 6


def test_badges_merchants_and_coupons(bundle: Bundle) -> None:
    assert len(bundle.badges) >= 8
    assert len(bundle.merchants) >= 4
    assert all(m.demo and "DEMO" in m.name for m in bundle.merchants)
    assert {c.merchant for c in bundle.coupons} == {m.slug for m in bundle.merchants}


def test_every_text_in_italian_and_english(bundle: Bundle) -> None:
    def texts(node: object) -> list[dict[str, str]]:
        if isinstance(node, dict):
            found = [node] if set(node) == {"it", "en"} else []
            return found + [t for value in node.values() for t in texts(value)]
        if isinstance(node, list):
            return [t for value in node for t in texts(value)]
        return []

    found = texts(bundle.model_dump(mode="json"))
    assert len(found) > 100
    assert all(t["it"].strip() and t["en"].strip() for t in found)


def test_canonical_json_round_trip(bundle: Bundle) -> None:
    again = Bundle.model_validate_json(bundle.canonical_json())
    assert again == bundle
    assert again.canonical_json() == bundle.canonical_json()
    assert again.content_hash() == bundle.content_hash()
    assert len(bundle.content_hash()) == 64


def test_committed_schema_is_current() -> None:
    committed = json.loads((LECCE / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: python -m content.schema > content/lecce/schema.json"


def test_committed_city_schema_is_current() -> None:
    for folder in (LECCE, LECCE.parent / "bergamo"):
        committed = json.loads((folder / CITY_SCHEMA_FILE).read_text(encoding="utf-8"))
        assert committed == city_schema(), "run: python -m content.schema city > city.schema.json"


@pytest.mark.parametrize("folder", ["lecce", "bergamo"])
def test_every_yaml_file_references_the_schema(folder: str) -> None:
    root = LECCE.parent / folder
    for path in root.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = CITY_SCHEMA_FILE if path.name == "city.yaml" else SCHEMA_FILE
        relative = Path("../" * (len(path.relative_to(root).parts) - 1)) / schema
        assert first == f"# yaml-language-server: $schema=./{relative.as_posix()}".replace(
            "./../", "../"
        ), path


def test_shipped_coupons_state_safe_evidence_a_walking_guest_meets(bundle: Bundle) -> None:
    """Every shipped coupon asks for presence in server time; the account age it asks for is
    shorter than the walk of its quest (a tourist who signs up and walks earns it)."""
    pois = {p.slug: p for p in bundle.pois}
    for quest in (q for q in bundle.quests if q.rewards.coupon):
        coupon = next(c for c in bundle.coupons if c.slug == quest.rewards.coupon)
        assert coupon.evidence.presence == "server_time", coupon.slug
        assert coupon.evidence.team_distinct_clients, coupon.slug
        assert not coupon.evidence.upgraded_account, coupon.slug  # no sign-up forced
        walk_s = shortest_walk_s(quest, pois, walk_mps=1.4, default_dwell_s=20)
        assert 0 < coupon.evidence.min_account_age_s < walk_s, (coupon.slug, walk_s)
