"""The role × route matrix of /admin/v1, read from the routes' own `Requires(...)` guards.

Each route states its role once, in its signature (`CuratorStaff`, `AdminStaff`,
`DistrictStaff`); this module
only reads it back, for the OpenAPI document (`x-required-role`), `lupiae staff roles`, the
table in docs/operators.md and the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from game_server.staff.auth import Requires
from game_server.staff.endpoints import LOGIN_PATH
from game_server.staff.roles import Role

ADMIN_PREFIX = "/admin/v1"
PUBLIC_ROUTES = frozenset({("POST", LOGIN_PATH)})


class UnprotectedAdminRoute(RuntimeError):
    """An /admin/v1 route without a staff guard: refused at start, never served."""


@dataclass(frozen=True, slots=True, order=True)
class RouteRole:
    path: str
    method: str
    role: Role | None  # None: public (the login)
    anyone: bool = False  # every staff role may call it (who am I)


@dataclass(frozen=True, slots=True)
class _Route:
    path: str
    methods: set[str]
    dependant: Dependant


def admin_routes(app: FastAPI) -> Iterator[_Route]:
    # FastAPI >= 0.16x includes routers lazily; iter_route_contexts expands them.
    expand = getattr(fastapi.routing, "iter_route_contexts", None)
    routes: list[Any] = list(expand(app.routes) if expand else app.routes)
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and route.path.startswith(ADMIN_PREFIX):
            yield _Route(route.path, set(route.methods or ()), route.dependant)


def required_role(dependant: Dependant) -> Role | None:
    """The strictest role any guard in the dependency tree asks for."""
    found: Role | None = None
    for sub in dependant.dependencies:
        role = sub.call.role if isinstance(sub.call, Requires) else required_role(sub)
        if role is not None and (found is None or role.rank > found.rank):
            found = role
    return found


def open_to_staff(dependant: Dependant) -> bool:
    """Whether the route's guard admits every staff role."""
    return any(
        sub.call.anyone if isinstance(sub.call, Requires) else open_to_staff(sub)
        for sub in dependant.dependencies
    )


def role_matrix(app: FastAPI) -> list[RouteRole]:
    rows = []
    for route in admin_routes(app):
        role = required_role(route.dependant)
        anyone = open_to_staff(route.dependant)
        for method in sorted(route.methods):
            if role is None and (method, route.path) not in PUBLIC_ROUTES:
                raise UnprotectedAdminRoute(f"{method} {route.path} has no staff guard")
            rows.append(RouteRole(route.path, method, role, anyone))
    return sorted(rows)


def annotate_openapi(app: FastAPI) -> None:
    """Show each admin route's role in the OpenAPI document as `x-required-role`."""
    role_matrix(app)  # refuse unprotected routes at start, not at the first /openapi.json
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for row in role_matrix(app):
            operation = schema["paths"][row.path][row.method.lower()]
            required = "staff" if row.anyone else row.role.value if row.role else "none"
            operation["x-required-role"] = required
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def markdown_table(rows: list[RouteRole]) -> str:
    lines = [
        "| method | route | curator | district | admin |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        curator = _mark(row.role, Role.CURATOR, row.anyone)
        district = _mark(row.role, Role.DISTRICT, row.anyone)
        admin = _mark(row.role, Role.ADMIN, row.anyone)
        lines.append(f"| {row.method} | `{row.path}` | {curator} | {district} | {admin} |")
    return "\n".join(lines)


def _mark(required: Role | None, holder: Role, anyone: bool = False) -> str:
    if required is None:
        return "public"
    return "yes" if anyone or holder.allows(required) else "—"
