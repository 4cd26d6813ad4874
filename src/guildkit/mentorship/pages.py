"""Mentorship pages, on the same ``pages`` blueprint as the community pages (no JavaScript needed).

===================================  ========================  =============================================
URL (under the mount)                endpoint                  what
===================================  ========================  =============================================
``/mentors``                         ``find_mentor``           "Find a mentor": topics, language, time zone →
                                                               ranked suggestions with their reasons
``/mentors/<user_id>``               ``mentor``                a mentor's profile and the request form; for
                                                               its owner, the form to offer / update / opt out
``/mentorships``                     ``my_mentorships``        the signed-in member's mentorships, both sides
``/mentorships/inbox``               ``mentorship_inbox``      requests waiting for the mentor: accept, decline
``/mentorships/<id>``                ``mentorship``            one mentorship (its pair and moderators):
                                                               actions, check-ins, feedback
===================================  ========================  =============================================

Every form POSTs with the CSRF token, then redirects (303) to a page that says what was done
(``?done=<action>``). Invalid input re-renders the page naming every bad field at once
(:mod:`guildkit.web.forms`: 422, what was typed kept); a move the state does not allow, or a full
mentor, answers 409 the same way.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.i18n import gettext as _
from guildkit.mentorship import MentorCandidate, MentorshipView, checks
from guildkit.mentorship.errors import UnknownMentor, UnknownMentorship
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.auth import Caller
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, View, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

ACTIONS = ("accept", "decline", "withdraw", "start", "complete", "end", "check-in", "feedback")
#: How much of what was typed is shown back (the service's limits; lists of topics and languages as typed).
LIMITS = {"topics": 1200, "languages": 250, "timezone": 64, "availability": checks.MAX_AVAILABILITY,
          "pitch": checks.MAX_PITCH, "goals": checks.MAX_TEXT, "language": 35, "message": checks.MAX_TEXT,
          "reason": checks.MAX_TEXT, "notes": checks.MAX_NOTES, "comment": checks.MAX_TEXT}  # fmt: skip


def done_messages() -> dict[str, str]:
    """What the page says after each action (``?done=<action>``)."""
    return {
        "requested": _("Your request was sent. You will hear when the mentor answers."),
        "saved": _("Your mentor profile was saved."),
        "accept": _("You accepted the request."),
        "decline": _("You declined the request."),
        "withdraw": _("You withdrew your request."),
        "start": _("The mentorship has started."),
        "complete": _("You confirmed the mentorship is complete."),
        "end": _("The mentorship has ended."),
        "check-in": _("Your check-in was added."),
        "feedback": _("Thank you for your feedback."),
    }


def state_labels() -> dict[str, str]:
    return {
        "requested": _("Requested"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "expired": _("Expired"),
        "withdrawn": _("Withdrawn"),
        "active": _("Active"),
        "completed": _("Completed"),
        "ended": _("Ended early"),
    }


def find_labels() -> dict[str, str]:
    """The search for a mentor, in the order the page shows its fields."""
    return {"topics": _("Topics (separate with commas)"), "language": _("Language code"),
            "timezone": _("Your time zone")}  # fmt: skip


def action_labels(action: str) -> dict[str, str]:
    """The fields of one action's form on a mentorship's page (none for a button alone)."""
    return {
        "decline": {"reason": _("Reason for declining")},
        "end": {"reason": _("Reason for ending early")},
        "check-in": {"on": _("Meeting date"), "notes": _("Notes")},
        "feedback": {"rating": _("How was it?"), "comment": _("Comment")},
    }.get(action, {})


def profile_labels() -> dict[str, str]:
    """The mentor profile form, in the order the page shows its fields."""
    return {
        "topics": _("Topics"), "languages": _("Languages"), "timezone": _("Time zone"),
        "availability": _("Availability"), "capacity": _("Mentees at once"), "pitch": _("Pitch"),
        "open": _("Open to new mentees"),
    }  # fmt: skip


def request_labels() -> dict[str, str]:
    """The request form, in the order the page shows its fields."""
    return {"goals": _("Your goals"), "topics": _("Topics"), "language": _("Language"), "timezone": _("Time zone"),
            "message": _("Message")}  # fmt: skip


def mentorship_page(view: View) -> View:
    """:func:`pages.page`, plus mentorship's own not-found and not-allowed errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownMentor:
            return error_page(404, _("No such mentor"), _("This member does not offer mentoring."))
        except UnknownMentorship:
            return error_page(404, _("No such mentorship"), _("There is no mentorship with that number."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), exc.message)

    return page(run)


def signed_in(title: str) -> Caller:
    """The signed-in member; else a 401 page titled ``title`` ("Sign in to see your mentorships")."""
    who = caller()
    if not who.is_person:
        raise PageError(401, title, _("Mentorships are only shown to the people in them."))
    return who


