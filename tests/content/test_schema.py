"""The exported JSON Schema and the validator agree, checked with the `jsonschema` library.

Every shipped YAML file validates against the schema an editor uses, and the fixtures whose
mistakes are about structure (what a schema can say) are refused by both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from content import load_files
from content.schema import city_schema, json_schema
from content.yamlio import parse_yaml
from tests.content.test_rules import FIXTURES, bundle_files
from tests.paths import CONTENT

SHIPPED = sorted(p for p in CONTENT.rglob("*.y*ml") if "reference" not in p.parts)
# Fixtures whose every problem is one of structure: the schema must refuse them as well.
STRUCTURAL = [
    "unknown_key",
    "missing_translation",
    "radius_bounds",
    "dwell_bounds",
    "quiz_without_answers",
]


def _validator(city_file: bool = False) -> jsonschema.protocols.Validator:
    schema = city_schema() if city_file else json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _data(name: str, raw: bytes) -> Any:
    doc, problems = parse_yaml(name, raw)
    assert doc is not None, problems
    return doc.data


def test_the_shipped_files_are_found() -> None:
    names = {p.name for p in SHIPPED}
    assert {"pois.yaml", "areas.yaml", "domande-della-citta.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(CONTENT).as_posix())
def test_every_shipped_file_validates_against_the_exported_schema(path: Path) -> None:
    validator = _validator(city_file=path.name == "city.yaml")  # a comune's city.yaml
    errors = list(validator.iter_errors(_data(path.name, path.read_bytes())))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []


def test_a_numeric_answer_is_text_to_both() -> None:
    """`answers: [2, due, two]` (shipped in domande-della-citta.yaml) passes both."""
    quiz = (CONTENT / "lecce" / "quests" / "domande-della-citta.yaml").read_bytes()
    assert b"answers: [2, due, two]" in quiz
    assert _validator().is_valid(_data("q.yaml", quiz))


@pytest.mark.parametrize("rule", STRUCTURAL)
def test_structural_mistakes_are_refused_by_the_schema_too(rule: str) -> None:
    files = {n: d for n, d in bundle_files(rule).items() if not n.startswith("base/")}
    assert load_files(bundle_files(rule)).bundle is None
    validator = _validator()
    assert any(not validator.is_valid(_data(n, d)) for n, d in files.items()), rule
    assert (FIXTURES / rule).is_dir()
