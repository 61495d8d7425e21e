"""Where content comes from: a folder, a single file, or an in-memory upload."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from content.model import LECCE, City
from content.problems import Problem
from content.validate import LoadResult, validate_files

MAX_FILES = 500
MAX_TOTAL_BYTES = 16 * 1024 * 1024
SUFFIXES = (".yaml", ".yml")


def load_bundle(path: str | Path, default_city: City = LECCE) -> LoadResult:
    """Load and validate every `*.yaml`/`*.yml` under `path` (a folder, recursively, or a file):
    one comune's folder (with its city.yaml) or a tree of them (`content/`).

    Problems name files relative to `path` (a single file is named as given).
    """
    root = Path(path)
    if root.is_file():
        return load_files({str(path): root.read_bytes()}, default_city)
    if not root.is_dir():
        return _fail(str(path), "no such file or folder")
    found = sorted(p for p in root.rglob("*") if _is_content(p, root))
    if not found:
        return _fail(str(path), "no .yaml or .yml files found")
    if len(found) > MAX_FILES:
        return _fail(str(path), f"{len(found)} content files, the limit is {MAX_FILES}")
    return load_files({p.relative_to(root).as_posix(): p.read_bytes() for p in found}, default_city)


def load_files(files: Mapping[str, bytes], default_city: City = LECCE) -> LoadResult:
    """Validate a bundle given in memory as `{relative file name: content}` (e.g. an upload).

    Only names ending in .yaml or .yml are content; others are ignored.
    """
    content = {name: data for name, data in files.items() if name.endswith(SUFFIXES)}
    if not content:
        return _fail("<bundle>", "no .yaml or .yml files found")
    if len(content) > MAX_FILES:
        return _fail("<bundle>", f"{len(content)} content files, the limit is {MAX_FILES}")
    total = sum(len(data) for data in content.values())
    if total > MAX_TOTAL_BYTES:
        mib = total / 1024 / 1024
        return _fail("<bundle>", f"the bundle is {mib:.1f} MiB, the limit is 16 MiB")
    return validate_files(content, default_city)


def _is_content(path: Path, root: Path) -> bool:
    hidden = any(part.startswith((".", "__")) for part in path.relative_to(root).parts)
    return path.suffix in SUFFIXES and path.is_file() and not hidden


def _fail(file: str, message: str) -> LoadResult:
    return LoadResult(bundle=None, problems=[Problem(file, 1, 1, message)])
