"""Curator-friendly wording for pydantic validation errors."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from content.format import (
    AREA_ROLES,
    PRESENCE_RULES,
    QUEST_ORDERS,
    SLUG_PATTERN,
    TIME_PATTERN,
    WEEKDAYS,
    LocalText,
)

Loc = tuple[str | int, ...]
_LANGUAGES = {"it": "Italian", "en": "English"}
_CHOICES: dict[str, Sequence[str]] = {
    "days": WEEKDAYS,
    "role": AREA_ROLES,
    "order": QUEST_ORDERS,
    "presence": PRESENCE_RULES,
}
_UNITS = {"_m": " m", "_s": " s", "_h": " h"}
_TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
    "list": "a list",
    "date": "a date written YYYY-MM-DD",
}


@dataclass(frozen=True, slots=True)
class Message:
    loc: Loc
    text: str
    at_key: bool = False


def did_you_mean(word: str, candidates: typing.Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a candidate is close to `word`, else an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def show(value: Any) -> str:
    text = f"'{value}'" if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_name(loc: Loc) -> str:
    names = [part for part in loc if isinstance(part, str)]
    return names[-1] if names else "value"


def describe(error: ErrorDetails, model: type[BaseModel]) -> Message:
    """Turn one pydantic error (relative to `model`) into a positioned message."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    name = field_name(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        return Message(loc, _unknown_key(str(loc[-1]), model_at(model, loc[:-1])), at_key=True)
    if kind == "missing":
        return Message(loc[:-1], _missing(loc, model))
    if kind in ("too_short", "string_too_short"):
        return Message(loc, _too_short(loc, name, error))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return Message(loc, _out_of_bounds(loc, name, value, model))
    if kind == "literal_error":
        return Message(loc, _not_a_choice(name, value))
    if kind == "string_pattern_mismatch":
        return Message(loc, _pattern(value, error))
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return Message(loc, _not_a_mapping(loc, name, model))
    for word, description in _TYPE_WORDS.items():
        if kind.startswith(word):
            return Message(loc, f"'{name}' must be {description}, got {show(value)}")
    return Message(loc, f"'{name}': {error['msg']}")


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping found at `loc` (None if not a model)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = field_by_key(current, part)
        current = _inner_model(field.annotation) if field is not None else None
    return current


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    keys = allowed_keys(model) if model is not None else []
    hint = did_you_mean(key, keys)
    if hint or not keys:
        return f"unknown key '{key}'{hint}"
    return f"unknown key '{key}'; allowed keys: {', '.join(keys)}"


def _missing(loc: Loc, model: type[BaseModel]) -> str:
    key = str(loc[-1])
    if model_at(model, loc[:-1]) is LocalText:
        return f"'{field_name(loc[:-1])}' is missing the {_LANGUAGES[key]} text ({key})"
    if key == "answers":
        return "the quiz has no answers: list at least one accepted answer under 'answers'"
    return f"missing required key '{key}'"


def _too_short(loc: Loc, name: str, error: ErrorDetails) -> str:
    if error["type"] == "string_too_short":
        if name in _LANGUAGES:
            return f"'{field_name(loc[:-1])}' has an empty {_LANGUAGES[name]} text ({name})"
        return f"'{name}' is empty"
    if name == "answers":
        return "the quiz has no answers: list at least one accepted answer under 'answers'"
    if name == "polygon":
        return "a polygon needs at least 3 points"
    if name == "steps":
        return "a quest needs at least one step"
    minimum = (error.get("ctx") or {}).get("min_length", 1)
    return f"'{name}' needs at least {minimum} item(s)"


def _out_of_bounds(loc: Loc, name: str, value: Any, model: type[BaseModel]) -> str:
    low, high = _bounds(model_at(model, loc[:-1]), name)
    unit = next((u for suffix, u in _UNITS.items() if name.endswith(suffix)), "")
    if low is not None and high is not None:
        return f"{name} is {value}{unit}, it must be between {low} and {high}{unit}"
    if low is not None:
        return f"{name} is {value}{unit}, it must be at least {low}{unit}"
    return f"{name} is {value}{unit}, it must be at most {high}{unit}"


def _bounds(model: type[BaseModel] | None, name: str) -> tuple[Any, Any]:
    info = field_by_key(model, name) if model is not None else None
    if info is None:
        return None, None
    metadata = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        for item in getattr(arg, "__metadata__", ()):
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)
    return low, high


def _not_a_choice(name: str, value: Any) -> str:
    choices = _CHOICES.get(name, ())
    hint = did_you_mean(str(value), choices)
    return f"'{name}' is {show(value)}, it must be one of: {', '.join(choices)}{hint}"


def _pattern(value: Any, error: ErrorDetails) -> str:
    pattern = (error.get("ctx") or {}).get("pattern")
    if pattern == SLUG_PATTERN:
        return (
            f"{show(value)} is not a valid slug: use lowercase letters, digits, '-' and '_' "
            "(e.g. porta_napoli)"
        )
    if pattern == TIME_PATTERN:
        return f"{show(value)} is not a valid time: write HH:MM between 00:00 and 23:59"
    return f"{show(value)} does not match {pattern}"


def _not_a_mapping(loc: Loc, name: str, model: type[BaseModel]) -> str:
    if model_at(model, loc) is LocalText:
        return f"'{name}' needs Italian and English text: {{it: ..., en: ...}}"
    return f"'{name}' must be a mapping (key: value)"
