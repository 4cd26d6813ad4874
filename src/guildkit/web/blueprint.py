"""The blueprint a host mounts: the community pages (:mod:`.pages`) and the JSON API under ``/api``.

.. code-block:: python

    from guildkit.web import make_blueprint

    app.register_blueprint(make_blueprint(), url_prefix="/community")
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.routing import BaseConverter, PathConverter

from guildkit import i18n
from guildkit.errors import ConfigurationError
from guildkit.web import openapi
from guildkit.web.api import make_api
from guildkit.web.auth import current_caller
from guildkit.web.endpoint import gk_instance
from guildkit.web.errors import ApiError
from guildkit.web.guard import check_api_request, method_not_allowed
from guildkit.web.headers import add_security_headers
from guildkit.web.pages import make_pages


class AnyPathConverter(PathConverter):
    """Like ``path``, but newlines too: activity keys are free text, and an unmatched URL would
    fall through to the host's HTML 404 instead of the API's problem document."""

    regex = "[^/][\\s\\S]*?"


class ActivityKeyConverter(AnyPathConverter):
    """An activity key in ``GET /activities/<key>`` (where it stands), but neither ``batch`` nor a
    key ending in ``/retract``: those URLs are other endpoints' (``POST``), and a ``GET`` rule that
    matched them too would make their ``Allow`` header claim a ``GET`` they do not have."""

    regex = "(?!batch$)(?![\\s\\S]*/retract$)" + AnyPathConverter.regex


def _digits_at_most(limit: int) -> str:
    """A regex for 1 to ``len(str(limit))`` ASCII digits whose value is at most ``limit``."""
    digits = str(limit)
    choices = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for at, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - at - 1
            choices.append(f"{digits[:at]}[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*choices, digits]) + ")"


class IdConverter(BaseConverter):
    """A row id: up to 10 ASCII digits, at most the largest 32-bit signed integer (ids beyond it
    cannot exist). The bound is in the regex, not in ``to_python``: Werkzeug gives up on the whole
    URL when a converter refuses a value, so a huge id would skip the API's catch-all and get the
    host's HTML 404; as it is, the URL matches no id route and gets the usual 404."""

    regex = _digits_at_most(openapi.MAX_PATH_ID)
    weight = 50

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def _add_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("guildkit_path", AnyPathConverter)
    state.app.url_map.converters.setdefault("guildkit_activity_key", ActivityKeyConverter)
    state.app.url_map.converters.setdefault("guildkit_id", IdConverter)


def make_blueprint(name: str = "guildkit") -> Blueprint:
    """A new blueprint with guildkit's pages and API. Mount it where you like.

    Register it after ``gk.init_app(app)``: the pages and endpoints are those of the plugins
    registered on the app's :class:`~guildkit.GuildKit` (``guildkit_register_routes``), so a
    feature switched off has no routes.
    """
    blueprint = Blueprint(
        name, __name__, template_folder="templates", static_folder="static", static_url_path="/guildkit-static"
    )
    api = make_api()
    api.before_request(check_api_request)
    pages = make_pages()
    # Only guildkit's own responses get its headers; the API's 405s are found before any blueprint is.
    blueprint.after_request(add_security_headers)
    blueprint.before_request(_speak_to_caller)
    blueprint.before_app_request(method_not_allowed)
    blueprint.record_once(_add_converter)
    blueprint.record_once(lambda state: _install_routes(state, blueprint, api, pages))
    blueprint.register_blueprint(api, url_prefix="/api")
    blueprint.register_blueprint(pages)
    blueprint.add_url_rule("/api/openapi.json", "openapi_json", _openapi_json)
    blueprint.add_url_rule("/api/docs", "api_docs", _api_docs)
    return blueprint


def _speak_to_caller() -> None:
    """Pages and API messages in the caller's language and time zone (:mod:`guildkit.i18n`)."""
    i18n.install(current_app)  # again, in case the host set Flask-Babel up after guildkit

    def preferences() -> tuple[str | None, str | None]:
        try:
            member = current_caller(gk_instance()).member
        except ApiError:  # a bad token: its 401 comes from the view, in the default language
            return None, None
        return (member.locale, member.time_zone) if member is not None else (None, None)

    i18n.serve_preferences(preferences)


def _install_routes(state: BlueprintSetupState, blueprint: Blueprint, api: Blueprint, pages: Blueprint) -> None:
    """Put the plugins' routes on this blueprint's ``api`` and ``pages`` (run before they register)."""
    try:
        gk = state.app.extensions["guildkit"].gk
    except KeyError:
        raise ConfigurationError("set guildkit up (gk.init_app(app)) before registering its blueprint") from None
    targets = {"api": api, "pages": pages}
    folders = []
    for routes in gk.routes():
        routes.install(targets[routes.target])
        if routes.template_folder is not None and routes.template_folder not in folders:
            folders.append(routes.template_folder)
    # Templates: the host's own first (Flask looks there before any blueprint), then guildkit's
    # base templates, then each feature's folder.
    own = blueprint.jinja_loader
    blueprint.jinja_loader = ChoiceLoader([*([own] if own else []), *(FileSystemLoader(f) for f in folders)])


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
