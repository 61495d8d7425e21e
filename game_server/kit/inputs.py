"""The one input rule (docs/security.md): what no field of any request may carry.

Every request's path, query string and JSON body, and every socket frame, are held to it
before any handler sees them; a breach is a 422 problem (HTTP) or a `bad_frame` error
(socket), never a 500 from a database that refuses a NUL or an integer over 64 bits.

- Text: no control characters (Unicode category Cc: NUL..US, DEL, the C1 range) except tab,
  line feed and carriage return in free text, and no lone surrogates (they cannot be stored
  as UTF-8). Names (a display name, a team's, an email) take no control character at all.
- Numbers: finite and within ±(2**53 − 1) (the integers every JSON client reads exactly).
- Dates and times: years MIN_YEAR..MAX_YEAR, so that a day's arithmetic (the day after the
  last one, a time zone's offset) never leaves what Python and the databases can hold.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator

MAX_SAFE_INTEGER = 2**53 - 1
MIN_YEAR = 1970
MAX_YEAR = 2999
# Device times in ms since the epoch: up to the end of MAX_YEAR.
MAX_EPOCH_MS = int(datetime(MAX_YEAR, 12, 31, 23, 59, 59).timestamp() * 1000)

# Cc without tab, LF, CR; and the UTF-16 surrogates, which a JSON "\ud800" escape can carry.
_FORBIDDEN_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class InputRejected(ValueError):
    """A value breaks the input rule; `where` says which field (e.g. "body.display_name")."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def text_problem(value: str) -> str | None:
    """Why `value` is not acceptable free text, or None."""
    found = _FORBIDDEN_IN_TEXT.search(value)
    if found is None:
        return None
    return f"control or surrogate character U+{ord(found.group()):04X} is not allowed"


def name_problem(value: str) -> str | None:
    found = _FORBIDDEN_IN_NAME.search(value)
    if found is None:
        return None
    return f"control character U+{ord(found.group()):04X} is not allowed in a name"


def number_problem(value: float) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return None
        return f"integers must be within ±{MAX_SAFE_INTEGER}"
    if not math.isfinite(value):
        return "numbers must be finite"
    if abs(value) > MAX_SAFE_INTEGER:
        return f"numbers must be within ±{MAX_SAFE_INTEGER}"
    return None


def check_json(value: Any, where: str = "body") -> None:
    """Walk a parsed JSON document; raise InputRejected at the first breach."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
        elif isinstance(item, (int, float)):
            problem = number_problem(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                key_text = str(key)
                if (problem := text_problem(key_text)) is not None:
                    raise InputRejected(path, problem)
                stack.append((f"{path}.{key_text}", child))
            continue
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))
            continue
        else:
            continue
        if problem is not None:
            raise InputRejected(path, problem)


def check_parameter(where: str, value: str) -> None:
    """A path segment or query value: the text rule, and integers in the safe range."""
    if (problem := text_problem(value)) is not None:
        raise InputRejected(where, problem)
    if _INTEGER.fullmatch(value.strip()) and len(value) > 15 and abs(int(value)) > MAX_SAFE_INTEGER:
        raise InputRejected(where, f"integers must be within ±{MAX_SAFE_INTEGER}")


def _name(value: str) -> str:
    problem = name_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _day(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"dates must be within the years {MIN_YEAR}..{MAX_YEAR}")
    return value


def check_moment(value: datetime, what: str) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"`{what}` must be within the years {MIN_YEAR}..{MAX_YEAR}")
    return value


def _moment(value: datetime) -> datetime:
    return check_moment(value, "date-time")


# Annotated types for schemas: a name (no control character), free text, a bounded day.
NAME_RULE = AfterValidator(_name)  # to put after other constraints: Annotated[str, ..., NAME_RULE]
Name = Annotated[str, NAME_RULE]
Text = Annotated[str, AfterValidator(_text)]
Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[datetime, AfterValidator(_moment)]
