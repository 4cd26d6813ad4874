"""The blueprint a host mounts: the community pages (:mod:`.pages`) and the JSON API under ``/api``.

.. code-block:: python

    from guildkit.web import make_blueprint

    app.register_blueprint(make_blueprint(), url_prefix="/community")
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import PathConverter

# The feature modules attach their views to ``api`` and ``pages`` when imported.
from . import events_api, events_pages, mentorship_api, mentorship_pages, openapi  # noqa: F401
from .api import api
from .pages import pages


class AnyPathConverter(PathConverter):
    """Like ``path``, but newlines too: activity keys are free text, and an unmatched URL would
    fall through to the host's HTML 404 instead of the API's problem document."""

    regex = "[^/][\\s\\S]*?"


def _add_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("guildkit_path", AnyPathConverter)


def make_blueprint(name: str = "guildkit") -> Blueprint:
    """A new blueprint with guildkit's pages and API. Mount it where you like."""
    blueprint = Blueprint(
        name, __name__, template_folder="templates", static_folder="static", static_url_path="/guildkit-static"
    )
    blueprint.record_once(_add_converter)
    blueprint.register_blueprint(api, url_prefix="/api")
    blueprint.register_blueprint(pages)
    blueprint.add_url_rule("/api/openapi.json", "openapi_json", _openapi_json)
    blueprint.add_url_rule("/api/docs", "api_docs", _api_docs)
    return blueprint


def _document() -> dict[str, Any]:
    cache: dict[str, Any] = current_app.extensions["guildkit"].cache
    name = request.blueprint.split(".")[0] if request.blueprint else "guildkit"
    if name not in cache:
        cache[name] = openapi.build(current_app, f"{name}.api")
    return cache[name]  # type: ignore[no-any-return]


def _openapi_json() -> Any:
    return _document()


def _api_docs() -> str:
    return render_template("guildkit/api_docs.html", spec=_document())