def context(**values: Any) -> dict[str, Any]:
    """What every mentorship template gets besides its own values."""
    service = gk_instance().mentorship
    return {
        "states": state_labels(),
        "roles": {"mentor": _("mentor"), "mentee": _("mentee")},
        "name_of": service.name,
        "done": done_messages().get(request.args.get("done", "")),
        **values,
    }


# -- find a mentor -------------------------------------------------------------------------


@pages.get("/mentors")
@mentorship_page
def find_mentor() -> Any:
    service = gk_instance().mentorship
    form = Form(find_labels(), {name: request.args.get(name, "") for name in ("topics", "language", "timezone")},
                limits=LIMITS)  # fmt: skip
    suggestions = form.run(
        lambda: service.suggest(
            caller().user_id,
            topics=checks.split_topics(form.text("topics")),
            language=form.text("language").strip() or None,
            timezone=form.text("timezone").strip() or None,
            limit=20,
        )
    )
    html = render_template("guildkit/mentorship/find.html", **context(form=form, suggestions=suggestions or []))
    return html, 422 if form.invalid else 200


# -- a mentor's profile --------------------------------------------------------------------


def _mentor(user_id: str, form: Form | None = None, status: int = 200) -> Any:
    service = gk_instance().mentorship
    who = caller()
    owner = who.is_self(user_id)
    try:
        profile = service.profile(user_id)
    except UnknownMentor:
        if not owner:
            raise
        profile = None
    if profile is not None and not profile.open and not owner:
        raise UnknownMentor(user_id)
    if form is None:
        form = Form(profile_labels(), owner_form(profile), limits=LIMITS, scope="p-") if owner else _request_form()
    open_mentorship = None
    if who.is_person and not owner:
        mine = service.mentorships_of(str(who.user_id), "mentee", ("requested", "accepted", "active"))
        open_mentorship = next((m for m in mine if m.mentor == user_id), None)
    html = render_template(
        "guildkit/mentorship/mentor.html",
        **context(
            user_id=user_id,
            mentor_name=service.name(user_id),
            profile=profile,
            owner=owner,
            gaps=service.eligibility_gaps(user_id) if owner else [],
            open_mentorship=open_mentorship,
            form=form,
        ),
    )
    return html, status


def _request_form(posted: bool = False) -> Form:
    if posted:
        return Form.posted(request_labels(), limits=LIMITS, scope="r-")
    return Form(request_labels(), limits=LIMITS, scope="r-")


def owner_form(profile: MentorCandidate | None) -> dict[str, Any]:
    """The offer form, filled in from the stored profile (or blank, open, for one mentee)."""
    if profile is None:
        return {"capacity": "1", "open": True}
    return {
        "topics": ", ".join(profile.topics),
        "languages": ", ".join(profile.languages),
        "timezone": profile.timezone,
        "availability": profile.availability,
        "capacity": str(profile.capacity),
        "pitch": profile.pitch,
        "open": profile.open,
    }


@pages.get("/mentors/<user_id>")
@mentorship_page
def mentor(user_id: str) -> Any:
    return _mentor(user_id)


@pages.post("/mentors/<user_id>")
@mentorship_page
def save_mentor(user_id: str) -> Any:
    csrf.check()
    who = signed_in(_("Sign in to see your mentor profile"))
    if not who.is_self(user_id):
        raise errors.NotAllowed(_("only the member themself may change their mentor profile"))
    service = gk_instance().mentorship
    form = Form.posted(profile_labels(), checkboxes=("open",), limits=LIMITS, scope="p-")
    fields = {
        "topics": checks.split_topics(form.text("topics")),
        "languages": checks.split_topics(form.text("languages")),
        "timezone": form.text("timezone").strip(),
        "availability": form.text("availability"),
        "capacity": form.whole_number(
            "capacity", low=1, message=_("%(field)s must be a whole number from 1", field=form.label("capacity"))
        ),
        "pitch": form.text("pitch"),
        "open": bool(form.values["open"]),
    }
    if form.submit(lambda: service.offer(user_id, **fields), check=lambda: service.check_offer(**fields)) is None:
        return _mentor(user_id, form, 422)
    return redirect(url_for(".mentor", user_id=user_id, done="saved"), code=303)


@pages.post("/mentors/<user_id>/request")
@mentorship_page
def request_mentor(user_id: str) -> Any:
    csrf.check()
    who = signed_in(_("Sign in to see mentorships"))
    form = _request_form(posted=True)
    try:
        made = form.submit(
            lambda: gk_instance().mentorship.request(
                str(who.user_id),
                user_id,
                goals=form.text("goals"),
                topics=checks.split_topics(form.text("topics")),
                language=form.text("language").strip() or None,
                timezone=form.text("timezone").strip() or None,
                message=form.text("message"),
            )
        )
    except (errors.InvalidTransition, errors.CapacityReached) as exc:
        form.add(None, exc.message)
        return _mentor(user_id, form, 409)
    if made is None:
        return _mentor(user_id, form, 422)
    return redirect(url_for(".mentorship", mentorship_id=made.id, done="requested"), code=303)


# -- my mentorships and the inbox ----------------------------------------------------------


