"""Moderation pages, on the same ``pages`` blueprint as the community pages (``docs/moderation.md``).

=====================================  =============================================================
``/report?subject=…&user=…``           the report form for a signed-in, active member: the host's
                                       link names what is reported and who wrote it
``/moderation``                        the queue (``members.manage``)
``/moderation/cases/<case_id>``        a case: reports, private notes, the note and resolve forms
``/sanctions``                         your own warnings and sanctions, your appeals (and the form to
                                       appeal), your mediations
``/mediations/<mediation_id>``         a mediation: statements, and the statement, agree and abandon
                                       forms (its parties, its mediator and moderators)
``/moderation/appeals``                the appeals queue; ``/moderation/appeals/<id>`` an appeal and
                                       the decide form (``members.manage``)
``/moderation/log``                    the public, anonymized moderation log (anyone, signed in or not)
=====================================  =============================================================

Every template reads internal names (actions, states, categories) through the ``gk_moderation``
filter (:mod:`.wording`); subjects and members are put in words by :mod:`.present`. A field the
service refused is named in the page's own words (the service's messages name fields by their
code names), and a state that no longer allows the form, in a sentence of the page's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.i18n import format_number, lazy_gettext
from guildkit.i18n import gettext as _
from guildkit.moderation import present, report_form
from guildkit.moderation.api import default_period
from guildkit.moderation.common import TEXT_MAX
from guildkit.moderation.errors import UnknownAppeal, UnknownCase, UnknownMediation
from guildkit.moderation.models import REPORT_CATEGORIES
from guildkit.moderation.wording import PERIODS, word
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")
pages.app_template_filter("gk_moderation")(word)


def _moderator() -> str | None:
    who = caller()
    if not (who.is_person and who.active and who.can("members.manage")):
        raise PageError(403, _("Not allowed"), _("Only moderators may see the moderation queue."))
    return who.user_id


def _report_page(form: report_form.ReportForm, status: int = 200) -> Any:
    gk = gk_instance()
    subject = present.subjects(gk, [form.subject])[form.subject] if form.subject else None
    html = render_template(
        "guildkit/moderation/report.html",
        form=form,
        subject=subject,
        author=present.people(gk, [form.user]).get(form.user or ""),
        errors=form.errors,
        labels=report_form.LABELS,
        categories=REPORT_CATEGORIES,
    )
    return (html, status) if status != 200 else html


@pages.route("/report", methods=["GET", "POST"])
@page
def report() -> Any:
    who = caller()
    if not who.is_person or who.user_id is None or not who.active:
        raise PageError(401, _("Sign in to report"), _("Reporting asks you to sign in as an active member."))
    sent = request.method == "POST"
    if sent:
        csrf.check()
    gk = gk_instance()
    form = report_form.read(gk, who.user_id, request.form if sent else request.args, sent=sent)
    if sent and not form.errors and form.subject and form.user and form.category:
        try:
            gk.moderation.report(
                who.user_id, subject=form.subject, user_id=form.user, category=form.category, comment=form.comment
            )
        except (errors.ValidationError, errors.UnknownMember, errors.MemberInactive) as exc:
            name, message = report_form.refused(exc)
            form.errors[name] = message
        else:
            subject = present.subjects(gk, [form.subject])[form.subject]
            return render_template("guildkit/moderation/reported.html", subject=subject)
    if not form.errors:
        return _report_page(form)
    return _report_page(form, 422 if sent else 400)


@pages.get("/moderation")
@page
def moderation_queue() -> Any:
    by = _moderator()
    gk = gk_instance()
    cases = gk.moderation.queue(by)
    return render_template(
        "guildkit/moderation/queue.html",
        cases=cases,
        subjects=present.subjects(gk, (c.subject for c in cases)),
        names=present.people(gk, [*(c.user_id for c in cases), *(c.assigned_to for c in cases)]),
    )


def _show_case(by: str | None, case_id: int, form_errors: dict[str, str], status: int = 200) -> Any:
    gk = gk_instance()
    try:
        case = gk.moderation.case(by, case_id)
    except UnknownCase:
        return _no_case()
    record = gk.moderation.member_record(by, case.user_id, case_id=case.id)
    html = render_template(
        "guildkit/moderation/case.html",
        case=case,
        is_own=case.user_id == by,
        errors=form_errors,
        labels=CASE_FIELDS,
        periods=PERIODS,
        values=request.form if request.method == "POST" else {},
        done=request.args.get("done"),
        **present.case_page(gk, by, case, record),
    )
    return (html, status) if status != 200 else html


def _no_case() -> tuple[str, int]:
    return error_page(404, _("No such case"), _("There is no moderation case with that number."))


#: How the case page's forms name their fields in the error summary.
CASE_FIELDS = {
    "case_id": lazy_gettext("This case"),
    "action": lazy_gettext("Action"),
    "reason": lazy_gettext("Reason"),
    "hours": lazy_gettext("How long"),
    "badge": lazy_gettext("Badge"),
    "activity_key": lazy_gettext("Activity"),
    "body": lazy_gettext("Private note"),
    "party": lazy_gettext("Other party"),
    "mediator": lazy_gettext("Mediator"),
}


def _help(field: str) -> str | None:
    """What to say about a field the service refused, when the page says it better: the
    service's words name internals (and would repeat an unknown key back)."""
    most = format_number(TEXT_MAX)
    said = {
        # the case page
        "action": _("Pick one of the actions."),
        "reason": _("Give a reason of at most %(max)s characters.", max=most),
        "hours": _("Pick how long it lasts: a mute needs a period."),
        "badge": _("Pick one of the member's badges to take back."),
        "activity_key": _("Pick one of the member's activities to undo."),
        "body": _("Write at most %(max)s characters.", max=most),
        # a mediation, an appeal
        "outcome": _("Write the agreed outcome, at most %(max)s characters.", max=most),
        "statement": _("Write why you appeal, at most %(max)s characters.", max=most),
        "decision": _("Pick uphold or overturn."),
    }.get(field)
    return None if said is None else str(said)


