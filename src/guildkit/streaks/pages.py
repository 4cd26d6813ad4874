"""The member's streaks page, on the ``pages`` blueprint (``docs/streaks.md``).

====================================  ====================================================
``/streaks``                          the signed-in member's streaks, freezes (held and
                                      their history) and absences, with the absence form
``POST /streaks/absences``            declare an absence
``POST /streaks/absences/<id>/cancel``  cancel an absence that has not started
====================================  ====================================================

A member's profile shows their streaks in its ``member`` slot (``_member.html``): everyone sees
the runs; only the member sees their freezes and a link here. The settings page links here too
(slot ``settings``). The form posts with the CSRF token; a refused form comes back with every
problem named (:mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit.errors import Conflict, NotFound
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.streaks.config import Settings
from guildkit.streaks.service import Streaks
from guildkit.streaks.views import Overview
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")


def _service() -> Streaks:
    service: Streaks = gk_instance().streaks
    return service


def labels() -> dict[str, str]:
    return {"starts_on": _("First day away"), "ends_on": _("Last day away")}


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_streaks_profile": _profile}


def _profile(user_id: str) -> dict[str, Any]:
    """The profile's streaks section: the runs for everyone, the freezes for the member only."""
    who = caller()
    overview = _service().overview(user_id)
    return {"overview": overview, "own": who.user_id is not None and who.is_self(user_id)}


def _signed_in() -> str:
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to see your streaks"), _("Your streaks are kept for you when you sign in."))
    return who.user_id


def _mine(user_id: str, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    overview: Overview = _service().overview(user_id)
    if form is None:
        form = Form(labels(), {}, limits={"starts_on": 10, "ends_on": 10})
    html = render_template(
        "guildkit/streaks/mine.html",
        overview=overview,
        form=form,
        most_days=Settings.current().max_absence_days,
        done=request.args.get("done", ""),
    )
    return html, status


@pages.get("/streaks")
@page
def streaks_mine() -> Any:
    return _mine(_signed_in())


@pages.post("/streaks/absences")
@page
def streaks_declare() -> Any:
    csrf.check()
    user_id = _signed_in()
    form = Form.posted(labels(), limits={"starts_on": 10, "ends_on": 10})
    declared = form.submit(lambda: _service().declare_absence(user_id, form.text("starts_on"), form.text("ends_on")))
    if declared is None:
        return _mine(user_id, form, 422)
    return redirect(url_for(".streaks_mine", done="declared"), code=303)


@pages.post("/streaks/absences/<guildkit_id:absence_id>/cancel")
@page
def streaks_cancel(absence_id: int) -> Any:
    csrf.check()
    user_id = _signed_in()
    try:
        _service().cancel_absence(user_id, absence_id)
    except NotFound:
        raise PageError(
            404, _("No such absence"), _("This absence is not one of yours, or it was cancelled.")
        ) from None
    except Conflict as exc:
        form = Form(labels(), {}, limits={"starts_on": 10, "ends_on": 10})
        form.add(None, exc.message)
        return _mine(user_id, form, 409)
    return redirect(url_for(".streaks_mine", done="cancelled"), code=303)
