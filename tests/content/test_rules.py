"""One fixture per validation rule: each adds files to a small valid world (fixtures/base)."""

import shutil
from pathlib import Path

import pytest

from content import load_bundle, load_files

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base"

EXPECTED: dict[str, list[str]] = {
    "syntax_error": [
        # where the mistake starts (the '{' never closed) and where the parser noticed it
        "pois.yaml:3:11: YAML syntax error: this '{' is not closed: end it with '}', separate "
        "its entries with ',' and put text containing ':' or ',' in quotes "
        "(noticed at line 4, column 9)",
        "pois.yaml:4:9: YAML syntax error: unexpected ':' inside the '{' opened at line 3, "
        "column 11",
    ],
    "unknown_key": [
        "pois.yaml:8:5: unknown key 'radius' (did you mean 'radius_m'?)",
        "pois.yaml:9:5: unknown key 'colour'; allowed keys: slug, kind, name, description, "
        "lat, lon, radius_m, polygon, dwell_s, outside_walls, opening_hours, source",
    ],
    "missing_translation": [
        "pois.yaml:4:11: 'name' is missing the English text (en)",
        "pois.yaml:7:11: 'description' has an empty English text (en)",
    ],
    "duplicate_slug": [
        "pois.yaml:2:11: duplicate POI slug 'duomo' (first defined at base/world.yaml:12:5)",
    ],
    "duplicate_key": [
        "pois.yaml:8:5: duplicate key 'lat' (first used on line 6)",
    ],
    "unknown_reference": [
        "quests.yaml:5:16: unknown quest 'duomoo' (did you mean 'duomo'?)",
        "quests.yaml:8:16: unknown POI 'castelo' (did you mean 'castello'?)",
        "quests.yaml:9:22: unknown badge 'visitatrice' (did you mean 'visitatore'?)",
        "quests.yaml:9:43: unknown coupon 'caffe-latte' (did you mean 'caffe'?)",
        "quests.yaml:12:15: unknown merchant 'barr' (did you mean 'bar'?)",
    ],
    "prerequisite_cycle": [
        "quests.yaml:5:16: prerequisite cycle: alfa → gamma → beta → alfa",
        "quests.yaml:20:16: quest 'delta' requires itself",
    ],
    "poi_outside_walls": [
        "pois.yaml:6:10: POI 'villa' lies 61 m outside the old town ('walls'); "
        "move it or mark it 'outside_walls: true'",
        "pois.yaml:14:20: POI 'sedile' is marked 'outside_walls: true' "
        "but lies inside the old town ('walls')",
    ],
    "merchant_outside_district": [
        "merchants.yaml:6:10: merchant 'libreria' lies 179 m outside the commercial district "
        "('district')",
    ],
    "radius_bounds": [
        "pois.yaml:8:15: radius_m is 200 m, it must be between 10 and 150 m",
        "pois.yaml:15:15: radius_m is 5 m, it must be between 10 and 150 m",
    ],
    "invalid_polygon": [
        "areas.yaml:5:7: polygon is not valid: Self-intersection[18.171 40.351]",
        "areas.yaml:11:14: a polygon needs at least 3 distinct points",
    ],
    "quiz_without_answers": [
        "quests.yaml:9:11: the quiz has no answers: list at least one accepted answer "
        "under 'answers'",
        "quests.yaml:14:20: the quiz has no answers: list at least one accepted answer "
        "under 'answers'",
    ],
    "dwell_bounds": [
        "quests.yaml:6:33: dwell_s is 3600 s, it must be between 5 and 1800 s",
        "quests.yaml:7:44: dwell_s is 2 s, it must be between 5 and 1800 s",
    ],
    "time_window": [
        "quests.yaml:7:24: 'days' is 'sab', it must be one of: mon, tue, wed, thu, fri, sat, "
        "sun (did you mean 'sat'?)",
        "quests.yaml:7:51: '25:00' is not a valid time: write HH:MM between 00:00 and 23:59",
        "quests.yaml:16:24: 'mon' is listed twice",
        "quests.yaml:16:51: a time window cannot start and end at the same time ('12:00')",
        "quests.yaml:23:14: 'from' (2025-09-30) is after 'until' (2025-06-01)",
        "quests.yaml:28:11: 'when' is empty: give hours, from, until or only_when_open",
    ],
    "opening_hours": [
        "pois.yaml:9:40: '9:30' is not a valid time: write HH:MM between 00:00 and 23:59",
        "pois.yaml:15:28: 'only_when_open' needs opening_hours on every POI of the quest; "
        "'duomo' has none",
    ],
    "unsafe_tag": [
        "pois.yaml:2:11: unsafe YAML tag '!!python/object/apply:os.system' is not allowed",
    ],
    "alias_bomb": [
        "bomb.yaml:2:10: aliases expand this file to more than 100000 values (alias bomb?); "
        "write the content out instead",
    ],
    "alias_chain": [  # 39 aliases, each nesting the previous one: a problem, not a crash
        "chain.yaml:3:38: aliases nest values deeper than 40 levels (a chain of aliases inside "
        "aliases); write the content out instead",
    ],
    "step_shape": [
        "quests.yaml:5:17: 'cooldown_h' is only used with 'repeatable: true'",
        "quests.yaml:7:9: a step needs one of: visit, dwell, quiz (with at) or team",
        "quests.yaml:8:33: a step does one thing, this one has both 'visit' and 'team'",
        "quests.yaml:9:26: a quiz step needs 'at': the POI where it is answered",
        "quests.yaml:10:28: a dwell step needs dwell_s (seconds to stay, 5–1800)",
        "quests.yaml:11:36: 'dwell_s' is only used by visit and dwell steps",
        "quests.yaml:12:24: 'min_members' is only used by team steps",
        "quests.yaml:13:9: duplicate step id 'duomo' (a step's id defaults to its POI; "
        "give this step its own 'id')",
    ],
    "coupon_evidence": [
        "coupons.yaml:7:17: 'presence' is 'phone_clock', it must be one of: server_time, "
        "device_time",
        "coupons.yaml:8:26: min_account_age_s is -5 s, it must be between 0 and 2592000 s",
        "coupons.yaml:9:7: unknown key 'attested' (did you mean 'attestation'?)",
    ],
    "coupon_rules": [
        "coupons.yaml:2:11: a coupon needs valid_days and/or valid_until",
        "coupons.yaml:10:23: per_player_limit (5) is larger than total_limit (3)",
    ],
    "badge_rules": [
        "badges.yaml:2:11: badge 'nessuno' cannot be earned: it has no criteria and no quest "
        "gives it as a reward",
        "badges.yaml:8:15: 'criteria' is empty: give quests_completed, quests, sites_of_kind "
        "or distinct_days",
        "badges.yaml:13:29: no POI has kind 'chiesa'",
        "badges.yaml:18:47: the badge asks for 2 sites of kind 'cathedral' but only 1 POI has "
        "that kind",
    ],
    "several_files": [
        "merchants.yaml:1:1: unknown key 'merchant' (did you mean 'merchants'?)",
        "pois.yaml:4:11: 'name' is missing the English text (en)",
        "pois.yaml:8:15: radius_m is 300 m, it must be between 10 and 150 m",
        "quests/giro.yaml:5:12: 'order' is 'random', it must be one of: any, sequence",
        "quests/giro.yaml:7:16: unknown POI 'sedille' (did you mean 'sedile'?)",
        "quests/rotto.yaml:3:12: YAML syntax error: this '{' is not closed: end it with '}', "
        "separate its entries with ',' and put text containing ':' or ',' in quotes "
        "(noticed at line 4, column 1)",
        "quests/rotto.yaml:4:1: YAML syntax error: the file ends inside the '{' opened at "
        "line 3, column 12",
    ],
}


