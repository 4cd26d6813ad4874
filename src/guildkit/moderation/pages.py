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
filter (:mod:`.wording`); subjects and members are put in words by :mod:`.present`. Every form
is a :class:`~guildkit.web.forms.Form`: a refused one comes back (422) with every bad field
named at once, in the page's own words (the service's messages name fields by their code names),
and what was typed kept; a state that no longer allows the form is the form's own message (409).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.i18n import format_number, lazy_gettext
from guildkit.i18n import gettext as _
from guildkit.moderation import present, report_form
from guildkit.moderation.api import default_period
from guildkit.moderation.common import MAX_HOURS, TEXT_MAX
from guildkit.moderation.errors import UnknownAppeal, UnknownCase, UnknownMediation
from guildkit.moderation.models import REPORT_CATEGORIES
from guildkit.moderation.wording import PERIODS, word
from guildkit.routes import Routes
from guildkit.text import check_text
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")
pages.app_template_filter("gk_moderation")(word)

T = TypeVar("T")
#: How long a mute or suspension lasts when the moderator has not picked yet (the form's first choice).
DEFAULT_HOURS = "24"


def _moderator() -> str | None:
    who = caller()
    if not (who.is_person and who.active and who.can("members.manage")):
        raise PageError(403, _("Not allowed"), _("Only moderators may see the moderation queue."))
    return who.user_id


def _report_page(report: report_form.ReportForm, status: int = 200) -> Any:
    gk = gk_instance()
    subject = present.subjects(gk, [report.subject])[report.subject] if report.subject else None
    html = render_template(
        "guildkit/moderation/report.html",
        report=report,
        form=report.form,
        subject=subject,
        author=present.people(gk, [report.user]).get(report.user or ""),
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
    found = report_form.read(gk, who.user_id, request.form if sent else request.args, sent=sent)
    form = found.form
    if sent and not form.invalid and found.subject and found.user and found.category:
        try:
            gk.moderation.report(
                who.user_id,
                subject=found.subject,
                user_id=found.user,
                category=found.category,
                comment=form.text("comment"),
            )
        except (errors.ValidationError, errors.UnknownMember, errors.MemberInactive) as exc:
            form.add(*report_form.refused(exc))
        else:
            subject = present.subjects(gk, [found.subject])[found.subject]
            return render_template("guildkit/moderation/reported.html", subject=subject)
    if not form.invalid:
        return _report_page(found)
    return _report_page(found, 422 if sent else 400)


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


def _show_case(by: str | None, case_id: int, form: Form | None = None, status: int = 200) -> Any:
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
        form=form or Form(CASE_FIELDS, {"hours": DEFAULT_HOURS}, limits=CASE_LIMITS),
        periods=PERIODS,
        done=request.args.get("done"),
        **present.case_page(gk, by, case, record),
    )
    return (html, status) if status != 200 else html


def _no_case() -> tuple[str, int]:
    return error_page(404, _("No such case"), _("There is no moderation case with that number."))


#: The case page's fields (its note, resolve and mediation forms), in the order it shows them.
CASE_FIELDS = {
    "body": lazy_gettext("Private note"),
    "reason": lazy_gettext("Reason"),
    "action": lazy_gettext("Action"),
    "hours": lazy_gettext("How long"),
    "badge": lazy_gettext("Badge"),
    "activity_key": lazy_gettext("Activity"),
    "party": lazy_gettext("Other party"),
    "mediator": lazy_gettext("Mediator"),
}
CASE_LIMITS = {"body": TEXT_MAX, "reason": TEXT_MAX}


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


def _in_words(call: Callable[[], T]) -> T:
    """``call()``; what it refuses, each field in the page's words where the page says it better."""
    try:
        return call()
    except errors.ValidationError as exc:
        found = exc.errors or {exc.field or "": [exc.message]}
        said = {name: [_help(name) or message for message in messages] for name, messages in found.items()}
        raise errors.ValidationError(exc.message, errors=said) from None


@pages.get("/moderation/cases/<guildkit_id:case_id>")
@page
def moderation_case(case_id: int) -> Any:
    return _show_case(_moderator(), case_id)


