"""What the host site tells guildkit's layout: its name, a link home, sign-in, sign-up and
sign-out, and the links of its own navigation.

It comes from the ``GUILDKIT_HOST_*`` keys (checked at start-up by :mod:`guildkit.config`) and,
for anything that depends on the request or the user, from the host's loader
(``GUILDKIT_HOST_LOADER``). :func:`current_host` merges the two for each page rendered into a
:class:`Host`, which templates see as ``gk_host``: a value the loader returns replaces the
configured one, and the loader's ``nav`` links come after the configured ones. Endpoint names
become URLs here, in the request, where ``url_for`` knows the host's routes.

Sign-in and sign-up URLs get ``next=`` the page being shown, always a path on this site (never
another host's URL: no open redirect through guildkit's links).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, request, url_for
from werkzeug.routing import BuildError

from guildkit import config
from guildkit.errors import ConfigurationError

#: What the loader may return, and the config key each replaces.
LOADER_KEYS = {
    "name": "GUILDKIT_HOST_NAME",
    "home_url": "GUILDKIT_HOST_HOME_URL",
    "sign_in_url": "GUILDKIT_HOST_SIGN_IN_URL",
    "sign_up_url": "GUILDKIT_HOST_SIGN_UP_URL",
    "sign_out_url": "GUILDKIT_HOST_SIGN_OUT_URL",
    "nav": "GUILDKIT_HOST_NAV",
}
NEXT = "next"


@dataclass(frozen=True)
class HostLink:
    label: str
    url: str


@dataclass(frozen=True)
class SignOut:
    """Where signing out goes; a ``POST`` is sent by a form carrying the host's CSRF token."""

    url: str
    method: Literal["GET", "POST"]
    csrf_field: str
    token_source: Callable[[], Any] | None = None

    @property
    def csrf_token(self) -> str | None:
        """Asked only when the form is shown (to people signed in): making a token may start a
        session, which a visitor's page view should not."""
        return None if self.token_source is None else str(self.token_source())


@dataclass(frozen=True)
class Host:
    """The host site as the layout shows it; every part may be missing."""

    name: str | None = None
    home_url: str | None = None
    #: With ``next=`` the current page.
    sign_in_url: str | None = None
    sign_up_url: str | None = None
    sign_out: SignOut | None = None
    nav: tuple[HostLink, ...] = ()

    @property
    def shown(self) -> bool:
        """Whether the layout has anything of the host's to show."""
        return bool(self.name or self.home_url or self.sign_in_url or self.sign_up_url or self.sign_out or self.nav)


def current_host() -> Host:
    """The host as configured, and as its loader says for this request and user."""
    settings = current_app.config
    values: dict[str, Any] = {name: settings[key] for name, key in LOADER_KEYS.items()}
    where = dict(LOADER_KEYS)
    nav = [(item, f"GUILDKIT_HOST_NAV[{n}]") for n, item in enumerate(settings["GUILDKIT_HOST_NAV"])]
    loaded = _load(settings)
    for name, value in loaded.items():
        if name == "nav":
            nav += [(item, f"GUILDKIT_HOST_LOADER 'nav'[{n}]") for n, item in enumerate(value)]
        else:
            values[name], where[name] = value, f"GUILDKIT_HOST_LOADER {name!r}"
    target = next_target()
    sign_out = None
    if values["sign_out_url"] is not None:
        sign_out = SignOut(
            url=resolve(values["sign_out_url"], where["sign_out_url"]),
            method=settings["GUILDKIT_HOST_SIGN_OUT_METHOD"],
            csrf_field=settings["GUILDKIT_HOST_CSRF_FIELD"],
            token_source=_callable(settings["GUILDKIT_HOST_CSRF_TOKEN"], "GUILDKIT_HOST_CSRF_TOKEN"),
        )
    return Host(
        name=values["name"],
        home_url=_resolved(values["home_url"], where["home_url"]),
        sign_in_url=with_next(_resolved(values["sign_in_url"], where["sign_in_url"]), target),
        sign_up_url=with_next(_resolved(values["sign_up_url"], where["sign_up_url"]), target),
        sign_out=sign_out,
        nav=tuple(_link(item, key) for item, key in nav),
    )


def _load(settings: Mapping[str, Any]) -> dict[str, Any]:
    """What the host's loader returns, checked like the config keys it stands for."""
    loader = _callable(settings["GUILDKIT_HOST_LOADER"], "GUILDKIT_HOST_LOADER")
    if loader is None:
        return {}
    loaded = loader()
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping) or set(loaded) - set(LOADER_KEYS):
        raise ConfigurationError(
            f"GUILDKIT_HOST_LOADER must return None or a dict with some of {sorted(LOADER_KEYS)}, got {loaded!r}"
        )
    for name, value in loaded.items():
        where = f"GUILDKIT_HOST_LOADER {name!r}"
        if name == "nav":
            config.check_host_nav(value, where)
        elif name == "name" and value is not None:
            config.check_host_label(value, where)
        elif value is not None:
            config.check_host_target(value, where)
    return dict(loaded)


def _callable(value: Any, key: str) -> Callable[[], Any] | None:
    """The callable a key holds, importing a ``"module:attribute"`` on first use (at start-up
    the host's own module may still be importing)."""
    if isinstance(value, str):
        module, _, name = value.partition(":")
        try:
            value = importlib.import_module(module)
            for part in name.split("."):
                value = getattr(value, part)
        except (ImportError, AttributeError) as exc:
            raise ConfigurationError(f"{key}: cannot import {module}:{name} ({exc})") from exc
        if not callable(value):
            raise ConfigurationError(f"{key}: {module}:{name} is not callable")
    return cast("Callable[[], Any] | None", value)


def resolve(target: str, key: str) -> str:
    """A URL for an endpoint name or URL (as :func:`guildkit.config.check_host_target` allows)."""
    if config.is_host_url(target):
        return target
    try:
        return url_for(target)
    except BuildError as exc:
        raise ConfigurationError(f"{key}: the app has no endpoint {target!r} (without arguments)") from exc


def _resolved(target: str | None, key: str) -> str | None:
    return None if target is None else resolve(target, key)


def _link(item: Mapping[str, str], key: str) -> HostLink:
    return HostLink(item["label"], item["url"] if "url" in item else resolve(item["endpoint"], key))


def next_target() -> str | None:
    """The page to come back to after signing in: this page for a ``GET``; for a form that was
    sent, the page it was sent from, if that is on this site. Always a path, or ``None``."""
    if request.method in ("GET", "HEAD"):
        here = urlsplit(request.url)
    else:
        here = urlsplit(request.referrer or "")
        if here.netloc != request.host:
            return None
    return safe_next(here.path + (f"?{here.query}" if here.query else ""))


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``: nothing a browser would read as
    another host (``//evil.example``, ``/\\evil.example``, a scheme) gets through."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if not config.is_host_url(target) or urlsplit(target).netloc:
        return None
    return target


def with_next(url: str | None, target: str | None) -> str | None:
    """``url`` with ``next=target`` added, unless it names a ``next`` of its own."""
    if url is None or target is None:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == NEXT for name, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, (NEXT, target)])))
