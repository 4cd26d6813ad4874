"""What a request to guildkit's JSON API must be before any of its views runs.

* **A method the URL has.** Anything else (``TRACE``, ``PUT`` on a list…) is ``405`` with an
  ``Allow`` header and a problem document, not the host's HTML page. Werkzeug refuses a method
  no rule has before any blueprint is chosen, so :func:`method_not_allowed` runs before every
  request of the app and answers only for paths under a guildkit API; a method only the API's
  catch-all has (``PUT /members``) reaches :func:`check_api_request`, which answers the same.
* **JSON, for every write.** ``POST``, ``PUT``, ``PATCH`` and ``DELETE`` need
  ``Content-Type: application/json`` whatever the caller and whether or not the endpoint takes
  a body (an endpoint that takes none accepts an empty body or ``{}``): an HTML form or a
  "simple" ``fetch`` from another site can send form encoding, ``text/plain`` or no type at all,
  never JSON without a CORS preflight, so session-authenticated writes cannot be forged
  cross-site. Anything else is ``415``.

guildkit's own HTML forms are pages, not the API: they post form-encoded with a CSRF token
(:mod:`.csrf`).
"""

from __future__ import annotations

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Rule

from guildkit.web.api import no_such_endpoint
from guildkit.web.endpoint import WRITE_METHODS
from guildkit.web.errors import ApiError, problem
from guildkit.web.headers import add_security_headers

#: The methods a rule may declare (HEAD and OPTIONS come with them).
DECLARABLE = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _is_catch_all(rule: Rule) -> bool:
    return current_app.view_functions.get(rule.endpoint) is no_such_endpoint


def _api_prefixes() -> list[str]:
    """Where each guildkit API is mounted (``/community/api/``): its catch-all's rule, up to the argument."""
    return [rule.rule.split("<", 1)[0] for rule in current_app.url_map.iter_rules() if _is_catch_all(rule)]


def allowed_methods(path: str) -> set[str]:
    """The methods of the rules (the catch-all aside) that match ``path``, with HEAD and OPTIONS."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    methods: set[str] = set()
    for method in DECLARABLE:
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except HTTPException:  # NotFound, MethodNotAllowed, or a redirect to the canonical URL
            continue
        if not _is_catch_all(rule):
            methods.update(rule.methods or ())
    if "GET" in methods:
        methods.add("HEAD")
    return methods | {"OPTIONS"} if methods else methods


def not_allowed(methods: set[str]) -> Response:
    """``405`` naming ``methods`` in ``Allow``."""
    response = problem(405, f"{request.method} is not allowed here", code="method_not_allowed")
    response.headers["Allow"] = ", ".join(sorted(methods))
    return response


def _no_endpoint() -> Response:
    """Only the catch-all has the path (and not with this method): the API's usual 404."""
    return problem(404, f"no API endpoint at {request.path}", code="not_found")


def method_not_allowed() -> Response | None:
    """Before every request of the app: a method no rule of a guildkit API URL has gets the API's 405."""
    if not isinstance(request.routing_exception, MethodNotAllowed):
        return None
    if not any(request.path.startswith(prefix) for prefix in _api_prefixes()):
        return None
    methods = allowed_methods(request.path)
    response = not_allowed(methods) if methods else _no_endpoint()
    # No blueprint was chosen, so the blueprint's after_request will not run: add its headers here.
    return add_security_headers(response)


def check_api_request() -> Response | None:
    """Before each request of the API blueprint: 405 for a method only the catch-all has, the
    path's own methods for OPTIONS, 415 for a non-JSON write."""
    if request.url_rule is not None and _is_catch_all(request.url_rule):
        methods = allowed_methods(request.path)
        return not_allowed(methods) if methods else None
    if request.method == "OPTIONS":
        # Flask's own answer would list the catch-all's methods too.
        response = current_app.response_class(status=200)
        response.headers["Allow"] = ", ".join(sorted(allowed_methods(request.path)))
        return response
    if request.method in WRITE_METHODS and not request.is_json:
        raise ApiError(
            415,
            f"send {request.method} requests as application/json (an empty body or {{}} where none is needed)",
            code="unsupported_media_type",
        )
    return None
