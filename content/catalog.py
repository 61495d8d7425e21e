"""Content items gathered from all files, each remembering where it was written."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from content import format as fmt
from content.messages import describe, did_you_mean, field_by_key, model_at
from content.problems import Problem
from content.yamlio import Path, YamlDoc

M = TypeVar("M", bound=BaseModel)
_TOP_LEVEL_KIND = re.compile(r"^(areas|pois|quests|badges|coupons|merchants|streets)\s*:", re.M)
KINDS = tuple(fmt.KIND_MODELS)
_SALVAGE_ROUNDS = 4


@dataclass(frozen=True)
class Item(Generic[M]):
    """One valid item (a POI, a quest, …) and its place in the YAML."""

    model: M
    file: str
    doc: YamlDoc
    path: Path
    salvaged: bool = False  # structurally broken; kept (minus the broken keys) for other checks

    def problem(self, message: str, *sub: str | int, at_key: bool = False) -> Problem:
        """A problem pointing at `sub` inside this item (or its nearest written parent)."""
        path = (*self.path, *sub)
        mark = self.doc.key_mark(path) if at_key else self.doc.mark(path)
        return Problem(self.file, mark.line, mark.col, message)

    def where(self) -> str:
        mark = self.doc.mark(self.path)
        return f"{self.file}:{mark.line}:{mark.col}"


@dataclass
class Catalog:
    """Every item of every kind; `known` also holds slugs of items that failed validation."""

    areas: list[Item[fmt.Area]] = field(default_factory=list)
    pois: list[Item[fmt.Poi]] = field(default_factory=list)
    quests: list[Item[fmt.Quest]] = field(default_factory=list)
    badges: list[Item[fmt.Badge]] = field(default_factory=list)
    coupons: list[Item[fmt.Coupon]] = field(default_factory=list)
    merchants: list[Item[fmt.Merchant]] = field(default_factory=list)
    streets: list[Item[fmt.Street]] = field(default_factory=list)
    known: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    files: list[str] = field(default_factory=list)
    # Kinds that files which could not be read (YAML syntax, limits) may define: checks that
    # need every item of such a kind ("unknown POI", "no area has role …") stay quiet for it
    # rather than report false follow-on problems.
    unreadable: set[str] = field(default_factory=set)

    def mark_unreadable(self, data: bytes) -> None:
        """Guess from the raw text which kinds an unreadable file defines (all, if unclear)."""
        text = data.decode("utf-8", errors="replace")
        found = {match.group(1) for match in _TOP_LEVEL_KIND.finditer(text)}
        self.unreadable |= found or set(KINDS)

    def complete(self, kind: str) -> bool:
        """Every item of `kind` was read (no unreadable file may define more)."""
        return kind not in self.unreadable

    def items(self, kind: str) -> list[Item[Any]]:
        items: list[Item[Any]] = getattr(self, kind)
        return items


def collect_file(catalog: Catalog, file: str, doc: YamlDoc) -> list[Problem]:
    """Validate the structure of one parsed file and add its items to `catalog`."""
    catalog.files.append(file)
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        expected = ", ".join(KINDS)
        return [_at(file, doc, (), f"the top level must be a mapping with any of: {expected}")]
    problems: list[Problem] = []
    for kind, items in doc.data.items():
        if kind not in fmt.KIND_MODELS:
            hint = did_you_mean(kind, KINDS) or f"; expected one of: {', '.join(KINDS)}"
            mark = doc.key_mark((kind,))
            problems.append(Problem(file, mark.line, mark.col, f"unknown key '{kind}'{hint}"))
        elif items is None:
            continue
        elif not isinstance(items, list):
            message = f"'{kind}' must be a list (each item starts with '-')"
            problems.append(_at(file, doc, (kind,), message))
        else:
            for index, raw in enumerate(items):
                problems.extend(_collect_item(catalog, file, doc, (kind, index), raw))
    return problems


def _collect_item(catalog: Catalog, file: str, doc: YamlDoc, path: Path, raw: Any) -> list[Problem]:
    kind = str(path[0])
    model_class = fmt.KIND_MODELS[kind]
    if isinstance(raw, dict) and isinstance(raw.get("slug"), str):
        catalog.known[kind].add(raw["slug"])
    try:
        model = model_class.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = describe(error, model_class)
            at = (*path, *message.loc)
            mark = doc.key_mark(at) if message.at_key else doc.mark(at)
            problems.append(Problem(file, mark.line, mark.col, message.text))
        salvaged = _salvage(model_class, raw, exc)
        if salvaged is not None:
            catalog.items(kind).append(Item(salvaged, file, doc, path, salvaged=True))
        return problems
    catalog.items(kind).append(Item(model, file, doc, path))
    return []


def _salvage(model_class: type[BaseModel], raw: Any, exc: ValidationError) -> BaseModel | None:
    """The item without its broken optional keys, so that the other checks still see it.

    Only mapping keys are removed (never list items), so every position stays right.
    """
    data = copy.deepcopy(raw)
    for _ in range(_SALVAGE_ROUNDS):
        if not all(_prune(data, tuple(e["loc"]), model_class) for e in exc.errors()):
            return None
        try:
            return model_class.model_validate(data)
        except ValidationError as again:
            exc = again
    return None


def _prune(data: Any, loc: tuple[str | int, ...], model_class: type[BaseModel]) -> bool:
    for end in range(len(loc) - 1, -1, -1):
        key = loc[end]
        if not isinstance(key, str):
            continue
        parent = model_at(model_class, loc[:end])
        info = field_by_key(parent, key) if parent is not None else None
        if parent is not None and (info is None or not info.is_required()):
            container = _get(data, loc[:end])
            if isinstance(container, dict):
                container.pop(key, None)
                return True
    return False


def _get(data: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _at(file: str, doc: YamlDoc, path: Path, message: str) -> Problem:
    mark = doc.mark(path)
    return Problem(file, mark.line, mark.col, message)
