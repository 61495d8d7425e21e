"""What `lupiae content validate` prints: paths that open from where it ran, it or en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content import load_bundle, load_files
from content.italian import italian
from content.report import default_language, for_terminal
from game_server.cli import main
from tests.content.test_rules import EXPECTED, FIXTURES, bundle_files
from tests.paths import ROOT

SEVERAL = FIXTURES / "several_files"


def test_paths_are_relative_to_the_directory_the_command_ran_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert (
        main(["content", "validate", "tests/content/fixtures/several_files", "--lang", "en"]) == 1
    )
    lines = capsys.readouterr().err.splitlines()
    assert (
        "tests/content/fixtures/several_files/quests/giro.yaml:7:16: unknown POI 'sedille' "
        "(did you mean 'sedile'?)" in lines
    )
    monkeypatch.chdir(SEVERAL / "quests")
    assert main(["content", "validate", "..", "--lang", "en"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "giro.yaml:7:16: unknown POI 'sedille' (did you mean 'sedile'?)" in lines
    assert lines[-1] == "7 problems found; nothing changed"
    for line in lines[:-1]:  # every position names a file that exists from here
        assert Path(line.split(":")[0]).is_file(), line


def test_positions_inside_messages_are_rewritten_too(tmp_path: Path) -> None:
    result = load_files(bundle_files("duplicate_slug"))
    lines = for_terminal(result.problems, FIXTURES, "en", cwd=ROOT)
    assert lines == [
        "tests/content/fixtures/pois.yaml:2:11: duplicate POI slug 'duomo' (first defined at "
        "tests/content/fixtures/base/world.yaml:12:5)"
    ]


def test_a_single_file_keeps_its_path(tmp_path: Path) -> None:
    path = tmp_path / "pois.yaml"
    path.write_text("pois:\n  - slug: X\n", encoding="utf-8")
    lines = for_terminal(load_bundle(path).problems, path, "en", cwd=tmp_path)
    assert (
        "pois.yaml:2:11: 'X' is not a valid slug: use lowercase letters, digits, '-' and '_' "
        "(e.g. porta_napoli)" in lines
    )


def test_italian_by_flag_and_by_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(SEVERAL)
    assert main(["content", "validate", ".", "--lang", "it"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert (
        "quests/giro.yaml:7:16: sito (POI) 'sedille' inesistente (forse intendevi "
        "'sedile'?)" in lines
    )
    assert lines[-1] == "7 problemi trovati; nulla è cambiato"
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    assert main(["content", "validate", "."]) == 1
    assert "radius_m vale 300 m, deve stare tra 10 e 150 m" in capsys.readouterr().err
    assert default_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert default_language({"LC_ALL": "it_CH", "LANG": "en_US"}) == "it"


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_every_fixture_message_has_its_italian_wording(rule: str) -> None:
    for line in EXPECTED[rule]:
        message = re.sub(r"^\S+?:\d+:\d+: ", "", line)
        assert italian(message) not in (None, message), message