def _too_late(exc: errors.InvalidTransition) -> str:
    """A form the case, mediation or appeal no longer allows, in the page's words."""
    what = exc.context.get("what")
    if what == "case":
        if exc.state == "in mediation":
            return str(_("This case is in a mediation: it is settled there."))
        return str(_("This case is already resolved."))
    if what == "appeal":
        return str(_("This appeal is already decided."))
    return str(_("This mediation is already closed."))


@pages.get("/moderation/cases/<guildkit_id:case_id>")
@page
def moderation_case(case_id: int) -> Any:
    return _show_case(_moderator(), case_id, {})


@pages.post("/moderation/cases/<guildkit_id:case_id>/<any(assign, notes, resolve, mediation):what>")
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
        elif what == "mediation":
            started = moderation.start_mediation(
                by, case_id, party=form.get("party") or None, mediator=form.get("mediator") or None
            )
            return redirect(url_for(".mediation_page", mediation_id=started.id, done="started"), code=303)
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except UnknownCase:
        return _no_case()
    except errors.InvalidTransition as exc:
        return _show_case(by, case_id, {"case_id": _too_late(exc)}, 409)
    except errors.UnknownMember:
        return _show_case(by, case_id, {"party": _("That member is not in the community.")}, 422)
    except errors.UnknownBadge:
        return _show_case(by, case_id, {"badge": _("Pick one of the member's badges to take back.")}, 422)
    except errors.UnknownActivity:
        return _show_case(by, case_id, {"activity_key": _("That activity no longer exists: pick another.")}, 422)
    except errors.ValidationError as exc:
        field = exc.field or "reason"
        return _show_case(by, case_id, {field: _help(field) or exc.message}, 422)
    return redirect(url_for(".moderation_case", case_id=case_id, done=what), code=303)


