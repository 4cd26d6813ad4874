"""Errors on the wire: RFC 9457 problem details, for guildkit's API blueprint only.

Every error the API returns has the same shape, ``application/problem+json``::

    {"type": "urn:guildkit:problem:validation_error", "title": "Unprocessable Content", "status": 422,
     "code": "validation_error", "detail": "...", "errors": {"field": ["message"]}}

The handlers are registered on guildkit's blueprint, so the host's own error pages stay as they are.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import marshmallow
from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from guildkit import errors


class ApiError(Exception):
    """Raise from a view to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, code: str | None = None, errors: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or HTTPStatus(status).phrase.lower().replace(" ", "_")
        self.errors = errors


def problem(status: int, detail: str, *, code: str, errors: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:guildkit:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


#: How guildkit's own errors map to HTTP statuses.
STATUS = (
    (errors.IdempotencyConflict, 409),
    (errors.HostTransactionOpen, 409),
    (errors.NotFound, 404),
    (errors.ValidationError, 422),
    (errors.AlreadyRetracted, 409),
    (errors.NotAllowed, 403),
    (errors.InvalidTransition, 409),
    (errors.CapacityReached, 409),
    (errors.RateLimited, 429),
    (errors.Conflict, 409),
)


def _from_guildkit(exc: errors.GuildKitError) -> Response:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            field_errors = getattr(exc, "errors", None) or None
            response = problem(status, exc.message, code=exc.code, errors=field_errors)
            if isinstance(exc, errors.RateLimited):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
    return problem(500, "guildkit could not complete the request", code=exc.code)


def _from_marshmallow(exc: marshmallow.ValidationError) -> Response:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    fields = ", ".join(sorted(messages))
    return problem(422, f"invalid input: {fields}", code="validation_error", errors=messages)


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    return problem(status, exc.description or HTTPStatus(status).phrase, code=HTTPStatus(status).name.lower())


def _from_api(exc: ApiError) -> Response:
    return problem(exc.status, exc.detail, code=exc.code, errors=exc.errors)


def register_error_handlers(blueprint: Blueprint) -> None:
    blueprint.register_error_handler(ApiError, _from_api)
    blueprint.register_error_handler(errors.GuildKitError, _from_guildkit)
    blueprint.register_error_handler(marshmallow.ValidationError, _from_marshmallow)
    blueprint.register_error_handler(HTTPException, _from_http)
