"""The admin JSON API, mounted at ``GUILDKIT_WEBHOOKS_URL_PREFIX`` (default ``/guildkit/webhooks``).

Every write (``POST``, ``PUT``, ``PATCH``, ``DELETE``) must be ``application/json`` (or a
``+json`` type), whether or not it takes a body, and whoever sends it: anything else is 415
before the caller is looked up, as guildkit's own API does (docs/security.md). An HTML form or a
"simple" ``fetch`` from another site can only send form encoding, ``text/plain`` or no type at
all, so a signed-in admin's session cannot be used cross-site to delete an endpoint or replay a
delivery. Writes that take no body (``DELETE``, replay) accept the JSON type with an empty body
or ``{}``. The plugin has no HTML pages, so there are no forms to protect with a CSRF token.

Then every route needs an admin: a signed-in host user whose roles carry ``admin``, or an API
token with the ``admin`` scope (``Authorization: Bearer gk_…``; see guildkit's docs/api.md).
Anonymous callers get 401, others 403. Errors are guildkit's problem documents
(``application/problem+json``: ``type``, ``title``, ``status``, ``code``, ``detail``, and
``errors: {field: [message]}`` naming the field at fault), which also carry 0.1's ``error``
(the message) and ``field`` (or null) for clients written against those. The handlers are on
this blueprint only, so the host's own error pages are untouched.

==========================================  ===========================================
``GET    /endpoints``                        every endpoint (without secrets)
``POST   /endpoints``                        register one: ``url``, ``events``, optional
                                             ``secret``, ``description``, ``active``,
                                             ``signing``; 201 with the secret, shown once
``GET    /endpoints/<id>``                   one endpoint
``PATCH  /endpoints/<id>``                   change fields; a ``secret`` rotates it,
                                             ``signing`` switches the scheme
``DELETE /endpoints/<id>``                   remove it (its log stays); 204
``GET    /deliveries``                       the log, newest first: ``endpoint_id``,
                                             ``status``, ``source``, ``limit``, ``before``
``GET    /deliveries/<id>``                  one delivery
``POST   /deliveries/<id>/replay``           queue a copy; 201 with the new delivery
==========================================  ===========================================
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from guildkit import GuildKit, GuildKitError, NotFound, ValidationError
from guildkit.web import ApiError, current_caller, problem
from werkzeug.exceptions import HTTPException

from . import admin
from .outbox import replay
from .signing import STANDARD_WEBHOOKS

blueprint = Blueprint("guildkit_webhooks", __name__)

#: The methods that change something: JSON only.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.field = status, message, code, field


def _error(status: int, message: str, code: str, field: str | None = None) -> Response:
    """guildkit's problem document, with 0.1's ``error`` and ``field`` members beside it."""
    response = problem(status, message, code=code, errors={field: [message]} if field else None)
    body = response.get_json()
    body.update(error=message, field=field)
    response.set_data(current_app.json.dumps(body))
    return response


@blueprint.errorhandler(Refused)
def _refused(exc: Refused) -> Response:
    return _error(exc.status, exc.message, exc.code, exc.field)


@blueprint.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return _error(exc.status, exc.detail, exc.code)


@blueprint.errorhandler(GuildKitError)
def _guildkit_error(exc: GuildKitError) -> Response:
    if isinstance(exc, NotFound):
        return _error(404, exc.message, exc.code)
    if isinstance(exc, ValidationError):
        return _error(422, exc.message, exc.code, exc.field)
    return _error(500, "guildkit-webhooks could not complete the request", exc.code)


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    return _error(status, exc.description or "error", (exc.name or "error").lower().replace(" ", "_"))


def _gk() -> GuildKit:
    gk: GuildKit = current_app.extensions["guildkit"].gk
    return gk


@blueprint.before_request
def _require_json_writes_and_an_admin() -> None:
    if request.method in WRITE_METHODS and not request.is_json:
        raise Refused(
            415,
            f"send {request.method} requests as application/json (an empty body or {{}} where none is needed)",
            "unsupported_media_type",
        )
    caller = current_caller(_gk())
    if caller.user_id is None and caller.token is None:
        raise Refused(401, "sign in as an admin, or send an API token with the 'admin' scope", "unauthorized")
    if not caller.can("admin"):
        raise Refused(403, "only admins may manage webhooks", "forbidden")


def _body() -> dict[str, Any]:
    """The JSON object a write sent (its content type was checked before the view)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, "the body must be a JSON object", "invalid_json")
    return body


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise Refused(400, f"{name} must be an integer", "invalid_parameter", name) from None


@blueprint.get("/endpoints")
def endpoints_list() -> Response:
    return jsonify({"items": admin.list_endpoints(_gk())})


@blueprint.post("/endpoints")
def endpoints_create() -> tuple[Response, int]:
    body = _body()
    unknown = sorted(set(body) - {"url", "events", "secret", "description", "active", "signing"})
    if unknown:
        raise Refused(422, f"unknown fields: {', '.join(unknown)}", "validation_error", unknown[0])
    for required in ("url", "events"):
        if required not in body:
            raise Refused(422, f"{required} is required", "validation_error", required)
    caller = current_caller(_gk())
    created = admin.create_endpoint(
        _gk(),
        body["url"],
        body["events"],
        secret=body.get("secret"),
        description=body.get("description", ""),
        active=body.get("active", True),
        signing=body.get("signing", STANDARD_WEBHOOKS),
        created_by=caller.user_id or (f"token:{caller.token.id}" if caller.token else None),
    )
    return jsonify(created), 201


@blueprint.get("/endpoints/<int:endpoint_id>")
def endpoints_get(endpoint_id: int) -> Response:
    return jsonify(admin.get_endpoint(_gk(), endpoint_id))


@blueprint.patch("/endpoints/<int:endpoint_id>")
def endpoints_update(endpoint_id: int) -> Response:
    return jsonify(admin.update_endpoint(_gk(), endpoint_id, _body()))


@blueprint.delete("/endpoints/<int:endpoint_id>")
def endpoints_delete(endpoint_id: int) -> tuple[str, int]:
    admin.delete_endpoint(_gk(), endpoint_id)
    return "", 204


@blueprint.get("/deliveries")
def deliveries_list() -> Response:
    limit = _int_arg("limit")
    items, next_before = admin.list_deliveries(
        _gk(),
        endpoint_id=_int_arg("endpoint_id"),
        status=request.args.get("status") or None,
        source=request.args.get("source") or None,
        limit=20 if limit is None else limit,
        before=_int_arg("before"),
    )
    return jsonify({"items": items, "next_before": next_before})


@blueprint.get("/deliveries/<int:row_id>")
def deliveries_get(row_id: int) -> Response:
    delivery = admin.get_delivery(_gk(), row_id)
    delivery.pop("_url")
    return jsonify(delivery)


@blueprint.post("/deliveries/<int:row_id>/replay")
def deliveries_replay(row_id: int) -> tuple[Response, int]:
    delivery = replay(_gk(), row_id)
    delivery.pop("_url")
    return jsonify(delivery), 201
