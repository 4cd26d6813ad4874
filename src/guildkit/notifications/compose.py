"""Making the emails: a multipart message (plain text and HTML) from Jinja templates, with the
links and headers a good list email carries.

Templates live in ``templates/guildkit/notifications/email/`` of this folder; a host overrides
any of them by putting a file with the same path in its own templates folder (the host's are
searched first, as for every guildkit page). Each email has three: ``<name>.subject.txt``,
``<name>.txt`` and ``<name>.html`` (``notification`` and ``digest``).

An email is rendered in the language and time zone of the moment (the sending jobs set the
recipient's with :func:`guildkit.i18n.speaking`); ``lang`` names that language for the HTML.

Links are absolute, built from ``GUILDKIT_EMAIL_SITE_URL`` (or Flask's ``SERVER_NAME``) and the
URL of guildkit's pages wherever the host mounted them, without a request: the jobs make emails
outside any. Every email carries ``List-Unsubscribe`` (the signed one-click link) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), ``Auto-Submitted:
auto-generated`` (RFC 3834: no auto-replies), and a ``Message-ID`` made from the delivery's id,
so the same email is recognisable as such.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from werkzeug.routing import BuildError

from guildkit import i18n
from guildkit.notifications import unsubscribe
from guildkit.notifications.mailer import SendFailed

TEMPLATES = Path(__file__).parent / "templates"
#: RFC 5322's hard limit on a line: a ``List-Unsubscribe`` URL has no space to fold at, and the
#: default (78) would turn it into an RFC 2047 encoded word, which mail providers do not read.
POLICY = email.policy.default.clone(max_line_length=998)
FOLDER = "guildkit/notifications/email"
_ENV_KEY = "guildkit.notifications.email_env"


@dataclass(frozen=True)
class Mail:
    """Who an email goes to, and the context its templates get besides the links."""

    #: ``notification`` or ``digest``: the templates' names.
    template: str
    #: For the ``Message-ID``: ``notification-12``, ``digest-3``.
    ref: str
    member_id: int
    address: str
    #: What the unsubscribe link stops: a kind, or ``digest``.
    scope: str
    context: dict[str, Any]


def _environment(app: Flask) -> Environment:
    """The app's Jinja environment, looking in the host's templates first, then in this folder."""
    env: Environment | None = app.extensions.get(_ENV_KEY)
    if env is None:
        loaders = [loader for loader in (app.jinja_loader,) if loader is not None]
        env = app.jinja_env.overlay(loader=ChoiceLoader([*loaders, FileSystemLoader(TEMPLATES)]))
        app.extensions[_ENV_KEY] = env
    return env


def _pages_endpoint(app: Flask, name: str) -> str:
    """``<blueprint>.pages.<name>`` where the host mounted guildkit's pages."""
    suffix = f".pages.{name}"
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith(suffix):
            return str(rule.endpoint)
    raise SendFailed("guildkit's pages are not mounted on this app: an email needs its unsubscribe page", final=False)


def link(app: Flask, name: str, **values: Any) -> str:
    """The absolute URL of one of guildkit's pages, made without a request."""
    site = app.config["GUILDKIT_EMAIL_SITE_URL"]
    if site:
        parts = urlsplit(site)
        adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    else:
        adapter = app.url_map.bind(
            app.config["SERVER_NAME"],
            script_name=app.config["APPLICATION_ROOT"],
            url_scheme=app.config["PREFERRED_URL_SCHEME"],
        )
    try:
        return str(adapter.build(_pages_endpoint(app, name), values, force_external=True))
    except BuildError as exc:  # pragma: no cover - every page named here has the values given
        raise SendFailed(f"cannot link to {name}: {exc}", final=False) from exc


def site_name(app: Flask) -> str:
    """The community's name in emails: the host's name for it, else the site's host name."""
    name = app.config.get("GUILDKIT_HOST_NAME")
    if isinstance(name, str) and name:
        return name
    site = app.config["GUILDKIT_EMAIL_SITE_URL"] or f"//{app.config.get('SERVER_NAME') or 'community'}"
    return urlsplit(site).hostname or "the community"


def compose(app: Flask, mail: Mail, now: datetime) -> EmailMessage:
    """The email ``mail`` describes, ready to send."""
    sender = app.config["GUILDKIT_EMAIL_FROM"]
    unsubscribe_url = link(app, "notification_unsubscribe", token=unsubscribe.make(mail.member_id, mail.scope))
    context = {
        **mail.context,
        "lang": str(i18n.current_locale()).replace("_", "-"),
        "site_name": site_name(app),
        "notifications_url": link(app, "notifications"),
        "settings_url": link(app, "notification_settings"),
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_all_url": link(app, "notification_unsubscribe", token=unsubscribe.make(mail.member_id, "all")),
    }
    env = _environment(app)
    subject = env.get_template(f"{FOLDER}/{mail.template}.subject.txt").render(context)
    message = EmailMessage(policy=POLICY)
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = mail.address
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "guildkit.invalid"
    message["Message-ID"] = f"<guildkit-{mail.ref}@{domain}>"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(env.get_template(f"{FOLDER}/{mail.template}.txt").render(context))
    message.add_alternative(env.get_template(f"{FOLDER}/{mail.template}.html").render(context), subtype="html")
    return message