def _hours(text: str) -> int | None:
    """The form's hours: empty is none; anything but a whole number is handed on to be refused."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.ValidationError(_("Pick how long it lasts."), field="hours") from None


def _signed_in() -> str:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to see your sanctions"), _("Sign in first."))
    return who.user_id


def _my_sanctions(user: str, form_errors: dict[str, str], status: int = 200) -> Any:
    gk = gk_instance()
    mediations = gk.moderation.mediations_of(user)
    html = render_template(
        "guildkit/moderation/sanctions.html",
        actions=gk.moderation.actions(user),
        mediations=mediations,
        subjects=present.subjects(gk, (m.subject for m in mediations)),
        errors=form_errors,
        values=request.form if request.method == "POST" else {},
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


@pages.get("/sanctions")
@page
def my_sanctions() -> Any:
    return _my_sanctions(_signed_in(), {})


@pages.post("/sanctions/appeal")
@page
def appeal() -> Any:
    """Suspended and banned members may appeal: only being signed in is checked."""
    user = _signed_in()
    csrf.check()
    form = request.form
    try:
        gk_instance().moderation.appeal(
            user,
            statement=form.get("statement", ""),
            sanction_id=_whole(form.get("sanction_id", ""), "sanction_id"),
            case_id=_whole(form.get("case_id", ""), "case_id"),
        )
    except errors.UnknownMember:
        return _my_sanctions(user, {"statement": _("You have nothing to appeal.")}, 422)
    except errors.ValidationError as exc:
        field = exc.field or "statement"
        return _my_sanctions(user, {field: (_help(field) if field == "statement" else None) or exc.message}, 422)
    return redirect(url_for(".my_sanctions", done="appealed"), code=303)


def _whole(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        raise errors.ValidationError(_("This appeal form is broken: reload the page."), field=field)
    return int(text)


# -- mediation -------------------------------------------------------------------------------


def _show_mediation(mediation_id: int, form_errors: dict[str, str], status: int = 200) -> Any:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to see this mediation"), _("Mediations are shown to their parties only."))
    moderation = gk_instance().moderation
    try:
        found = moderation.mediation(who.user_id, mediation_id)
    except UnknownMediation:
        return _no_mediation()
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    role = found.role_of(who.user_id)
    html = render_template(
        "guildkit/moderation/mediation.html",
        m=found,
        subject=present.subjects(gk_instance(), [found.subject])[found.subject],
        role=role,
        moderator=who.active and who.can("members.manage"),
        errors=form_errors,
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def _no_mediation() -> tuple[str, int]:
    return error_page(404, _("No such mediation"), _("There is no mediation with that number."))


@pages.get("/mediations/<guildkit_id:mediation_id>")
@page
def mediation_page(mediation_id: int) -> Any:
    return _show_mediation(mediation_id, {})


@pages.post("/mediations/<guildkit_id:mediation_id>/<any(statements, agree, abandon):what>")
@page
def mediation_action(mediation_id: int, what: str) -> Any:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to take part"), _("Mediations are for their parties only."))
    csrf.check()
    moderation = gk_instance().moderation
    form = request.form
    try:
        if what == "statements":
            moderation.add_statement(who.user_id, mediation_id, form.get("body", ""))
        elif what == "agree":
            moderation.agree(who.user_id, mediation_id, outcome=form.get("outcome", ""))
        else:
            if not who.can("members.manage"):
                raise errors.NotAllowed(_("only the mediator or another moderator may abandon this mediation"))
            moderation.abandon_mediation(who.user_id, mediation_id, reason=form.get("reason", ""))
    except UnknownMediation:
        return _no_mediation()
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except errors.InvalidTransition as exc:
        return _show_mediation(mediation_id, {"state": _too_late(exc)}, 409)
    except errors.ValidationError as exc:
        field = exc.field or "body"
        return _show_mediation(mediation_id, {field: _help(field) or exc.message}, 422)
    return redirect(url_for(".mediation_page", mediation_id=mediation_id, done=what), code=303)


# -- appeals (moderators) --------------------------------------------------------------------


@pages.get("/moderation/appeals")
@page
def appeals_queue() -> Any:
    by = _moderator()
    return render_template("guildkit/moderation/appeals.html", appeals=gk_instance().moderation.appeals(by))


def _show_appeal(by: str | None, appeal_id: int, form_errors: dict[str, str], status: int = 200) -> Any:
    try:
        found = gk_instance().moderation.get_appeal(by, appeal_id)
    except UnknownAppeal:
        return _no_appeal()
    html = render_template(
        "guildkit/moderation/appeal.html",
        a=found,
        may_decide=by not in (found.user_id, found.acted_by),
        errors=form_errors,
        values=request.form if request.method == "POST" else {},
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def _no_appeal() -> tuple[str, int]:
    return error_page(404, _("No such appeal"), _("There is no appeal with that number."))


@pages.get("/moderation/appeals/<guildkit_id:appeal_id>")
@page
def appeal_page(appeal_id: int) -> Any:
    return _show_appeal(_moderator(), appeal_id, {})


@pages.post("/moderation/appeals/<guildkit_id:appeal_id>/decide")
@page
def decide_appeal(appeal_id: int) -> Any:
    by = _moderator()
    csrf.check()
    form = request.form
    try:
        gk_instance().moderation.decide_appeal(
            by, appeal_id, decision=form.get("decision", ""), reason=form.get("reason", "")
        )
    except UnknownAppeal:
        return _no_appeal()
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except errors.InvalidTransition as exc:
        return _show_appeal(by, appeal_id, {"decision": _too_late(exc)}, 409)
    except errors.ValidationError as exc:
        field = exc.field or "reason"
        return _show_appeal(by, appeal_id, {field: _help(field) or exc.message}, 422)
    return redirect(url_for(".appeal_page", appeal_id=appeal_id, done="decided"), code=303)


# -- the public log --------------------------------------------------------------------------


@pages.get("/moderation/log")
@page
def public_log() -> Any:
    """Public like the badge catalog: no sign-in check at all."""
    gk = gk_instance()
    asked = {name: _day(request.args.get(name, "")) for name in ("start", "end")}
    form_errors = {name: str(_("Use a date like 2026-01-31.")) for name, day in asked.items() if day is False}
    start, end = default_period(gk, _date_or_none(asked["start"]), _date_or_none(asked["end"]))
    status = 200
    try:
        months = gk.moderation.public_log(start, end)
    except errors.ValidationError as exc:
        form_errors[exc.field or "end"] = exc.message
        start, end = default_period(gk, None, None)
        months, status = gk.moderation.public_log(start, end), 422
    if form_errors:
        status = 422
    html = render_template(
        "guildkit/moderation/log.html", months=list(reversed(months)), start=start, end=end, errors=form_errors
    )
    return (html, status) if status != 200 else html


def _date_or_none(value: date | bool | None) -> date | None:
    return value if isinstance(value, date) else None


def _day(text: str) -> date | bool | None:
    """The form's date; ``None`` when empty, ``False`` when it is not a date."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False
