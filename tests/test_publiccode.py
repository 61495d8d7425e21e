"""publiccode.yml follows the standard (v0.4): checked against a JSON Schema written from it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((Path(__file__).parent / "publiccode/publiccode-0.4.schema.json").read_text())


def _publiccode() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    return data


def _errors(data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return sorted(error.message for error in validator.iter_errors(data))


def test_publiccode_yml_follows_the_standard() -> None:
    assert _errors(_publiccode()) == []


def test_it_names_lecce_as_the_reusing_administration_and_the_project_licence() -> None:
    data = _publiccode()
    assert data["it"]["riuso"]["codiceIPA"] == "c_e506"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'license = "{data["legal"]["license"]}"' in pyproject
    assert set(data["localisation"]["availableLanguages"]) == set(data["description"])


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("publiccodeYmlVersion",), "0.2"),
        (("developmentStatus",), "finished"),
        (("categories",), ["games"]),
        (("description", "en", "shortDescription"), "x" * 151),
        (("description", "en", "longDescription"), "too short"),
        (("maintenance", "contacts"), []),
        (("it", "riuso", "codiceIPA"), "C E506"),
    ],
)
def test_the_schema_refuses_what_the_standard_refuses(path: tuple[str, ...], value: Any) -> None:
    data = copy.deepcopy(_publiccode())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _errors(data)
