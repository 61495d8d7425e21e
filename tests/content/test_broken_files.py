"""One unreadable file hides nothing of the others and adds no follow-on problems."""

from __future__ import annotations

from content import load_files
from tests.content.test_rules import BASE

WORLD = (BASE / "world.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
AREAS = "".join(WORLD[1:10])  # areas: walls (old_town) and district
QUESTS = "".join(WORLD[41:])  # the quest that rewards badge 'visitatore'
REST = "".join(WORLD[10:41])  # pois, merchants, coupons, badges


def _broken(text: str) -> str:
    """The same text with its first `{...}` left unclosed."""
    return text.replace("}", "", 1)


def test_a_broken_areas_file_adds_no_missing_area_problems() -> None:
    files = {
        "areas.yaml": _broken(AREAS).encode(),
        "rest.yaml": (REST + QUESTS).encode(),
        "more.yaml": b"pois:\n  - slug: sedile\n    kind: palace\n    name: {it: Sedile}\n"
        b"    description: {it: S., en: S.}\n    lat: 40.35286\n    lon: 18.17242\n",
    }
    result = load_files(files)
    assert [str(p) for p in result.problems] == [
        # where the '{' of `name: {it: Mura, en: Walls` opens, and where the parser noticed
        "areas.yaml:4:11: YAML syntax error: this '{' is not closed: end it with '}', separate "
        "its entries with ',' and put text containing ':' or ',' in quotes "
        "(noticed at line 5, column 12)",
        "areas.yaml:5:12: YAML syntax error: unexpected ':' inside the '{' opened at line 4, "
        "column 11",
        # the other file's own problem is still reported...
        "more.yaml:4:11: 'name' is missing the English text (en)",
        # ...and no "no area has role 'old_town'/'district'" for its POIs and merchants
    ]


def test_a_broken_quests_file_adds_no_unknown_references() -> None:
    files = {
        "world.yaml": (AREAS + REST).encode(),
        "quests.yaml": _broken(QUESTS).encode(),
        "coupons.yaml": b"coupons:\n  - slug: altro\n    merchant: bar\n"
        b"    offer: {it: Un caffe, en: A coffee}\n",
    }
    problems = [str(p) for p in load_files(files).problems]
    assert problems[0].startswith("coupons.yaml:2:11: a coupon needs valid_days")
    assert [p.split(":")[0] for p in problems] == ["coupons.yaml", "quests.yaml", "quests.yaml"]
    # badge 'visitatore' is rewarded by the unreadable quest: not "cannot be earned"
    assert not any("cannot be earned" in p for p in problems)


def test_a_readable_bundle_still_reports_missing_areas() -> None:
    files = {"world.yaml": REST.encode()}
    problems = [str(p) for p in load_files(files).problems]
    assert "world.yaml:2:11: no area has role 'old_town'" in problems[0]
    assert any("no area has role 'district'" in p for p in problems)
