"""The OpenAPI 3.1 document, generated from the API's own declarations.

Every view carries its :class:`~.endpoint.Endpoint`; this module walks the app's URL map for
guildkit's API views and turns each declaration into an operation, with the marshmallow schemas
as components (through apispec). Nothing is written twice, so the document cannot drift from
what the views accept and return.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields

from guildkit.text import MAX_ROW_ID
from guildkit.version import __version__
from guildkit.web.endpoint import WRITE_METHODS, Endpoint, public
from guildkit.web.schemas import ProblemSchema

#: A ``<converter:name>`` or ``<name>`` in a URL rule; group 1 is the converter (if any), 2 the name.
PATH_ARGUMENT = re.compile(r"<(?:([a-zA-Z_]+):)?([a-zA-Z_][a-zA-Z0-9_]*)>")
#: The largest id a ``<guildkit_id:...>`` path argument takes: ids are 32-bit signed integer columns.
MAX_PATH_ID = MAX_ROW_ID
#: Path arguments are non-empty strings, except those of these converters.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "guildkit_id": {"type": "integer", "minimum": 0, "maximum": MAX_PATH_ID},
    "int": {"type": "integer", "minimum": 0},
    # Not what another endpoint's URL has there (blueprint.ActivityKeyConverter).
    "guildkit_activity_key": {
        "type": "string",
        "minLength": 1,
        "not": {"anyOf": [{"const": "batch"}, {"pattern": "/retract$"}]},
    },
}
#: The body of a write that takes none.
EMPTY_OBJECT: dict[str, Any] = {"type": "object", "maxProperties": 0}
ERROR_TEXT = {
    400: "The request is malformed",
    401: "Sign in, or send a valid API token (a bad Authorization header is never ignored)",
    403: "The caller may not do this",
    404: "No such thing",
    405: "Not a method this URL has (e.g. GET with an activity key another endpoint's URL has there)",
    409: "Conflicts with what is stored (e.g. a key reused for different content)",
    415: "Every write must be application/json",
    422: "The input is invalid; `errors` names each field",
}


@cache
def page_schema(item: type[Schema]) -> type[Schema]:
    """The ``{"items": [...], "next_cursor": ...}`` envelope around ``item`` (one class per item)."""
    name = item.__name__.removesuffix("Schema") + "Page"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        },
    )


def _schema_name_resolver(schema: type[Schema] | Schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def build(app: Flask, blueprint: str) -> dict[str, Any]:
    spec = APISpec(
        title="guildkit API",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name_resolver)],
        info={"description": "Members, points, badges, leaderboards, roles and activities of this community."},
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer", "description": "guildkit API token"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session")}
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(f"{blueprint}."):
            continue
        declared: Endpoint | None = getattr(app.view_functions[rule.endpoint], "guildkit_endpoint", None)
        if declared is None:
            continue
        path = PATH_ARGUMENT.sub(r"{\2}", rule.rule)
        arguments = {name: converter for converter, name in PATH_ARGUMENT.findall(rule.rule)}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(declared, arguments, rule.endpoint, method)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(declared: Endpoint, arguments: dict[str, str], endpoint: str, method: str) -> dict[str, Any]:
    """``arguments`` maps each path argument to its converter (``""`` for the default one)."""
    parameters = [_path_parameter(name, arguments[name]) for name in sorted(arguments)]
    if declared.query is not None:
        parameters.append({"in": "query", "schema": declared.query})
    for header in declared.headers:
        parameters.append(
            {
                "in": "header",
                "name": header,
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 191},
            }
        )
    operation: dict[str, Any] = {
        "operationId": endpoint.rsplit(".", 1)[-1],
        "summary": declared.summary,
        "tags": list(declared.tags),
        "parameters": parameters,
        # A text path argument (a user id, a slug) may hold what guildkit refuses by name: 422.
        "responses": _responses(declared, method, text_path=any(c not in PATH_SCHEMAS for c in arguments.values())),
    }
    if declared.body is not None:
        body = declared.body(many=True) if declared.body_many else declared.body
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    elif method in WRITE_METHODS:
        # Every write is JSON (415 otherwise); one that takes no body documents ``{}`` (an empty
        # body with the JSON content type is accepted too).
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": dict(EMPTY_OBJECT)}}}
    operation["security"] = (
        [{}, {"token": []}, {"session": []}] if declared.allow is public else [{"token": []}, {"session": []}]
    )
    if declared.allow is not public:
        operation["description"] = f"Who may call it: {declared.allow.__doc__}."
    return operation


def _path_parameter(name: str, converter: str) -> dict[str, Any]:
    schema = PATH_SCHEMAS.get(converter, {"type": "string", "minLength": 1})
    return {"in": "path", "name": name, "required": True, "schema": dict(schema)}


def _responses(declared: Endpoint, method: str, *, text_path: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if declared.media_type is not None:
        content = {declared.media_type: {"schema": {"type": "string"}}}
        responses[str(declared.status)] = {"description": "OK", "content": content}
    elif declared.response is None:
        responses["204"] = {"description": "Done"}
    else:
        schema: Any = declared.response
        if declared.paginated:
            schema = page_schema(declared.response)
        elif declared.many:
            schema = declared.response(many=True)
        responses[str(declared.status)] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    for other in declared.also:
        responses[str(other.status)] = {
            "description": other.description,
            "content": {"application/json": {"schema": other.schema}},
            "headers": {name: {"schema": {"type": "string"}, "required": True} for name in other.headers},
        }
    # Any operation takes an API token, and a bad one (or an empty Authorization header) is 401.
    codes = set(declared.errors) | {401}
    if declared.allow is not public:
        codes.add(403)
    if declared.query or declared.body or method in WRITE_METHODS:
        codes |= {400, 422}
    if text_path:
        codes.add(422)
    if method in WRITE_METHODS:
        codes.add(415)
    for code in sorted(codes):
        responses[str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/problem+json": {"schema": "Problem"}},
        }
    return responses
