"""Notification pages, on the same ``pages`` blueprint as the community pages (docs/notifications.md).

======================================  ===========================================================
``/notifications/settings``             the signed-in member's choice for every kind, one form
                                        (POST with the CSRF token; refused choices come back
                                        with every one named, 422; a saved form redirects, 303)
``/notifications/unsubscribe/<token>``  an email's unsubscribe link: GET asks to confirm, POST
                                        unsubscribes (the form, or a mail provider's RFC 8058
                                        one-click POST); no sign-in needed
======================================  ===========================================================

The unsubscribe POST takes no CSRF token: the signed token in its URL is the whole authority (a
mail provider posts it with no cookies, RFC 8058), and all a forged request could do is stop
an email. A token that is not one this site signed is a 400 page, and changes nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from guildkit import errors
from guildkit.i18n import gettext as _
from guildkit.notifications.addresses import address_of
from guildkit.notifications.mailer import SendFailed
from guildkit.notifications.preferences import Preferences
from guildkit.notifications.service import Notifier
from guildkit.notifications.unsubscribe import BadToken
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
#: The form's field for a kind is ``kind.<name>``; its element id is made of safe characters.
FIELD = "kind."
NO_EMAIL = "no_email"


def notification_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus a forged unsubscribe link as a 400 page."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except BadToken:
            return error_page(
                400,
                _("This link does not work"),
                _(
                    "The unsubscribe link is incomplete or was changed. Use the link in the email as it came, "
                    "or change your notification settings after signing in."
                ),
            )

    return page(run)


def _service() -> Notifier:
    service: Notifier = gk_instance().notifier
    return service


def field_key(kind: str) -> str:
    """The kind's field on the form; its element's id is ``gk-`` and the key."""
    return "kind-" + re.sub(r"[^a-z0-9_-]", "-", kind)


def _form(chosen: Preferences, typed: dict[str, str]) -> Form:
    """The form: a field for each kind, as chosen or as typed (refused choices stay as sent)."""
    values = {field_key(c.kind.name): typed.get(c.kind.name, c.delivery) for c in chosen.choices}
    return Form({field_key(c.kind.name): c.kind.label for c in chosen.choices}, values)


def _sections(chosen: Preferences) -> list[tuple[str, list[dict[str, Any]]]]:
    """The kinds by section, in the order declared, each with its field's name and key."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for choice in chosen.choices:
        name = choice.kind.name
        sections.setdefault(str(choice.kind.section), []).append(
            {"kind": choice.kind, "field": FIELD + name, "key": field_key(name)}
        )
    return list(sections.items())


def _render(
    service: Notifier, user_id: str, chosen: Preferences, form: Form, email: bool | None, status: int
) -> tuple[str, int]:
    enabled = service.email_enabled
    html = render_template(
        "guildkit/notifications/settings.html",
        sections=_sections(chosen),
        form=form,
        email=chosen.email if email is None else email,
        email_enabled=enabled,
        has_address=enabled and _has_address(user_id),
        saved=request.args.get("saved") is not None,
    )
    return html, status


def _has_address(user_id: str) -> bool:
    try:
        return address_of(current_app.config, user_id) is not None
    except SendFailed:  # the host's loader broke (logged): say nothing rather than something wrong
        return True


def _refused(service: Notifier, name: str, typed: dict[str, str]) -> str:
    """Why a choice was refused, in the page's words (the service's name kinds and deliveries by
    code), naming the kind: the error summary lists every refused one."""
    kind = service.kinds().get(name)
    if kind is None:
        return str(_("This kind of notification no longer exists: reload the page."))
    if kind.required and typed.get(name) == "off":
        return str(_("“%(kind)s” cannot be switched off: choose the app or email.", kind=kind.label))
    return str(_("For “%(kind)s”, choose one of the ways offered.", kind=kind.label))


@pages.route("/notifications/settings", methods=["GET", "POST"])
@notification_page
def notification_settings() -> Any:
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to choose your notifications"), _("Your notification settings are only yours."))
    service = _service()
    chosen = service.preferences(who.user_id)
    if request.method == "GET":
        return _render(service, who.user_id, chosen, _form(chosen, {}), None, 200)
    csrf.check()
    typed = {key[len(FIELD) :]: value for key, value in request.form.items() if key.startswith(FIELD)}
    email = request.form.get(NO_EMAIL) != "1"
    form = _form(chosen, typed)
    try:
        service.set_preferences(who.user_id, typed, email=email)
    except errors.ValidationError as exc:
        for field in exc.errors or {exc.field or "": []}:
            name = field.removeprefix("kinds.")
            form.add(field_key(name), _refused(service, name, typed))  # an unknown kind: the form's own
        return _render(service, who.user_id, chosen, form, email, 422)
    return redirect(url_for(".notification_settings", saved=1), code=303)


@pages.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@notification_page
def notification_unsubscribe(token: str) -> Any:
    service = _service()
    if request.method == "GET":
        found = service.check_unsubscribe(token)
        return render_template("guildkit/notifications/unsubscribe.html", found=found, token=token, done=False)
    done = service.unsubscribe(token, everything=request.form.get("all") == "1")
    return render_template("guildkit/notifications/unsubscribe.html", found=done, token=token, done=True)