@pages.post("/moderation/cases/<guildkit_id:case_id>/<any(assign, notes, resolve, mediation):what>")
@page
def moderate_case(case_id: int, what: str) -> Any:
    by = _moderator()
    csrf.check()
    moderation = gk_instance().moderation
    form = Form.posted(CASE_FIELDS, limits=CASE_LIMITS)
    status = 422
    try:
        if what == "assign" and by is not None:
            moderation.assign(by, case_id)
        elif what == "notes":
            form.run(lambda: _in_words(lambda: moderation.add_note(by, case_id, form.text("body"))))
        elif what == "resolve":
            fields: dict[str, Any] = {
                "action": form.text("action"),
                "reason": form.text("reason"),
                "hours": form.whole_number("hours", low=1, high=MAX_HOURS, message=_("Pick how long it lasts.")),
                "badge": form.text("badge") or None,
                "activity_key": form.text("activity_key") or None,
            }
            form.submit(
                lambda: _in_words(lambda: moderation.resolve(by, case_id, **fields)),
                check=lambda: _in_words(lambda: moderation.check_resolution(**fields)),
            )
        elif what == "mediation":
            party, mediator = form.text("party") or None, form.text("mediator") or None
            started = form.run(lambda: moderation.start_mediation(by, case_id, party=party, mediator=mediator))
            if started is not None:
                return redirect(url_for(".mediation_page", mediation_id=started.id, done="started"), code=303)
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except UnknownCase:
        return _no_case()
    except errors.InvalidTransition as exc:
        form.add(None, _too_late(exc))
        status = 409
    except errors.UnknownMember:
        form.add("party", _("That member is not in the community."))
    except errors.UnknownBadge:
        form.add("badge", _("Pick one of the member's badges to take back."))
    except errors.UnknownActivity:
        form.add("activity_key", _("That activity no longer exists: pick another."))
    if form.invalid:
        if "hours" not in request.form:  # another form was sent: the resolve form shows its first choice
            form.values["hours"] = DEFAULT_HOURS
        return _show_case(by, case_id, form, status)
    return redirect(url_for(".moderation_case", case_id=case_id, done=what), code=303)


def _signed_in() -> str:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to see your sanctions"), _("Sign in first."))
    return who.user_id


def _appeal_key(sanction_id: int | None, case_id: int | None) -> str:
    """What tells apart the appeal forms of one page: the sanction's id, or the case's."""
    return f"s{sanction_id}" if sanction_id is not None else f"c{case_id}"


def _appeal_form(label: str, key: str, values: dict[str, Any] | None = None) -> Form:
    return Form({"statement": label}, values, limits={"statement": TEXT_MAX}, scope=f"{key}-")


