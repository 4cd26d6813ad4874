"""Moderation pages, on the same ``pages`` blueprint as the community pages (``docs/moderation.md``).

=====================================  =============================================================
``/report?subject=…&user=…``           the report form for a signed-in, active member
``/moderation``                        the queue (``members.manage``)
``/moderation/cases/<case_id>``        a case: reports, private notes, the note and resolve forms
``/sanctions``                         your own warnings and sanctions, with their reasons
=====================================  =============================================================
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from .. import errors
from ..models import REPORT_CATEGORIES
from ..moderation import ACTIONS
from . import csrf
from .endpoint import gk_instance
from .pages import PageError, caller, error_page, page, pages


def _moderator() -> str | None:
    who = caller()
    if not (who.is_person and who.active and who.can("members.manage")):
        raise PageError(403, "Not allowed", "Only moderators may see the moderation queue.")
    return who.user_id


def _form(values: dict[str, str], form_errors: dict[str, str], status: int = 200) -> Any:
    html = render_template(
        "guildkit/moderation/report.html",
        values=values,
        errors=form_errors,
        categories=REPORT_CATEGORIES,
        can_post=csrf.available(),
        no_secret_key=csrf.NO_SECRET_KEY,
    )
    return (html, status) if status != 200 else html


@pages.route("/report", methods=["GET", "POST"])
@page
def report() -> Any:
    who = caller()
    if not who.is_person or who.user_id is None or not who.active:
        raise PageError(401, "Sign in to report", "Reporting asks you to sign in as an active member.")
    source = request.form if request.method == "POST" else request.args
    values = {
        "subject": source.get("subject", ""),
        "user": source.get("user", ""),
        "category": source.get("category", "spam"),
        "comment": source.get("comment", ""),
    }
    if request.method == "GET":
        return _form(values, {})
    csrf.check()
    try:
        gk_instance().moderation.report(
            who.user_id,
            subject=values["subject"],
            user_id=values["user"],
            category=values["category"],
            comment=values["comment"],
        )
    except errors.UnknownMember:
        return _form(values, {"user": "There is no such member."}, 422)
    except errors.ValidationError as exc:
        name = "user" if exc.field == "user_id" else exc.field or "comment"
        return _form(values, {name: exc.message}, 422)
    return render_template("guildkit/moderation/reported.html")


@pages.get("/moderation")
@page
def moderation_queue() -> Any:
    by = _moderator()
    return render_template("guildkit/moderation/queue.html", cases=gk_instance().moderation.queue(by))


def _show_case(by: str | None, case_id: int, form_errors: dict[str, str], status: int = 200) -> Any:
    try:
        case = gk_instance().moderation.case(by, case_id)
    except errors.UnknownCase:
        return error_page(404, "No such case", "There is no moderation case with that number.")
    html = render_template(
        "guildkit/moderation/case.html",
        case=case,
        actions=ACTIONS,
        is_own=case.user_id == by,
        errors=form_errors,
        values=request.form if request.method == "POST" else {},
        can_post=csrf.available(),
        no_secret_key=csrf.NO_SECRET_KEY,
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


@pages.get("/moderation/cases/<guildkit_id:case_id>")
@page
def moderation_case(case_id: int) -> Any:
    return _show_case(_moderator(), case_id, {})


@pages.post("/moderation/cases/<guildkit_id:case_id>/<any(assign, notes, resolve):what>")
@page
def moderate_case(case_id: int, what: str) -> Any:
    by = _moderator()
    csrf.check()
    moderation = gk_instance().moderation
    form = request.form
    try:
        if what == "assign" and by is not None:
            moderation.assign(by, case_id)
        elif what == "notes":
            moderation.add_note(by, case_id, form.get("body", ""))
        elif what == "resolve":
            moderation.resolve(
                by,
                case_id,
                action=form.get("action", ""),
                reason=form.get("reason", ""),
                hours=_hours(form.get("hours", "")),
                badge=form.get("badge") or None,
                activity_key=form.get("activity_key") or None,
            )
    except errors.NotAllowed as exc:
        return error_page(403, "Not allowed", exc.message)
    except errors.UnknownCase:
        return error_page(404, "No such case", "There is no moderation case with that number.")
    except (errors.ValidationError, errors.UnknownBadge, errors.UnknownActivity) as exc:
        field = getattr(exc, "field", None) or ("badge" if isinstance(exc, errors.UnknownBadge) else "activity_key")
        return _show_case(by, case_id, {field: exc.message}, 422)
    return redirect(url_for(".moderation_case", case_id=case_id, done=what), code=303)


def _hours(text: str) -> int | None:
    """The form's hours: empty is none; anything but a whole number is handed on to be refused."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.ValidationError("hours must be a whole number", field="hours") from None


@pages.get("/sanctions")
@page
def my_sanctions() -> Any:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, "Sign in to see your sanctions", "Sign in first.")
    try:
        sanctions = gk_instance().moderation.sanctions(who.user_id)
    except errors.UnknownMember:
        sanctions = []
    return render_template("guildkit/moderation/sanctions.html", sanctions=sanctions)
