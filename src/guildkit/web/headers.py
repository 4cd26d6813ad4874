"""Security headers on guildkit's own responses: its pages, its API, its stylesheet and images.

:func:`add_security_headers` runs after every request guildkit's blueprint answers (an
``after_request`` of that blueprint, so the host's own views never get them) and sets:

* ``Content-Security-Policy``: ``GUILDKIT_CONTENT_SECURITY_POLICY`` (no script at all: the pages
  need none) with ``frame-ancestors`` from ``GUILDKIT_FRAME_ANCESTORS`` appended;
* ``X-Frame-Options``: ``DENY`` or ``SAMEORIGIN`` when the frame ancestors are ``'none'`` or
  ``'self'`` (older browsers know no ``frame-ancestors``);
* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

A header the response already carries is kept: a view may set its own (badge images are served
with a stricter, sandboxing policy). ``GUILDKIT_SECURITY_HEADERS = False`` switches all of it off.
"""

from __future__ import annotations

from flask import Response, current_app

#: ``X-Frame-Options`` for the frame ancestors it can say (it has no way to name other sites).
FRAME_OPTIONS = {"'none'": "DENY", "'self'": "SAMEORIGIN"}


def policy(csp: str | None, frame_ancestors: str | None) -> str | None:
    """The ``Content-Security-Policy`` value: ``csp`` with ``frame-ancestors`` added, unless it
    names its own (``None`` when there is neither)."""
    directives = [d.strip() for d in (csp or "").split(";") if d.strip()]
    if frame_ancestors and not any(d.split()[0].lower() == "frame-ancestors" for d in directives):
        directives.append(f"frame-ancestors {frame_ancestors}")
    return "; ".join(directives) or None


def security_headers() -> dict[str, str]:
    """The headers guildkit adds to its responses under the app's configuration."""
    config = current_app.config
    if not config["GUILDKIT_SECURITY_HEADERS"]:
        return {}
    ancestors = config["GUILDKIT_FRAME_ANCESTORS"]
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    csp = policy(config["GUILDKIT_CONTENT_SECURITY_POLICY"], ancestors)
    if csp is not None:
        headers["Content-Security-Policy"] = csp
    if ancestors is not None and ancestors.strip().lower() in FRAME_OPTIONS:
        headers["X-Frame-Options"] = FRAME_OPTIONS[ancestors.strip().lower()]
    return headers


def add_security_headers(response: Response) -> Response:
    for name, value in security_headers().items():
        if name not in response.headers:
            response.headers[name] = value
    return response
