"""Quiz answers compared the forgiving way: case, accents, spacing and punctuation ignored."""

from __future__ import annotations

import re
import unicodedata

from content.model import Quiz

_NOT_WORD = re.compile(r"[\W_]+")


def normalise_answer(text: str) -> str:
    """`"  Sant’Oronzo!! "` → `"sant oronzo"`: NFKD, accents dropped, casefolded, one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def is_correct(quiz: Quiz, answer: str) -> bool:
    given = normalise_answer(answer)
    return bool(given) and any(given == normalise_answer(a) for a in quiz.answers)
