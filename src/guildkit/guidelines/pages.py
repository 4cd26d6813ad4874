"""Community guidelines pages, on the same ``pages`` blueprint as the community pages (``docs/guidelines.md``).

=============================  ===================================================================
``/guidelines``                the current version, rendered; an "I accept" form for a signed-in
                               person who has not accepted it (POST ``/guidelines/accept``)
``/guidelines/<version>``      an earlier (or the current) version
``/guidelines/new``            the form to publish a new version (``admin`` only)
=============================  ===================================================================

Every page also gets ``gk_guidelines_pending()``: whether the signed-in person has a current
version to accept. ``base.html`` uses it for a one-line notice; it costs one query per request,
and only when a template asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.guidelines import BODY_MAX, SUMMARY_MAX, TITLE_MAX
from guildkit.guidelines.errors import UnknownGuidelines
from guildkit.i18n import gettext as _
from guildkit.i18n import lazy_gettext
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

_PENDING = "guildkit.guidelines_pending"
#: The publish form's fields.
LABELS = {"title": lazy_gettext("Title"), "body": lazy_gettext("Guidelines"), "summary": lazy_gettext("What changed")}
LIMITS = {"title": TITLE_MAX, "body": BODY_MAX, "summary": SUMMARY_MAX}
ONLY_ADMINS = lazy_gettext("Only admins may publish the community guidelines.")


def guidelines_pending() -> bool:
    """Whether the signed-in person has not accepted the current guidelines (cached per request)."""
    environ = request.environ
    if _PENDING not in environ:
        who = caller()
        environ[_PENDING] = who.is_person and who.user_id is not None and gk_instance().guidelines.pending(who.user_id)
    return bool(environ[_PENDING])


def guidelines_changed() -> bool:
    """Whether the current guidelines came out after the signed-in person joined: the notice
    then says they changed; to someone who joined since, it says to read them."""
    who = caller()
    return who.user_id is not None and gk_instance().guidelines.changed_since_joining(who.user_id)


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_guidelines_pending": guidelines_pending, "gk_guidelines_changed": guidelines_changed}


def _is_admin() -> bool:
    who = caller()
    return who.is_person and who.active and who.can("admin")


def _show(version_number: int | None) -> Any:
    gk = gk_instance()
    current = gk.guidelines.current()
    if version_number is None or (current is not None and version_number == current.version):
        shown = current
    else:
        shown = gk.guidelines.version(version_number)
    who = caller()
    acceptance = gk.guidelines.acceptance(who.user_id) if who.is_person and who.user_id else None
    return render_template(
        "guildkit/guidelines/show.html",
        shown=shown,
        current=current,
        is_current=shown is not None and current is not None and shown.version == current.version,
        history=gk.guidelines.history(),
        signed_in=who.is_person,
        acceptance=acceptance,
        can_publish=_is_admin(),
        done=request.args.get("done"),
    )


@pages.get("/guidelines")
@page
def guidelines() -> Any:
    return _show(None)


@pages.get("/guidelines/<guildkit_id:version>")
@page
def guidelines_version(version: int) -> Any:
    try:
        return _show(version)
    except UnknownGuidelines:
        return error_page(404, _("No such version"), _("There is no version of the guidelines with that number."))


@pages.post("/guidelines/accept")
@page
def accept_guidelines() -> Any:
    csrf.check()
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(
            401, _("Sign in to accept the guidelines"), _("Accepting the guidelines asks you to sign in first.")
        )
    try:
        version = int(request.form.get("version", ""))
        gk_instance().guidelines.accept(who.user_id, version)
    except (ValueError, errors.ValidationError):
        return error_page(
            409, _("The guidelines changed"), _("A newer version was published meanwhile: read it, then accept it.")
        )
    return redirect(url_for(".guidelines", done="accepted"), code=303)


@pages.route("/guidelines/new", methods=["GET", "POST"])
@page
def new_guidelines() -> Any:
    if not _is_admin():
        raise PageError(403, _("Not allowed"), ONLY_ADMINS)
    gk = gk_instance()
    current = gk.guidelines.current()
    if request.method == "GET":
        values = {
            "title": current.title if current else _("Community guidelines"),
            "body": current.body if current else "",
        }
        return render_template(
            "guildkit/guidelines/form.html", form=Form(LABELS, values, limits=LIMITS), current=current
        )
    csrf.check()
    form = Form.posted(LABELS, limits=LIMITS)
    try:
        published = form.run(lambda: gk.guidelines.publish(caller().user_id, **form.values))
    except errors.NotAllowed:  # no longer an admin since the form was shown
        return error_page(403, _("Not allowed"), ONLY_ADMINS)
    if published is None:
        return render_template("guildkit/guidelines/form.html", form=form, current=current), 422
    return redirect(url_for(".guidelines", done="published"), code=303)
