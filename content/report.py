"""Problems as a curator reads them: in Italian or English, with paths that open in an editor.

`load_bundle(path)` names files relative to `path`; a terminal (VS Code's, for one) opens
`file:line:col` relative to the directory the command ran in. `for_terminal` rewrites every
file name, in the position and inside messages ("first defined at base/world.yaml:12:5"), to
a path relative to the current directory.
"""

from __future__ import annotations

import locale
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from content.italian import in_language
from content.problems import Problem

LANGUAGES = ("it", "en")
_POSITION = re.compile(r"(?<![\w./-])([\w./-]+\.ya?ml):(\d+):(\d+)")
_COUNT = {
    "en": ("{n} problem found; nothing changed", "{n} problems found; nothing changed"),
    "it": ("{n} problema trovato; nulla è cambiato", "{n} problemi trovati; nulla è cambiato"),
}


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """'it' when the locale (LC_ALL, LC_MESSAGES, LANG) is Italian, else 'en'."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "it" if value.lower().startswith("it") else "en"
    current = locale.getlocale()[0] or ""
    return "it" if current.lower().startswith("it") else "en"


def for_terminal(
    problems: Iterable[Problem], root: str | Path, lang: str, cwd: Path | None = None
) -> list[str]:
    """`file:line:col: message` lines, files relative to `cwd`, messages in `lang`."""
    base = Path(root)
    here = cwd or Path.cwd()

    def place(name: str) -> str:
        path = (Path(name) if base.is_file() or name == str(root) else base / name).absolute()
        relative = os.path.relpath(path, here.absolute())
        return str(path) if relative.startswith("..") else relative  # never climb out

    lines = []
    for problem in problems:
        message = in_language(problem.message, lang)
        message = _POSITION.sub(lambda m: f"{place(m[1])}:{m[2]}:{m[3]}", message)
        lines.append(f"{place(problem.file)}:{problem.line}:{problem.col}: {message}")
    return lines


def count_line(count: int, lang: str) -> str:
    singular, plural = _COUNT.get(lang, _COUNT["en"])
    return (singular if count == 1 else plural).format(n=count)
