"""The JSON Schema of the curator YAML format, for editors and for `lupiae content schema`."""

from __future__ import annotations

import json
from typing import Any

from content.format import ContentFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FORMAL = frozenset({"pattern", "format", "enum", "const"})
SCHEMA_FILE = "schema.json"  # next to the YAML files in content/<comune>/
CITY_SCHEMA_FILE = "city.schema.json"  # the schema of content/<comune>/city.yaml


def json_schema() -> dict[str, Any]:
    """The schema of one content file (every file has the same shape)."""
    generated = ContentFile.model_json_schema(by_alias=True, mode="validation")
    cleaned = _clean(generated)
    assert isinstance(cleaned, dict)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Lupiae curator content",
        "description": (
            "Un file di contenuti del gioco Lupiae / a Lupiae game content file. "
            "Guida / guide: docs/curators.md"
        ),
        **{key: value for key, value in cleaned.items() if key not in ("title", "description")},
    }


def schema_text() -> str:
    """`json_schema()` as the text committed to content/lecce/schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def city_schema() -> dict[str, Any]:
    """The schema of a comune's city.yaml."""
    from content.cities import CityFile  # noqa: PLC0415 - content.cities imports this package

    cleaned = _clean(CityFile.model_json_schema(by_alias=True, mode="validation"))
    assert isinstance(cleaned, dict)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Lupiae comune (city.yaml)",
        "description": "Il comune di una cartella di contenuti / a content folder's comune. "
        "Guide: docs/reuse.md",
        **{key: value for key, value in cleaned.items() if key not in ("title", "description")},
    }


def city_schema_text() -> str:
    return json.dumps(city_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _clean(node: Any) -> Any:
    """Drop pydantic's generated titles and the `null` branch of optional keys, and let free
    text be a number too, as the validator does (`answers: [2, due, two]`).

    Curators never need to write `null`; leaving it out gives editors simpler completions.
    """
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    cleaned = {key: _clean(value) for key, value in node.items()}
    if cleaned.get("type") == "string" and not _FORMAL.intersection(cleaned):
        # The models coerce numbers to text (`coerce_numbers_to_str`); text with a pattern, a
        # format or a fixed set of values never matches a number, so it stays a string.
        cleaned["type"] = ["string", "number"]
    if "properties" in cleaned:
        for prop in cleaned["properties"].values():
            prop.pop("title", None)
    branches = cleaned.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches and len(branches) == 2:
        (other,) = (branch for branch in branches if branch != {"type": "null"})
        rest = {key: value for key, value in cleaned.items() if key != "anyOf"}
        if rest.get("default", "") is None:
            del rest["default"]
        cleaned = {**other, **rest}
    return cleaned


if __name__ == "__main__":
    import sys

    print(city_schema_text() if sys.argv[1:] == ["city"] else schema_text(), end="")
