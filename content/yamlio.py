"""Safe YAML reading that keeps the line and column of every value.

The text is composed into PyYAML's node graph (never constructed into Python objects by
PyYAML), checked against size, alias and tag limits, and only then walked into plain values.
Scalars follow the YAML 1.2 core schema: `no`, `on` and `10:30` stay text, as curators expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from content.problems import Mark, Problem
from content.syntax import syntax_problems

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_ALIASES = 100
MAX_DEPTH = 40

Path = tuple[str | int, ...]
_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = f"{_CORE}seq", f"{_CORE}map", f"{_CORE}merge"
_NOT_UTF8 = "file is not valid UTF-8 text"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP, _MERGE}


class LimitError(yaml.MarkedYAMLError):
    """A document that is too big, too deep or has too many aliases."""


class SafeLineLoader(yaml.SafeLoader):
    """A SafeLoader with YAML 1.2 core scalars and limits on nodes, aliases and depth."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.node_count = 0
        self.alias_marks: list[yaml.Mark] = []
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: yaml.Mark = event.start_mark
        if isinstance(event, AliasEvent):
            self.alias_marks.append(mark)
            if len(self.alias_marks) > MAX_ALIASES:
                raise LimitError(None, None, f"more than {MAX_ALIASES} aliases in one file", mark)
        self.node_count += 1
        if self.node_count > MAX_NODES:
            raise LimitError(None, None, f"file has more than {MAX_NODES} values", mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(None, None, f"values nested deeper than {MAX_DEPTH} levels", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _add(tag: str, pattern: str, first: str | None) -> None:
    SafeLineLoader.add_implicit_resolver(tag, re.compile(pattern), list(first) if first else None)


_add(_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add(_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789")
_add(
    _FLOAT,
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+.0123456789",
)
_add(_MERGE, r"^<<$", "<")
_add(_NULL, r"^(?:~|null|Null|NULL|)$", None)


@dataclass
class YamlDoc:
    """Plain data of one file plus the position of every value and every mapping key."""

    data: Any
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)

    def mark(self, path: Path) -> Mark:
        """Position of the value at `path`, or of its nearest existing parent."""
        for end in range(len(path), -1, -1):
            found = self.marks.get(path[:end])
            if found is not None:
                return found
        return Mark(1, 1)

    def key_mark(self, path: Path) -> Mark:
        """Position of the key that introduces `path` (falls back to the value)."""
        return self.key_marks.get(path) or self.mark(path)


def parse_yaml(file: str, data: bytes) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one file safely; on any problem return `(None, problems)`."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, 1, _too_big(len(data)))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(errors="replace")
        return None, [_position_problem(file, before, _NOT_UTF8)]
    try:
        loader = SafeLineLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except LimitError as exc:
        return None, [_limit_problem(file, exc)]
    except yaml.MarkedYAMLError as exc:
        return None, syntax_problems(file, exc)
    except yaml.reader.ReaderError as exc:
        message = f"character #x{exc.character:04x} is not allowed in YAML text"
        return None, [_position_problem(file, text[: exc.position], message)]
    if root is None:
        return YamlDoc(data=None), []
    limit = _expansion_problem(file, root, loader.alias_marks)
    if limit is not None:
        return None, [limit]
    walker = _Walker(file)
    doc = YamlDoc(data=walker.walk(root, ()), marks=walker.marks, key_marks=walker.key_marks)
    return (None, walker.problems) if walker.problems else (doc, [])


def _too_big(size: int) -> str:
    mib = f"{size / MAX_FILE_BYTES:.1f}"
    if mib == "1.0":
        return f"file is {size} bytes, the limit is 1 MiB ({MAX_FILE_BYTES} bytes)"
    return f"file is {mib} MiB, the limit is 1 MiB"


def _limit_problem(file: str, exc: LimitError) -> Problem:
    mark = exc.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(file, line, col, str(exc.problem))


def _position_problem(file: str, before: str, message: str) -> Problem:
    last_line = before.rpartition("\n")[2]
    return Problem(file, before.count("\n") + 1, len(last_line) + 1, message)


def _expansion_problem(file: str, root: Node, alias_marks: list[yaml.Mark]) -> Problem | None:
    """Measure how many values the aliases expand to, and how deep, without expanding them."""
    if not alias_marks:
        return None
    first = alias_marks[0]
    measured = _expanded_measure(root)
    if measured is None:
        message = "recursive alias: a value contains itself"
        return Problem(file, first.line + 1, first.column + 1, message)
    size, depth = measured
    if size > MAX_NODES:
        message = (
            f"aliases expand this file to more than {MAX_NODES} values (alias bomb?); "
            "write the content out instead"
        )
        return Problem(file, first.line + 1, first.column + 1, message)
    if depth > MAX_DEPTH:
        message = (
            f"aliases nest values deeper than {MAX_DEPTH} levels (a chain of aliases inside "
            "aliases); write the content out instead"
        )
        return Problem(file, first.line + 1, first.column + 1, message)
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _expanded_measure(root: Node) -> tuple[int, int] | None:
    """(values, depth) once every alias is expanded, or None for a value containing itself.

    Iterative (an explicit stack), so that no chain of aliases can exhaust Python's stack.
    """
    done: dict[int, tuple[int, int]] = {}
    active: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            measures = [done[id(child)] for child in _children(node)]
            size = 1 + sum(m[0] for m in measures)
            depth = 1 + max((m[1] for m in measures), default=0)
            done[key] = (min(size, MAX_NODES + 1), min(depth, MAX_DEPTH + 1))
            active.discard(key)
            continue
        if key in done:
            continue
        if key in active:
            return None
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return None
            if id(child) not in done:
                stack.append((child, False))
    return done[id(root)]


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


class _Walker:
    """Turns a checked node graph into plain values, recording positions on the way."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[Path, Mark] = {}
        self.key_marks: dict[Path, Mark] = {}
        self.problems: list[Problem] = []

    def problem(self, node: Node, message: str) -> None:
        mark = _mark(node)
        self.problems.append(Problem(self.file, mark.line, mark.col, message))

    def walk(self, node: Node, path: Path) -> Any:
        self.marks.setdefault(path, _mark(node))
        if node.tag not in _ALLOWED_TAGS or (node.tag == _MERGE and path):
            unsafe = "python/" in node.tag
            kind = "unsafe" if unsafe else "unknown"
            self.problem(node, f"{kind} YAML tag '{_tag_name(node.tag)}' is not allowed")
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.walk(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in first_seen:
                first = first_seen[key].line
                self.problem(key_node, f"duplicate key '{key}' (first used on line {first})")
                continue
            first_seen[key] = _mark(key_node)
            self.key_marks.setdefault((*path, key), first_seen[key])
            result[key] = self.walk(value_node, (*path, key))
        for merged in merges:
            self._merge(result, merged, path)
        return result

    def _merge(self, result: dict[str, Any], node: Node, path: Path) -> None:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(source, "'<<' must merge a mapping or a list of mappings")
                continue
            for key, value in self._mapping(source, path).items():
                result.setdefault(key, value)

    def _key(self, node: Node) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag not in _ALLOWED_TAGS:
            self.problem(node, "a mapping key must be plain text")
            return None
        return str(node.value)

    def _scalar(self, node: ScalarNode) -> Any:
        text: str = node.value
        try:
            return _convert_scalar(node.tag, text)
        except ValueError:
            self.problem(node, f"cannot read '{text}' as {_tag_name(node.tag)}")
            return None


def _convert_scalar(tag: str, text: str) -> Any:
    if tag == _NULL:
        return None
    if tag == _BOOL:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(text)
        return lowered == "true"
    if tag == _INT:
        return _to_int(text)
    if tag == _FLOAT:
        return _to_float(text)
    if tag != _STR:
        raise ValueError(text)
    return text


def _to_int(text: str) -> int:
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)