@pages.get("/mentorships")
@mentorship_page
def my_mentorships() -> Any:
    who = signed_in(_("Sign in to see your mentorships"))
    service = gk_instance().mentorship
    user = str(who.user_id)
    return render_template(
        "guildkit/mentorship/mine.html",
        **context(
            as_mentee=service.mentorships_of(user, "mentee", limit=100),
            as_mentor=service.mentorships_of(user, "mentor", limit=100),
            waiting=len(service.inbox(user)),
        ),
    )


def action_form(action: str, scope: str, values: dict[str, Any] | None = None) -> Form:
    """One action's form on a page: as posted (``values`` None in a POST) or blank / ``values``."""
    if values is None and request.method == "POST":
        return Form.posted(action_labels(action), limits=LIMITS, scope=scope)
    return Form(action_labels(action), values, limits=LIMITS, scope=scope)


def _inbox(posted: Form | None = None, posted_id: int | None = None, status: int = 200) -> Any:
    who = signed_in(_("Sign in to see your requests"))
    requests = gk_instance().mentorship.inbox(str(who.user_id))
    declines = {m.id: action_form("decline", f"decline-{m.id}-", {}) for m in requests}
    if posted is not None and posted_id in declines and posted.labels:
        declines[posted_id] = posted
    html = render_template(
        "guildkit/mentorship/inbox.html", **context(requests=requests, declines=declines, form=posted)
    )
    return html, status


@pages.get("/mentorships/inbox")
@mentorship_page
def mentorship_inbox() -> Any:
    return _inbox()


# -- one mentorship ------------------------------------------------------------------------


def _mentorship(mentorship_id: int, posted: Form | None = None, action: str = "", status: int = 200) -> Any:
    who = signed_in(_("Sign in to see this mentorship"))
    service = gk_instance().mentorship
    found: MentorshipView = service.get(mentorship_id, who.user_id)
    role = found.role_of(who.user_id)
    given = service.feedback_for(found.id, who.user_id)
    today = gk_instance().clock().astimezone(gk_instance().state.zone).date()
    forms = {name: action_form(name, f"{name}-", {"on": today.isoformat()} if name == "check-in" else {})
             for name in ("decline", "end", "check-in", "feedback")}  # fmt: skip
    if posted is not None and action in forms:
        forms[action] = posted
    html = render_template(
        "guildkit/mentorship/mentorship.html",
        **context(
            m=found,
            role=role,
            moderator=role is None,
            check_ins=service.check_ins(found.id, who.user_id, limit=200),
            feedback=given,
            gave_feedback=any(f.author == who.user_id for f in given),
            today=today,
            forms_of=forms,
            form=posted,
        ),
    )
    return html, status


@pages.get("/mentorships/<guildkit_id:mentorship_id>")
@mentorship_page
def mentorship(mentorship_id: int) -> Any:
    return _mentorship(mentorship_id)


@pages.post("/mentorships/<guildkit_id:mentorship_id>/<action>")
@mentorship_page
def mentorship_action(mentorship_id: int, action: str) -> Any:
    if action not in ACTIONS:
        raise PageError(404, _("That page does not exist"), _("There is no such mentorship action."))
    csrf.check()
    who = signed_in(_("Sign in to see this mentorship"))
    back_to_inbox = request.form.get("next") == "inbox"
    form = action_form(action, f"{action}-{mentorship_id}-" if back_to_inbox else f"{action}-")
    status = 422
    try:
        done = _act(form, mentorship_id, str(who.user_id), action)
    except (errors.InvalidTransition, errors.CapacityReached) as exc:
        form.add(None, exc.message)
        done, status = None, 409
    if done is None:
        if back_to_inbox:
            return _inbox(form, mentorship_id, status)
        return _mentorship(mentorship_id, form, action, status)
    if back_to_inbox:
        return redirect(url_for(".mentorship_inbox", done=action), code=303)
    return redirect(url_for(".mentorship", mentorship_id=mentorship_id, done=action), code=303)


def _act(form: Form, mentorship_id: int, by: str, action: str) -> object | None:
    """Do ``action`` with what ``form`` holds; ``None`` when a field was refused (on the form)."""
    service = gk_instance().mentorship
    if action in ("accept", "withdraw", "start", "complete"):
        return form.submit(lambda: getattr(service, action)(mentorship_id, by))
    if action in ("decline", "end"):
        return form.submit(lambda: getattr(service, action)(mentorship_id, by, form.text("reason")))
    if action == "check-in":
        on, notes = form.day("on"), form.text("notes")
        return form.submit(
            lambda: service.check_in(mentorship_id, by, on=on, notes=notes),
            check=lambda: service.check_check_in(on=on, notes=notes),  # "on" keeps its own message
        )
    rating, comment = form.whole_number("rating", low=1, high=5, required=True), form.text("comment")
    return form.submit(
        lambda: service.feedback(mentorship_id, by, rating=rating, comment=comment),
        check=lambda: service.check_feedback(rating=rating, comment=comment),
    )
