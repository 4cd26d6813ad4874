"""What every community page shares: the ``pages`` blueprint, its error pages and template context.

Each feature declares its pages on a :class:`~guildkit.routes.Routes` and wraps each view in
:func:`page`, which turns guildkit's errors into HTML error pages. :func:`make_pages` makes a fresh
blueprint for each :func:`~guildkit.web.make_blueprint` call, with the context every template
gets (``gk_caller``, ``gk_host``, ``gk_name``, the CSRF token, …) and guildkit's template filters.

Every template extends ``guildkit/base.html``; a host overrides any of them by putting a file with
the same path in its own templates folder (see ``docs/pages.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, has_request_context, render_template, request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from guildkit import errors, flair, i18n, queries
from guildkit.definitions import TIER_NAMES, Text, shown
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.web import avatars, csrf
from guildkit.web.auth import Caller, current_caller
from guildkit.web.endpoint import gk_instance
from guildkit.web.errors import ApiError
from guildkit.web.host import current_host
from guildkit.web.present import names

View = Callable[..., Any]


class PageError(Exception):
    """An error page: ``title`` and ``message`` in the reader's language (``gettext``, or a lazy
    translation made at import time)."""

    def __init__(self, status: int, title: Text, message: Text):
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def error_page(status: int, title: Text, message: Text) -> tuple[str, int]:
    # As text: a lazy translation would reach the template as markup, unescaped.
    return render_template("guildkit/error.html", status=status, title=str(title), message=str(message)), status


def page(view: View) -> View:
    """Turn guildkit's not-found errors, bad cursors and CSRF failures into HTML error pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except PageError as exc:
            return error_page(exc.status, exc.title, exc.message)
        except csrf.CsrfError as exc:
            return error_page(exc.status, _("That form could not be sent"), exc.message)
        except errors.UnknownMember:
            return error_page(404, _("No such member"), _("Nobody with that id has joined the community."))
        except errors.UnknownBadge:
            return error_page(404, _("No such badge"), _("There is no badge with that name."))
        except errors.UnknownPointType:
            return error_page(404, _("No such leaderboard"), _("There is no leaderboard for that kind of points."))
        except ApiError as exc:
            return error_page(exc.status, _("That page does not exist"), exc.detail)

    return run


def page_url(endpoint: str, **values: Any) -> str | None:
    """The URL of one of guildkit's pages (``"event"``) from wherever guildkit's blueprint is
    serving; ``None`` outside its requests (a job, the CLI), where no mount point is known."""
    if not has_request_context() or not request.blueprint:
        return None
    try:
        return url_for(f"{request.blueprint.split('.')[0]}.pages.{endpoint}", **values)
    except BuildError:
        return None


def caller() -> Caller:
    """The person looking (pages are for people: an API token makes no one signed in)."""
    try:
        return current_caller(gk_instance())
    except ApiError:
        return Caller()


def _context() -> dict[str, Any]:
    gk = gk_instance()
    who = caller()
    mount = (request.blueprint or "guildkit").split(".")[0]
    unread = (
        queries.unread_count(gk.session, who.member.id, hidden=gk.calls.hidden_notification_kinds(who.member.id))
        if who.member is not None
        else 0
    )
    return {
        "gk_caller": who,
        # The language the page is in, for <html lang> (a locale such as pt_BR written pt-BR).
        "gk_locale": str(i18n.current_locale()).replace("_", "-"),
        "gk_host": current_host(),
        "gk_css_url": url_for(f"{mount}.static", filename="guildkit.css"),
        "gk_unread": unread,
        "gk_point_types": point_types(gk),
        "gk_default_point_type": default_point_type(gk),
        "gk_csrf_token": csrf.token,
        "gk_csrf_field": csrf.FIELD,
        # Forms say so, instead of failing on submit, when the host has no SECRET_KEY.
        "can_post": csrf.available(),
        "no_secret_key": str(csrf.NO_SECRET_KEY),
        "gk_name": _namer(gk),
        "gk_nav_links": lambda: gk.calls.page_links("nav", {}, who.user_id),
        "gk_staff_links": lambda: gk.calls.page_links("staff", {}, who.user_id) if who.user_id else [],
        "gk_nav_inline": current_app.config["GUILDKIT_NAV_LINKS"],
        "gk_includes": lambda slot: gk.calls.template_includes(slot),
    }


def _namer(gk: GuildKit) -> Any:
    """``gk_name(user_id)`` in templates: a member's display name, looked up once per page."""
    known: dict[str, str] = {}

    def name(user_id: str | None) -> str:
        if user_id is None:
            return ""
        if user_id not in known:
            known.update(names(gk, [user_id]))
        return known[user_id]

    return name


def tier_label(tier: str) -> str:
    """A tier's name, shown with its colour (never colour alone), in the reader's language."""
    return shown(TIER_NAMES.get(tier, tier.title()))


def point_types(gk: GuildKit) -> list[tuple[str, str]]:
    return [(slug, shown(definition.name)) for slug, definition in gk.registry.point_types.items()]


def default_point_type(gk: GuildKit) -> str | None:
    types = gk.registry.point_types
    if "reputation" in types:
        return "reputation"
    return next(iter(types), None)


def host_flair(user_id: str | None) -> Markup:
    """``gk_flair(user_id)``: the member's title and group, as guildkit shows them after a name
    (empty for anyone without); asked once per member per request."""
    if not user_id:
        return Markup("")
    return flair.markup(flair.resolve(gk_instance(), [user_id])[user_id])


def load_flair(user_ids: Any) -> str:
    """``{{ gk_flair_load(ids) }}``: ask for all these members' flair at once (one call for a list
    the host shows, before its ``gk_flair`` calls); renders nothing."""
    flair.resolve(gk_instance(), [str(user_id) for user_id in user_ids])
    return ""


def make_pages() -> Blueprint:
    pages = Blueprint("pages", __name__)
    for name, function in i18n.FILTERS.items():
        pages.add_app_template_filter(function, name)
    pages.add_app_template_filter(tier_label, "gk_tier")
    # Globals, not context: the avatar macro is imported without the page's context.
    pages.add_app_template_global(avatars.initials, "gk_initials")
    pages.add_app_template_global(avatars.hue, "gk_avatar_hue")
    # For the host's own templates too: what a member shows after their name (docs/host-integration.md).
    pages.add_app_template_global(host_flair, "gk_flair")
    pages.add_app_template_global(load_flair, "gk_flair_load")
    pages.add_app_template_global(flair.markup, "gk_flair_html")  # member_link's, from a presenter's m.flair
    pages.context_processor(_context)
    return pages
