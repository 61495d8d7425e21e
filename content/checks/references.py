"""Every slug used as a reference names something that exists; prerequisites form no cycle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from content import format as fmt
from content.catalog import Catalog, Item
from content.messages import did_you_mean
from content.problems import Problem

_NOUNS = {"pois": "POI", "quests": "quest", "badges": "badge", "coupons": "coupon"}


def check(catalog: Catalog) -> Iterator[Problem]:
    for quest in catalog.quests:
        yield from _quest_references(catalog, quest)
    for badge in catalog.badges:
        yield from _badge_references(catalog, badge)
    for coupon in catalog.coupons:
        yield from _reference(catalog, coupon, "merchants", coupon.model.merchant, "merchant")
    yield from _prerequisite_cycles(catalog)
    if catalog.complete("quests"):  # a quest giving the badge may be in an unreadable file
        yield from _unearnable_badges(catalog)


def _reference(
    catalog: Catalog, item: Item[Any], kind: str, slug: str, *where: str | int
) -> Iterator[Problem]:
    known = catalog.known[kind]
    if slug not in known and catalog.complete(kind):
        noun = _NOUNS.get(kind, kind.rstrip("s"))
        yield item.problem(f"unknown {noun} '{slug}'{did_you_mean(slug, sorted(known))}", *where)


def _quest_references(catalog: Catalog, quest: Item[fmt.Quest]) -> Iterator[Problem]:
    for index, step in enumerate(quest.model.steps):
        for key in ("visit", "dwell", "team", "at"):
            slug = getattr(step, key)
            if slug is not None:
                yield from _reference(catalog, quest, "pois", slug, "steps", index, key)
    for index, slug in enumerate(quest.model.requires):
        yield from _reference(catalog, quest, "quests", slug, "requires", index)
    rewards = quest.model.rewards
    if rewards.badge is not None:
        yield from _reference(catalog, quest, "badges", rewards.badge, "rewards", "badge")
    if rewards.coupon is not None:
        yield from _reference(catalog, quest, "coupons", rewards.coupon, "rewards", "coupon")


def _badge_references(catalog: Catalog, badge: Item[fmt.Badge]) -> Iterator[Problem]:
    criteria = badge.model.criteria
    if criteria is None:
        return
    for index, slug in enumerate(criteria.quests or []):
        yield from _reference(catalog, badge, "quests", slug, "criteria", "quests", index)
    wanted = criteria.sites_of_kind
    if wanted is not None and catalog.complete("pois"):
        yield from _sites_of_kind(catalog, badge, wanted)


def _sites_of_kind(
    catalog: Catalog, badge: Item[fmt.Badge], wanted: fmt.SitesOfKind
) -> Iterator[Problem]:
    kinds = [poi.model.kind for poi in catalog.pois]
    available = kinds.count(wanted.kind)
    where = ("criteria", "sites_of_kind")
    if available == 0:
        hint = did_you_mean(wanted.kind, sorted(set(kinds)))
        yield badge.problem(f"no POI has kind '{wanted.kind}'{hint}", *where, "kind")
    elif wanted.count > available:
        have = "1 POI has" if available == 1 else f"{available} POIs have"
        message = (
            f"the badge asks for {wanted.count} sites of kind '{wanted.kind}' "
            f"but only {have} that kind"
        )
        yield badge.problem(message, *where, "count")


def _unearnable_badges(catalog: Catalog) -> Iterator[Problem]:
    rewarded = {quest.model.rewards.badge for quest in catalog.quests}
    for badge in catalog.badges:
        if badge.model.criteria is None and badge.model.slug not in rewarded:
            message = (
                f"badge '{badge.model.slug}' cannot be earned: it has no criteria "
                "and no quest gives it as a reward"
            )
            yield badge.problem(message, "slug")


def _prerequisite_cycles(catalog: Catalog) -> Iterator[Problem]:
    quests = {quest.model.slug: quest for quest in catalog.quests}
    graph = {slug: [r for r in q.model.requires if r in quests] for slug, q in quests.items()}
    for cycle in find_cycles(graph):
        start = min(cycle, key=list(quests).index)
        at = cycle.index(start)
        ordered = cycle[at:] + cycle[:at]
        following = ordered[1] if len(ordered) > 1 else start
        quest = quests[start]
        index = quest.model.requires.index(following)
        if len(ordered) == 1:
            message = f"quest '{start}' requires itself"
        else:
            message = f"prerequisite cycle: {' → '.join([*ordered, start])}"
        yield quest.problem(message, "requires", index)


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per distinct set of nodes, found by an iterative depth-first search."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root, targets in graph.items():
        if root in state:
            continue
        path: list[str] = [root]
        pending = [iter(targets)]
        state[root] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(graph[nxt]))
    return cycles
