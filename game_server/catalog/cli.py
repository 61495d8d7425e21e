"""`lupiae content validate|schema|publish`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from content import load_bundle, summary
from content.model import Bundle
from content.report import LANGUAGES, count_line, default_language, for_terminal
from content.schema import schema_text
from game_server.catalog.service import ContentClash, PublishResult, WipeRefused, publish_all
from game_server.kit.cli_errors import UserError, load_settings, require_database
from game_server.kit.settings import KernelSettings
from game_server.kit.uow import one_off_unit_of_work


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("content", help="curator content: validate, schema, publish")
    actions = group.add_subparsers(dest="content_command", required=True, metavar="ACTION")

    validate = actions.add_parser("validate", help="check a content folder; list every problem")
    validate.add_argument(
        "path", help="one comune's folder (content/lecce), the whole tree (content/) or a file"
    )
    _language_option(validate)
    validate.set_defaults(handler=_validate)

    schema = actions.add_parser("schema", help="print the JSON Schema of the YAML format")
    schema.set_defaults(handler=_schema)

    publish_ = actions.add_parser(
        "publish", help="validate, then store and activate a new content version"
    )
    publish_.add_argument(
        "path", help="one comune's folder (content/bergamo) or the whole tree (content/)"
    )
    publish_.add_argument(
        "--author", default=None, help="recorded with the version (default: $USER)"
    )
    _language_option(publish_)
    publish_.add_argument(
        "--allow-wipe",
        action="store_true",
        help="publish even an empty bundle, or one removing every site or quest of the live one",
    )
    publish_.set_defaults(handler=_publish)


def _language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the problems (default: from the locale, LANG=it_IT... gives Italian)",
    )


def _load_or_report(path: str, lang: str | None) -> Bundle | None:
    """The bundle, or None after printing its problems (paths relative to the current dir)."""
    result = load_bundle(path)
    if result.bundle is None:
        language = lang or default_language()
        for line in for_terminal(result.problems, path, language):
            print(line, file=sys.stderr)
        print(count_line(len(result.problems), language), file=sys.stderr)
        return None
    return result.bundle


def _validate(args: argparse.Namespace) -> int:
    bundle = _load_or_report(args.path, args.lang)
    if bundle is None:
        return 1
    print(f"{args.path}: valid")
    for city in bundle.cities:
        demo = " (demo)" if city.demo else ""
        print(f"\ncomune {city.slug}{demo}: {city.name.en}, IPA {city.ipa_code}")
        print(summary(bundle.for_city(city.slug)))
    return 0


def _schema(_: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return 0


def _publish(args: argparse.Namespace) -> int:
    bundle = _load_or_report(args.path, args.lang)
    if bundle is None:
        return 1
    author = args.author or getpass.getuser()
    settings = load_settings(KernelSettings)
    require_database(settings.database_url, existing=True)  # the content first, then the database
    try:
        results = asyncio.run(_store(settings, bundle, author, args.allow_wipe))
    except WipeRefused as exc:
        raise UserError(exc.detail.replace("with allow_wipe", "with --allow-wipe")) from None
    except ContentClash as exc:
        raise UserError(f"{exc.detail}; nothing changed") from None
    for result in results:
        print(
            f"comune {result.city}: content version {result.version_id} {result.status} "
            f"({result.content_hash[:16]})"
        )
    return 0


async def _store(
    settings: KernelSettings, bundle: Bundle, author: str, allow_wipe: bool
) -> list[PublishResult]:
    """Every comune of the bundle in one transaction: all published, or none."""
    async with one_off_unit_of_work(settings.database_url) as session:
        return await publish_all(session, bundle, author=author, allow_wipe=allow_wipe)
