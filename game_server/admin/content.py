"""Curators at work: validate, publish, list, roll back and preview content (`/admin/v1/content`).

Uploads are several YAML files (names kept: `-F files=@pois.yaml;filename=lecce/pois.yaml`)
or one zip. Validation is exactly `lupiae content validate`'s, problems included.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile

from content import LoadResult, load_files, summary
from content.italian import in_language
from content.model import LECCE, Bundle, City
from content.report import count_line
from game_server.admin import diff, versions
from game_server.admin.diff import BundleChanges
from game_server.admin.preview import quest_preview
from game_server.admin.schemas import (
    ActivateRead,
    BundleSummary,
    CityPublishRead,
    ProblemRead,
    PublishRead,
    ValidationReport,
    VersionRead,
)
from game_server.admin.uploads import read_upload
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.catalog import service as catalog
from game_server.catalog.models import ContentVersion
from game_server.kit.deps import SessionDep
from game_server.kit.errors import Forbidden, NotFound, Unprocessable
from game_server.kit.i18n import negotiate
from game_server.kit.responses import GeoJsonResponse
from game_server.kit.uow import make_durable
from game_server.staff.auth import CuratorStaff, StaffPrincipal
from game_server.staff.roles import Role

router = APIRouter(prefix="/admin/v1/content", tags=["admin: content"])

Files = Annotated[
    list[UploadFile],
    File(description="several .yaml/.yml files (folders kept in the file names) or one .zip"),
]
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "the bundle has problems (listed in `problems`)"}
}


class InvalidBundle(Unprocessable):
    slug = "content-invalid"


class InvalidBundleAudited(InvalidBundle):
    commit = True  # the refused publication stays in the audit log; nothing else is stored


CityQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="the comune of files without a city.yaml (default: lecce); "
        "an upload with city.yaml files says its comuni itself",
    ),
]


async def _load(files: list[UploadFile], request: Request, city: str | None = None) -> LoadResult:
    uploaded = await read_upload(files)
    default = _registered_city(request, city)
    # Validating a large bundle takes a while: keep the event loop (and its sockets) free.
    return await asyncio.to_thread(load_files, uploaded, default)


def _registered_city(request: Request, city: str | None) -> City:
    """The comune named by `?city=`, as its active content describes it."""
    served = _served(request)
    if city in served:
        return served[city].city
    if city is None or city == LECCE.slug:
        return LECCE
    known = ", ".join(sorted(served)) or "none"
    raise NotFound(f"no comune {city!r} is published (comuni: {known}); upload its city.yaml")


def _served(request: Request) -> dict[str, catalog.CityContent]:
    loaded = request.app.state.catalog.current
    return loaded.cities if loaded is not None else {}


def _problems(result: LoadResult, lang: str) -> list[ProblemRead]:
    return [
        ProblemRead(file=p.file, line=p.line, col=p.col, message=in_language(p.message, lang))
        for p in result.problems
    ]


def _invalid(result: LoadResult, lang: str, audited: bool = False) -> InvalidBundle:
    error = InvalidBundleAudited if audited else InvalidBundle
    return error(
        count_line(len(result.problems), lang),
        problems=[p.model_dump() for p in _problems(result, lang)],
    )


def _language(request: Request) -> str:
    """it or en, as every other route: `?lang=`, else Accept-Language, else Italian."""
    return negotiate(request.query_params.get("lang") or request.headers.get("accept-language"))


def _summary(bundle: Bundle, active_hash: str | None) -> BundleSummary:
    digest = bundle.content_hash()
    return BundleSummary(
        content_hash=digest,
        active=digest == active_hash,
        areas=len(bundle.areas),
        pois=len(bundle.pois),
        quests=len(bundle.quests),
        badges=len(bundle.badges),
        coupons=len(bundle.coupons),
        merchants=len(bundle.merchants),
        quest_slugs=[quest.slug for quest in bundle.quests],
        text=summary(bundle),
    )


async def _changes(active: ContentVersion | None, bundle: Bundle) -> BundleChanges:
    if active is None:
        return diff.changes(None, bundle, None)
    # Parsing a large version takes a while: keep the event loop free.
    before = await asyncio.to_thread(Bundle.model_validate_json, active.bundle_json)
    return diff.changes(before, bundle, active.id)


def _audit(session: SessionDep) -> AuditLog:
    return AuditLog(AuditRepository(session))


def _author(staff: StaffPrincipal) -> str:
    return staff.email or staff.name


@router.post("/validate", response_model_exclude_unset=True)
async def validate(
    files: Files, staff: CuratorStaff, session: SessionDep, request: Request, city: CityQuery = None
) -> ValidationReport:
    """A dry run: every problem with file, line and column, or a summary and what a publish
    would change against the active version. Stores nothing.

    Messages are in Italian or English (`?lang=`, else Accept-Language, else Italian)."""
    result = await _load(files, request, city)
    summary_ = None
    if result.bundle is not None:
        first = result.bundle.cities[0].slug
        active = await catalog.active_version(session, first)
        summary_ = _summary(result.bundle, active.content_hash if active else None)
    report = ValidationReport(
        valid=result.ok, problems=_problems(result, _language(request)), summary=summary_
    )
    if result.bundle is not None:  # left out (not null) when the bundle is invalid
        report.changes = await _changes(active, result.bundle)
    detail = {"valid": result.ok, "problems": len(result.problems), "files": len(files)}
    cities = result.bundle.slugs() if result.bundle else {city or LECCE.slug}
    await _audit(session).record(
        staff.actor, "content.validate", detail=detail, city=",".join(sorted(cities))
    )
    return report


@router.post("/publish", status_code=201, responses={200: {"description": "unchanged"}, **_INVALID})
async def publish(
    files: Files,
    staff: CuratorStaff,
    session: SessionDep,
    request: Request,
    response: Response,
    allow_wipe: Annotated[
        bool,
        Query(
            description="admins only: publish even an empty bundle, or one that removes every "
            "site or quest of the live version"
        ),
    ] = False,
    city: CityQuery = None,
) -> PublishRead:
    """Validate, store and activate each comune of the upload (the caller must curate every
    one of them); every worker serves it within `content_poll_s` (1 s). Other comuni are
    untouched.

    An empty bundle, or one without any site or quest when the comune's live version has some,
    is refused (422 `content-wipe-refused`) unless an admin passes `allow_wipe=true`."""
    if allow_wipe and staff.role is not Role.ADMIN:
        raise Forbidden("only an admin can publish with allow_wipe")
    result = await _load(files, request, city)
    if result.bundle is None:
        detail = {"problems": len(result.problems), "files": len(files)}
        await _audit(session).record(
            staff.actor, "content.publish", status=422, detail=detail, city=city or LECCE.slug
        )
        raise _invalid(result, _language(request), audited=True)
    for comune in result.bundle.slugs():
        staff.require_city(comune)
    results = await catalog.publish_all(
        session, result.bundle, author=_author(staff), allow_wipe=allow_wipe
    )
    response.status_code = 201 if any(r.status == "published" for r in results) else 200
    for published in results:
        await _audit(session).record(
            staff.actor,
            "content.publish",
            status=response.status_code,
            target=f"content:{published.version_id}",
            detail={"status": published.status, "content_hash": published.content_hash},
            city=published.city,
        )
    await _commit_and_reload(session, request)
    first = results[0]
    return PublishRead(
        version_id=first.version_id,
        content_hash=first.content_hash,
        status=first.status,
        city=first.city,
        comuni=[
            CityPublishRead(
                city=r.city,
                version_id=r.version_id,
                content_hash=r.content_hash,
                status=r.status,
            )
            for r in results
        ],
    )


@router.get("/versions")
async def list_versions(
    staff: CuratorStaff,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    city: Annotated[str | None, Query(max_length=64, description="one comune's history")] = None,
) -> list[VersionRead]:
    """Content versions, newest first: their comune, who published each, when, and which one
    is active for its comune. Only the comuni the caller curates."""
    if city is not None:
        staff.require_city(city)
        return await versions.listing(session, limit, {city})
    return await versions.listing(session, limit, staff.cities())


@router.post("/versions/{version_id}/activate", responses={404: {"description": "no version"}})
async def activate(
    version_id: int, staff: CuratorStaff, session: SessionDep, request: Request
) -> ActivateRead:
    """Serve an earlier version of its comune again (a rollback), on every worker within 1 s.
    Only that comune changes; the caller must curate it."""
    target = await session.get(ContentVersion, version_id)
    if target is None:
        raise NotFound(f"no content version {version_id}")
    staff.require_city(target.city)
    before = await catalog.active_version(session, target.city)
    if before is not None and before.id == version_id:
        status = "unchanged"
        version = before
    else:
        found = await catalog.activate(session, version_id)
        assert found is not None
        status, version = "activated", found
    previous = before.id if before else None
    await _audit(session).record(
        staff.actor,
        "content.activate",
        target=f"content:{version_id}",
        detail={"status": status, "previous_version_id": previous},
        city=version.city,
    )
    await _commit_and_reload(session, request)
    return ActivateRead(
        city=version.city,
        version_id=version.id,
        content_hash=version.content_hash,
        status=status,
        previous_version_id=previous,
    )


@router.post(
    "/preview/quests/{slug}",
    response_class=GeoJsonResponse,
    responses={404: {"description": "no such quest in the bundle"}, **_INVALID},
)
async def preview_quest(
    slug: str,
    files: Files,
    staff: CuratorStaff,
    request: Request,
    lang: Annotated[str | None, Query(max_length=20)] = None,
    accept_language: Annotated[str | None, Header()] = None,
    city: CityQuery = None,
) -> Response:
    """A quest of an uploaded (unpublished) bundle as GeoJSON: each step's site with its fence
    (circles as 64-sided polygons) and `order`, plus the route for sequence quests."""
    result = await _load(files, request, city)
    if result.bundle is None:
        raise _invalid(result, _language(request))
    for comune in result.bundle.slugs():
        staff.require_city(comune)
    quest = result.bundle.quest(slug)
    if quest is None:
        raise NotFound(f"no quest {slug!r} in the uploaded bundle")
    body: dict[str, Any] = quest_preview(quest, result.bundle, negotiate(lang or accept_language))
    return GeoJsonResponse(body)


async def _commit_and_reload(session: SessionDep, request: Request) -> None:
    # Commit now rather than when the request ends: this worker swaps to the new version
    # before answering, so the curator's next request already sees it here; the other
    # workers follow by polling within `content_poll_s`.
    await make_durable(session)
    await request.app.state.catalog.reload(session)
