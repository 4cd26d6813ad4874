"""One declaration per API view: it checks the caller, validates the request, shapes the response
and documents the operation in OpenAPI (:mod:`.openapi` reads the same :class:`Endpoint`).

.. code-block:: python

    @api.get("/members/<user_id>/ledger")
    @endpoint(summary="A member's points history", query=LedgerQuery, response=LedgerEntrySchema,
              paginated=True, allow=self_or("members.read_private"))
    def member_ledger(caller, query, user_id): ...

The order is fixed: who calls (a bad ``Authorization`` header is 401), whether they may
(``allow``: 401 for nobody, 403 for someone not allowed), then the query and the body (400, 415,
422), so a caller who may not use an endpoint learns nothing from its validation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow
from flask import request

from guildkit.current import current_guildkit
from guildkit.errors import ValidationError
from guildkit.extension import GuildKit
from guildkit.text import find_bad_json
from guildkit.web.auth import Caller, current_caller
from guildkit.web.errors import ApiError
from guildkit.web.pagination import Page

#: The methods that change state. Each must be JSON (guard.py); one without a body takes none or ``{}``.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Decides whether a caller may use an endpoint, given the path arguments.
Allow = Callable[[Caller, dict[str, Any]], bool]


def public(caller: Caller, path: dict[str, Any]) -> bool:
    return True


def person(caller: Caller, path: dict[str, Any]) -> bool:
    """A signed-in person (whose membership is not suspended or banned)."""
    return caller.is_person and caller.active


def permission(name: str) -> Allow:
    def allow(caller: Caller, path: dict[str, Any]) -> bool:
        return caller.can(name) and caller.active

    allow.__doc__ = f"needs the {name!r} permission"
    return allow


def self_or(name: str) -> Allow:
    """The member named by ``<user_id>`` themself, or anyone with permission ``name``."""

    def allow(caller: Caller, path: dict[str, Any]) -> bool:
        return caller.active and (caller.is_self(str(path.get("user_id"))) or caller.can(name))

    allow.__doc__ = f"the member themself, or the {name!r} permission"
    return allow


@dataclass(frozen=True)
class Also:
    """Another answer an endpoint may give besides its usual ``status``: ``status`` with a body
    of ``schema`` and these response headers (each documented in OpenAPI)."""

    status: int
    schema: type[marshmallow.Schema]
    description: str
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What a view returns to give one of its endpoint's :class:`Also` answers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    summary: str
    allow: Allow = public
    query: type[marshmallow.Schema] | None = None
    body: type[marshmallow.Schema] | None = None
    body_many: bool = False
    response: type[marshmallow.Schema] | None = None
    many: bool = False
    paginated: bool = False
    status: int = 200
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=())
    headers: tuple[str, ...] = ()
    #: A view without a ``response`` schema that answers another media type (``text/csv``)
    #: returns its own ``Response``; OpenAPI documents it as a string of that type.
    media_type: str | None = None
    #: Other answers the view may give by returning a :class:`Reply` (``202`` with a status URL).
    also: tuple[Also, ...] = ()


def gk_instance() -> GuildKit:
    return current_guildkit()


@functools.cache
def _schema(schema: type[marshmallow.Schema], many: bool = False) -> marshmallow.Schema:
    """One instance per schema class and ``many``, shared by every request: building a schema
    deep-copies its fields (about a third of a millisecond each), and marshmallow keeps no state
    of a load or a dump on the instance, so one instance serves concurrent requests."""
    return schema(many=many)


def endpoint(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    spec = Endpoint(**options)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def run(**path: Any) -> Any:
            gk = gk_instance()
            caller = current_caller(gk)
            if not spec.allow(caller, path):
                if caller.is_person or caller.token is not None:
                    raise ApiError(403, f"not allowed: {spec.allow.__doc__ or 'forbidden'}", code="forbidden")
                raise ApiError(401, "sign in, or send an API token", code="unauthorized")
            kwargs: dict[str, Any] = {"caller": caller, **path}
            if spec.query is not None:
                kwargs["query"] = _schema(spec.query).load(_storable(request.args.to_dict(flat=True), "query"))
            if spec.body is not None:
                kwargs["body"] = _schema(spec.body, spec.body_many).load(_json_body())
            elif request.method in WRITE_METHODS:
                _no_body()
            result = view(**kwargs)
            if isinstance(result, Reply):
                other = next(a for a in spec.also if a.status == result.status)
                return _schema(other.schema).dump(result.body), result.status, result.headers
            if spec.response is None:
                return ("", 204) if result is None else result
            schema = _schema(spec.response, spec.many or spec.paginated)
            if spec.paginated:
                assert isinstance(result, Page)
                return {"items": schema.dump(result.items), "next_cursor": result.next_cursor}, spec.status
            return schema.dump(result), spec.status

        run.guildkit_endpoint = spec  # type: ignore[attr-defined]
        return run

    return decorate


def _json_body() -> Any:
    # JSON only: a cross-site form cannot send it without a CORS preflight, which keeps
    # session-authenticated writes safe from CSRF (guard.py refuses every other write first).
    if not request.is_json:
        raise ApiError(415, "send the body as application/json", code="unsupported_media_type")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "the body is not valid JSON", code="invalid_json")
    return _storable(data, "")


def _storable(data: Any, where: str) -> Any:
    """Refuse, by field, what no database stores (a NUL, a lone surrogate), control characters and
    non-finite numbers, before any schema or service sees them: one rule for every endpoint."""
    bad = find_bad_json(data, where)
    if bad is not None:
        path, why = bad
        raise ValidationError(f"{path} {why}", field=path.removeprefix("query.") or "body")
    return data


def _no_body() -> None:
    """A write that takes no body: none at all, or ``{}`` (what a client's ``json={}`` sends)."""
    if not request.get_data(cache=True).strip():
        return
    if _json_body() != {}:
        raise ApiError(
            422,
            "this endpoint takes no body: send none, or {}",
            code="validation_error",
            errors={"_schema": ["takes no body: send none, or {}"]},
        )
