"""`lupiae merchant create|list|rotate-key|revoke-keys`.

Merchants must lie inside the district. The district comes from `--content PATH` (a content
folder, validated like `lupiae content validate`) or, by default, from the content version
active in the database (`lupiae content publish` first). When the slug names a merchant of
that content, its name, category, street and position are the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from sqlalchemy import select

from content import load_bundle
from content.model import Bundle
from game_server.catalog.models import ContentVersion
from game_server.catalog.service import active_ids
from game_server.kit.cli_errors import load_settings
from game_server.kit.errors import DomainError
from game_server.kit.settings import KernelSettings
from game_server.kit.uow import one_off_unit_of_work
from rewards.merchants import MerchantService, MerchantSpec, comune_of, district_of
from rewards.repository import MerchantRepository

_ACTOR = "cli"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("merchant", help="shops of the district and their API keys")
    actions = group.add_subparsers(dest="merchant_command", required=True, metavar="ACTION")
    group.set_defaults(needs_database=True)

    create = actions.add_parser("create", help="onboard a shop; prints its API key once")
    create.add_argument("--slug", required=True, help="matches `merchant:` in coupon templates")
    create.add_argument("--name", help="shop name (default: from the content)")
    create.add_argument("--category", help="e.g. cafe, bookshop (default: from the content)")
    create.add_argument("--street", help="street address (default: from the content)")
    create.add_argument("--lat", type=float, help="latitude, WGS84 (default: from the content)")
    create.add_argument("--lon", type=float, help="longitude, WGS84 (default: from the content)")
    create.add_argument("--demo", action="store_true", help="mark as demo data")
    create.add_argument(
        "--city", help="the shop's comune (default: the one whose content lists it or holds it)"
    )
    create.add_argument(
        "--content", metavar="PATH", help="take the district from this content folder"
    )
    create.add_argument("--json", action="store_true", help="print JSON (with `api_key`)")
    create.set_defaults(handler=_create)

    listing = actions.add_parser("list", help="list merchants")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    rotate = actions.add_parser("rotate-key", help="issue a new key, retire the others")
    rotate.add_argument("slug")
    rotate.add_argument(
        "--grace-s", type=int, default=0, help="seconds the old keys keep working (default 0)"
    )
    rotate.add_argument("--json", action="store_true", help="print JSON (with `api_key`)")
    rotate.set_defaults(handler=_rotate)

    revoke = actions.add_parser("revoke-keys", help="revoke every key of a merchant now")
    revoke.add_argument("slug")
    revoke.set_defaults(handler=_revoke)


def _run(work: Callable[[MerchantService, Any], Coroutine[Any, Any, int]]) -> int:
    async def main() -> int:
        async with one_off_unit_of_work(load_settings(KernelSettings).database_url) as session:
            return await work(MerchantService(MerchantRepository(session), actor=_ACTOR), session)

    try:
        return asyncio.run(main())
    except DomainError as exc:
        print(f"lupiae merchant: {exc.detail}", file=sys.stderr)
        return 1


def _create(args: argparse.Namespace) -> int:
    bundle_from_path = _bundle_at(args.content) if args.content else None
    if args.content and bundle_from_path is None:
        return 1

    async def work(service: MerchantService, session: Any) -> int:
        bundle = bundle_from_path or await _active_bundle(session)
        spec = _spec(args, bundle)
        if spec is None:
            return 2
        merchant, key = await service.create(spec, district_of(bundle, spec.city))
        if args.json:
            data = {"slug": merchant.slug, "name": merchant.name, "api_key": key.api_key}
            print(orjson.dumps({**data, "key_id": str(key.key_id)}).decode())
        else:
            print(f"merchant {merchant.slug} created")
            print(f"API key (shown once, store it now): {key.api_key}")
        return 0

    return _run(work)


def _spec(args: argparse.Namespace, bundle: Bundle | None) -> MerchantSpec | None:
    known = next((m for m in bundle.merchants if m.slug == args.slug), None) if bundle else None
    fields = ("name", "category", "street", "lat", "lon")
    values: dict[str, Any] = {f: getattr(args, f) for f in fields}
    if known is not None:
        values = {f: getattr(known, f) if values[f] is None else values[f] for f in fields}
    missing = [f"--{f}" for f in fields if values[f] is None]
    if missing:
        print(f"lupiae merchant create: missing {', '.join(missing)}", file=sys.stderr)
        return None
    demo = args.demo or (known.demo if known else False)
    city = args.city or comune_of(bundle, args.slug, values["lat"], values["lon"])
    return MerchantSpec(slug=args.slug, demo=demo, city=city, **values)


def _bundle_at(path: str) -> Bundle | None:
    result = load_bundle(path)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return result.bundle


async def _active_bundle(session: Any) -> Bundle | None:
    """Every comune's active content, merged."""
    active = await active_ids(session)
    stmt = select(ContentVersion.bundle_json).where(ContentVersion.id.in_(active.values()))
    bundles = [Bundle.model_validate_json(raw) for raw in (await session.execute(stmt)).scalars()]
    return Bundle.merge(bundles) if bundles else None


def _list(args: argparse.Namespace) -> int:
    async def work(service: MerchantService, _: Any) -> int:
        merchants = await service.merchants.all()
        rows = [
            {"slug": m.slug, "name": m.name, "street": m.street, "demo": m.demo} for m in merchants
        ]
        if args.json:
            print(orjson.dumps(rows).decode())
        for row in rows if not args.json else []:
            print(f"{row['slug']:32} {row['name']} — {row['street']}")
        return 0

    return _run(work)


def _rotate(args: argparse.Namespace) -> int:
    async def work(service: MerchantService, _: Any) -> int:
        key = await service.rotate_key(await service.get(args.slug), grace_s=args.grace_s)
        if args.json:
            print(orjson.dumps({"slug": args.slug, "api_key": key.api_key}).decode())
        else:
            print(f"new API key for {args.slug} (shown once): {key.api_key}")
        return 0

    return _run(work)


def _revoke(args: argparse.Namespace) -> int:
    async def work(service: MerchantService, _: Any) -> int:
        revoked = await service.revoke_keys(await service.get(args.slug))
        print(f"{revoked} key{'s' if revoked != 1 else ''} of {args.slug} revoked")
        return 0

    return _run(work)
