"""The title form: in the settings page's ``settings`` slot (``_settings.html``), posting to
``/settings/title``; see ``docs/titles.md``.

A saved choice goes back to the settings page (Post/Redirect/Get). A refused one (a badge no
longer held, a forged value) comes back on a page of its own with the problem named, since the
settings page belongs to another feature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, url_for

from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.titles.service import Titles
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

#: The form's value for "no title".
NONE = ""
#: Ids of this form's fields: the settings page has others.
SCOPE = "title-"


def labels() -> dict[str, str]:
    return {"badge": _("Title")}


def _service() -> Titles:
    service: Titles = gk_instance().titles
    return service


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_title_form": title_form}


def title_form(form: Form | None = None) -> dict[str, Any] | None:
    """What the title form shows the signed-in member: their choices and current title (``None``
    for someone not signed in)."""
    who = caller()
    if who.user_id is None:
        return None
    service = _service()
    if form is None:
        chosen = service.chosen(who.user_id)
        form = Form(labels(), {"badge": chosen.badge if chosen else NONE}, scope=SCOPE)
    return {"form": form, "choices": [(c.badge, c.text) for c in service.choices(who.user_id)]}


def _user_id() -> str:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to choose your title"), _("Your title is yours to choose."))
    return who.user_id


@pages.post("/settings/title")
@page
def save_title() -> Any:
    csrf.check()
    user_id = _user_id()
    form = Form.posted(labels(), limits={"badge": 100}, scope=SCOPE)
    badge = form.text("badge") or None
    if form.submit(lambda: _service().choose(user_id, badge) or True) is None:
        return render_template("guildkit/titles/title.html", title_form=title_form(form)), 422
    return redirect(url_for(".settings", saved="title") + "#gk-title", code=303)