def _my_sanctions(user: str, posted: tuple[str, Form] | None = None, status: int = 200) -> Any:
    """The member's page; ``posted`` (its key, the form) replaces the appeal form that was sent."""
    gk = gk_instance()
    mediations = gk.moderation.mediations_of(user)
    actions = gk.moderation.actions(user)
    appeal_forms: dict[str, Form] = {}
    for a in actions:
        key = _appeal_key(a.sanction_id, a.case_id)
        appeal_forms[key] = _appeal_form(word(a.kind, "appeal") if a.sanction_id else _("Appeal this decision"), key)
    if posted is not None:
        key, form = posted
        if key in appeal_forms:  # shown under its action's own label
            form.labels = appeal_forms[key].labels
        appeal_forms[key] = form
    html = render_template(
        "guildkit/moderation/sanctions.html",
        actions=actions,
        mediations=mediations,
        subjects=present.subjects(gk, (m.subject for m in mediations)),
        appeal_forms=appeal_forms,
        form=None if posted is None else posted[1],
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


@pages.get("/sanctions")
@page
def my_sanctions() -> Any:
    return _my_sanctions(_signed_in())


@pages.post("/sanctions/appeal")
@page
def appeal() -> Any:
    """Suspended and banned members may appeal: only being signed in is checked."""
    user = _signed_in()
    csrf.check()
    texts = {name: request.form.get(name, "").strip() for name in ("sanction_id", "case_id")}
    ids = {name: int(text) if text.isdigit() and len(text) <= 10 else None for name, text in texts.items()}
    key = _appeal_key(ids["sanction_id"], ids["case_id"])
    form = _appeal_form(_("Appeal this decision"), key, {"statement": request.form.get("statement", "")})
    if any(text and ids[name] is None for name, text in texts.items()):
        form.add(None, _("This appeal form is broken: reload the page."))
    statement = form.text("statement")
    try:
        form.submit(
            lambda: _in_words(lambda: gk_instance().moderation.appeal(user, statement=statement, **ids)),
            check=lambda: _in_words(lambda: check_text(statement, "statement", max_length=TEXT_MAX)),
        )
    except errors.UnknownMember:
        form.add(None, _("You have nothing to appeal."))
    if form.invalid:
        return _my_sanctions(user, (key, form), 422)
    return redirect(url_for(".my_sanctions", done="appealed"), code=303)


# -- mediation -------------------------------------------------------------------------------

#: A mediation page's fields (its statement, agreement and abandon forms).
MEDIATION_FIELDS = {
    "body": lazy_gettext("Your statement"),
    "outcome": lazy_gettext("Agreed outcome"),
    "reason": lazy_gettext("Why"),
}
MEDIATION_LIMITS = dict.fromkeys(MEDIATION_FIELDS, TEXT_MAX)


def _show_mediation(mediation_id: int, form: Form | None = None, status: int = 200) -> Any:
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
        form=form or Form(MEDIATION_FIELDS, limits=MEDIATION_LIMITS),
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def _no_mediation() -> tuple[str, int]:
    return error_page(404, _("No such mediation"), _("There is no mediation with that number."))


@pages.get("/mediations/<guildkit_id:mediation_id>")
@page
def mediation_page(mediation_id: int) -> Any:
    return _show_mediation(mediation_id)


@pages.post("/mediations/<guildkit_id:mediation_id>/<any(statements, agree, abandon):what>")
@page
def mediation_action(mediation_id: int, what: str) -> Any:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to take part"), _("Mediations are for their parties only."))
    user = who.user_id
    csrf.check()
    moderation = gk_instance().moderation
    form = Form.posted(MEDIATION_FIELDS, limits=MEDIATION_LIMITS)
    status = 422
    try:
        if what == "statements":
            form.run(lambda: _in_words(lambda: moderation.add_statement(user, mediation_id, form.text("body"))))
        elif what == "agree":
            form.run(lambda: _in_words(lambda: moderation.agree(user, mediation_id, outcome=form.text("outcome"))))
        else:
            if not who.can("members.manage"):
                raise errors.NotAllowed(_("only the mediator or another moderator may abandon this mediation"))
            reason = form.text("reason")
            form.run(lambda: _in_words(lambda: moderation.abandon_mediation(user, mediation_id, reason=reason)))
    except UnknownMediation:
        return _no_mediation()
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except errors.InvalidTransition as exc:
        form.add(None, _too_late(exc))
        status = 409
    if form.invalid:
        return _show_mediation(mediation_id, form, status)
    return redirect(url_for(".mediation_page", mediation_id=mediation_id, done=what), code=303)


# -- appeals (moderators) --------------------------------------------------------------------

APPEAL_FIELDS = {"decision": lazy_gettext("Decision"), "reason": lazy_gettext("Reason")}


@pages.get("/moderation/appeals")
@page
def appeals_queue() -> Any:
    by = _moderator()
    return render_template("guildkit/moderation/appeals.html", appeals=gk_instance().moderation.appeals(by))


def _show_appeal(by: str | None, appeal_id: int, form: Form | None = None, status: int = 200) -> Any:
    try:
        found = gk_instance().moderation.get_appeal(by, appeal_id)
    except UnknownAppeal:
        return _no_appeal()
    html = render_template(
        "guildkit/moderation/appeal.html",
        a=found,
        may_decide=by not in (found.user_id, found.acted_by),
        form=form or Form(APPEAL_FIELDS, limits={"reason": TEXT_MAX}),
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def _no_appeal() -> tuple[str, int]:
    return error_page(404, _("No such appeal"), _("There is no appeal with that number."))


@pages.get("/moderation/appeals/<guildkit_id:appeal_id>")
@page
def appeal_page(appeal_id: int) -> Any:
    return _show_appeal(_moderator(), appeal_id)


@pages.post("/moderation/appeals/<guildkit_id:appeal_id>/decide")
@page
def decide_appeal(appeal_id: int) -> Any:
    by = _moderator()
    csrf.check()
    form = Form.posted(APPEAL_FIELDS, limits={"reason": TEXT_MAX})
    decision, reason = form.text("decision"), form.text("reason")
    status = 422
    try:
        form.run(
            lambda: _in_words(
                lambda: gk_instance().moderation.decide_appeal(by, appeal_id, decision=decision, reason=reason)
            )
        )
    except UnknownAppeal:
        return _no_appeal()
    except errors.NotAllowed as exc:
        return error_page(403, _("Not allowed"), exc.message)
    except errors.InvalidTransition as exc:
        form.add(None, _too_late(exc))
        status = 409
    if form.invalid:
        return _show_appeal(by, appeal_id, form, status)
    return redirect(url_for(".appeal_page", appeal_id=appeal_id, done="decided"), code=303)


# -- the public log --------------------------------------------------------------------------


@pages.get("/moderation/log")
@page
def public_log() -> Any:
    """Public like the badge catalog: no sign-in check at all."""
    gk = gk_instance()
    labels = {"start": _("From"), "end": _("To")}
    form = Form(labels, {name: request.args.get(name, "") for name in labels}, limits=dict.fromkeys(labels, 32))
    asked = {name: _day(form.text(name)) for name in labels}
    for name, day in asked.items():
        if day is False:
            form.add(name, _("Use a date like 2026-01-31."))
    start, end = default_period(gk, _date_or_none(asked["start"]), _date_or_none(asked["end"]))
    months = form.run(lambda: gk.moderation.public_log(start, end))
    if months is None:
        start, end = default_period(gk, None, None)
        months = gk.moderation.public_log(start, end)
    for name, day in (("start", start), ("end", end)):
        if not form.messages(name):  # a refused date stays as typed; the others show the period shown
            form.values[name] = day.isoformat()
    html = render_template("guildkit/moderation/log.html", months=list(reversed(months)), form=form)
    return (html, 422) if form.invalid else html


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
