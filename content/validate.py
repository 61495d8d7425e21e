"""From files to a Bundle: parse, check the structure, check the rules, normalise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from content.catalog import Catalog, collect_file
from content.checks import geometry, identity, references, rules
from content.model import Bundle
from content.normalize import build_bundle
from content.problems import Problem, sort_problems
from content.yamlio import parse_yaml


@dataclass(frozen=True)
class LoadResult:
    """`bundle` is None whenever `problems` is not empty."""

    bundle: Bundle | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.bundle is not None


def validate_files(files: Mapping[str, bytes]) -> LoadResult:
    """Validate a whole bundle given as `{relative file name: content}`; report every problem."""
    catalog = Catalog()
    problems: list[Problem] = []
    for name in sorted(files):
        doc, parse_problems = parse_yaml(name, files[name])
        problems.extend(parse_problems)
        if doc is not None:
            problems.extend(collect_file(catalog, name, doc))
        else:
            catalog.mark_unreadable(files[name])
    problems.extend(run_checks(catalog))
    if problems:
        return LoadResult(bundle=None, problems=sort_problems(problems))
    return LoadResult(bundle=build_bundle(catalog))


def run_checks(catalog: Catalog) -> list[Problem]:
    """Every semantic problem of the catalog, in no particular order."""
    return [
        *identity.check(catalog),
        *references.check(catalog),
        *geometry.check(catalog),
        *rules.check(catalog),
    ]
