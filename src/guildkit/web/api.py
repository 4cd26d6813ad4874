"""The JSON API blueprint: its error handlers and the catch-all that answers unknown URLs.

Every view on it comes from a feature's :class:`~guildkit.routes.Routes` (``guildkit_register_routes``);
:func:`make_api` makes a fresh blueprint for each :func:`~guildkit.web.make_blueprint` call.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from guildkit.web.errors import ApiError, register_error_handlers


def make_api() -> Blueprint:
    api = Blueprint("api", __name__)
    register_error_handlers(api)
    api.add_url_rule(
        "/<guildkit_path:anything>", view_func=no_such_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
    return api


def no_such_endpoint(anything: str) -> Any:
    """Unknown API URLs answer in the API's own error shape, not the host's HTML page."""
    raise ApiError(404, f"no API endpoint at /{anything}", code="not_found")
