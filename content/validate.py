"""From files to a Bundle: parse, check the structure, check the rules, normalise.

A bundle may hold several comuni (one folder with a `city.yaml` each): each comune is
validated on its own (its quests may only use its own POIs, its POIs lie inside its own
walls), then slugs are checked to be unique across comuni.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from content.catalog import KINDS, Catalog, Item, collect_file
from content.checks import geometry, identity, references, rules
from content.cities import CITY_FILE, check_bbox, parse_city, split_by_city
from content.model import LECCE, Bundle, City
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


@dataclass
class _Comune:
    root: str
    city: City | None
    catalog: Catalog
    problems: list[Problem]


def validate_files(files: Mapping[str, bytes], default_city: City = LECCE) -> LoadResult:
    """Validate a whole bundle given as `{relative file name: content}`; report every problem.

    Files under no `city.yaml` belong to `default_city`.
    """
    groups = split_by_city(files)
    several = len(groups) > 1
    comuni = [_check_comune(root, g, default_city, several) for root, g in sorted(groups.items())]
    problems = [p for comune in comuni for p in comune.problems]
    problems.extend(_across_comuni(comuni))
    if problems:
        return LoadResult(bundle=None, problems=sort_problems(problems))
    bundles = [build_bundle(c.catalog, c.city) for c in comuni if c.city is not None]
    return LoadResult(bundle=bundles[0] if len(bundles) == 1 else Bundle.merge(bundles))


def _check_comune(root: str, files: dict[str, bytes], default: City, several: bool) -> _Comune:
    city_file = root + CITY_FILE
    city, problems = (
        (default, []) if city_file not in files else parse_city(city_file, files[city_file])
    )
    if root == "" and city_file not in files and several:
        problems = [Problem(name, 1, 1, _stray()) for name in sorted(files)]
        return _Comune(root, None, Catalog(), problems)
    catalog = Catalog()
    for name in sorted(files):
        if name == city_file:
            continue
        doc, parse_problems = parse_yaml(name, files[name])
        problems.extend(parse_problems)
        if doc is not None:
            problems.extend(collect_file(catalog, name, doc))
        else:
            catalog.mark_unreadable(files[name])
    problems.extend(run_checks(catalog))
    if city is not None and city_file in files:  # without a city.yaml, no bbox is written
        problems.extend(check_bbox(catalog, city))
    return _Comune(root, city, catalog, problems)


def _stray() -> str:
    return "this file is in no comune's folder: put it in a folder with a city.yaml"


def _across_comuni(comuni: list[_Comune]) -> Iterator[Problem]:
    """Comuni have distinct slugs, and no slug of any kind is used by two comuni."""
    seen: dict[str, str] = {}
    for comune in comuni:
        if comune.city is None:
            continue
        slug = comune.city.slug
        if slug in seen:
            message = f"comune '{slug}' is already defined in {seen[slug]}{CITY_FILE}"
            yield Problem(comune.root + CITY_FILE, 1, 1, message)
        seen.setdefault(slug, comune.root)
    for kind in KINDS:
        first: dict[str, tuple[str, Item[Any]]] = {}
        for comune in comuni:
            for item in comune.catalog.items(kind):
                root, other = first.setdefault(item.model.slug, (comune.root, item))
                if root != comune.root:
                    yield item.problem(_clash(kind, item.model.slug, other), "slug")


def _clash(kind: str, slug: str, other: Item[Any]) -> str:
    return (
        f"{kind[:-1]} slug '{slug}' is already used by another comune ({other.where()}); "
        "slugs are unique across comuni"
    )


def run_checks(catalog: Catalog) -> list[Problem]:
    """Every semantic problem of the catalog, in no particular order."""
    return [
        *identity.check(catalog),
        *references.check(catalog),
        *geometry.check(catalog),
        *rules.check(catalog),
    ]