def bundle_files(rule: str) -> dict[str, bytes]:
    rule_dir = FIXTURES / rule
    files = {f"base/{p.relative_to(BASE).as_posix()}": p.read_bytes() for p in _files(BASE)}
    files.update({p.relative_to(rule_dir).as_posix(): p.read_bytes() for p in _files(rule_dir)})
    return files


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_every_fixture_folder_is_covered() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "base"}
    assert folders == set(EXPECTED)


def test_base_world_is_valid() -> None:
    result = load_bundle(BASE)
    assert result.problems == []
    assert result.bundle is not None


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_reports_exact_file_line_and_message(rule: str) -> None:
    result = load_files(bundle_files(rule))
    assert result.bundle is None
    assert [str(problem) for problem in result.problems] == EXPECTED[rule]


def test_folder_and_upload_report_the_same_problems(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / "base")
    shutil.copytree(FIXTURES / "several_files", tmp_path, dirs_exist_ok=True)
    (tmp_path / "notes.txt").write_text("not content", encoding="utf-8")
    (tmp_path / "tool.py").write_text("print('not content')", encoding="utf-8")
    from_folder = load_bundle(tmp_path)
    from_upload = load_files(bundle_files("several_files"))
    assert from_folder.problems == from_upload.problems
    first = from_folder.problems[0]
    assert (first.file, first.line, first.col) == ("merchants.yaml", 1, 1)


def test_oversized_file(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path, dirs_exist_ok=True)
    (tmp_path / "big.yaml").write_bytes(b"# padding\n" * int(2.3 * 1024 * 1024 / 10))
    result = load_bundle(tmp_path)
    assert [str(p) for p in result.problems] == [
        "big.yaml:1:1: file is 2.3 MiB, the limit is 1 MiB"
    ]


def test_single_file_is_named_as_given(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    text = (BASE / "world.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("slug: castello", "slug: Castello"), encoding="utf-8")
    result = load_bundle(str(path))
    assert [str(p) for p in result.problems] == [
        f"{path}:18:11: 'Castello' is not a valid slug: use lowercase letters, digits, '-' "
        "and '_' (e.g. porta_napoli)"
    ]


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert [str(p) for p in load_bundle(missing).problems] == [
        f"{missing}:1:1: no such file or folder"
    ]
    assert [str(p) for p in load_bundle(tmp_path).problems] == [
        f"{tmp_path}:1:1: no .yaml or .yml files found"
    ]
    assert [str(p) for p in load_files({}).problems] == [
        "<bundle>:1:1: no .yaml or .yml files found"
    ]
