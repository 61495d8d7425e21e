"""YAML syntax errors in a curator's words, at the place the mistake starts and where it shows.

PyYAML reports where the parser gave up (`problem_mark`) and, for most errors, where the
construct it was reading began (`context_mark`): the `{` never closed, the block whose lines are
not lined up, the quote never closed. Both places are reported, each naming the other, so the
editor can jump to either.
"""

from __future__ import annotations

import re

import yaml

from content.problems import Problem

PREFIX = "YAML syntax error: "
_FLOW = re.compile(r"expected ',' or '([}\]])', but got (.+)")
_OPENERS = {"}": "{", "]": "["}
_TOKENS = {
    "'<stream end>'": "the end of the file",
    "'<block mapping start>'": "a new key",
    "'<block sequence start>'": "a new list",
    "'<block end>'": "the end of the block",
    "'?'": "a new key",
    "'-'": "a list item ('-')",
    "'<scalar>'": "a value",
}


def syntax_problems(file: str, exc: yaml.MarkedYAMLError) -> list[Problem]:
    """One or two problems: where the mistake starts (when known) and where it was noticed."""
    problem, context = exc.problem or "", exc.context or ""
    start, seen = exc.context_mark, exc.problem_mark or exc.context_mark
    if seen is None:
        return [Problem(file, 1, 1, PREFIX + (problem or context or "invalid YAML"))]
    here = (seen.line + 1, seen.column + 1)
    there = (start.line + 1, start.column + 1) if start is not None else None
    started, noticed = _explain(problem, context, here, there, start, seen)
    found = [Problem(file, *here, PREFIX + noticed)]
    if there is not None and started is not None and there != here:
        found.insert(0, Problem(file, *there, PREFIX + started))
    return found


def _at(position: tuple[int, int]) -> str:
    return f"line {position[0]}, column {position[1]}"


def _token(raw: str) -> str:
    return _TOKENS.get(raw, raw)


def _explain(
    problem: str,
    context: str,
    here: tuple[int, int],
    there: tuple[int, int] | None,
    start: yaml.Mark | None,
    seen: yaml.Mark,
) -> tuple[str | None, str]:
    """(message at the start, message where noticed), in a curator's words."""
    flow = _FLOW.match(problem)
    if flow and there is not None:
        closer = flow.group(1)
        opener = _OPENERS[closer]
        got = flow.group(2)
        seen_text = "the file ends" if got == "'<stream end>'" else f"unexpected {_token(got)}"
        return (
            f"this '{opener}' is not closed: end it with '{closer}', separate its entries "
            f"with ',' and put text containing ':' or ',' in quotes (noticed at {_at(here)})",
            f"{seen_text} inside the '{opener}' opened at {_at(there)}",
        )
    if "expected <block end>" in problem and there is not None:
        got = _token(problem.rpartition("but found ")[2])
        return (
            f"the lines of this block are not lined up: line {here[0]} is indented "
            f"differently (noticed at {_at(here)})",
            f"wrong indentation: {got} that does not line up with the block started at "
            f"{_at(there)}; indent it like the lines above it",
        )
    if context == "while scanning a quoted scalar" and there is not None:
        quote = _quote_at(start)
        return (
            f"the quote {quote} opened here is never closed (noticed at {_at(here)})",
            f"still inside the quoted text opened at {_at(there)}: close it with {quote}",
        )
    if context == "while scanning a simple key" and there is not None:
        return (
            f"a key without ':': write 'key: value' (noticed at {_at(here)})",
            f"line {there[0]} has a key without ':' (it starts at {_at(there)})",
        )
    if problem == "mapping values are not allowed here":
        return None, (
            "a ':' where no key can start: put text containing ': ' in quotes, or indent "
            "this line like the keys above it"
        )
    if "cannot start any token" in problem and "\\t" in problem:
        return None, "a tab character: indent with spaces only"
    if context == "expected a single document in the stream":
        return None, "a second document starts here: keep one document per file (remove '---')"
    if problem.startswith("found undefined alias"):
        name = problem.rpartition(" ")[2].strip("'")
        return None, f"the alias '*{name}' refers to no anchor '&{name}' written above it"
    return None, _raw(problem, context)


def _quote_at(mark: yaml.Mark | None) -> str:
    buffer = getattr(mark, "buffer", None)
    if mark is None or not isinstance(buffer, str) or mark.pointer >= len(buffer):
        return "quote"
    return f"{buffer[mark.pointer]}" if buffer[mark.pointer] in "'\"" else "quote"


def _raw(problem: str, context: str) -> str:
    if context and problem:
        joined = problem.startswith("but ")
        return f"{context}, {problem}" if joined else f"{problem} ({context})"
    return problem or context or "invalid YAML"
