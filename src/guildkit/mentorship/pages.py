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
(``?done=<action>``). Invalid input re-renders the page with the message naming the field (422;
the profile and request forms name every bad field at once, :mod:`guildkit.web.forms`); a move
the state does not allow, or a full mentor, answers 409 the same way.
"""

from __future__ import annotations

import functools
from datetime import date
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
          "pitch": checks.MAX_PITCH, "goals": checks.MAX_TEXT, "language": 35, "message": checks.MAX_TEXT}  # fmt: skip


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


def field_labels() -> dict[str, str]:
    """The fields of the one-message forms (actions, check-ins, the search)."""
    return {
        "on": _("Date"),
        "timezone": _("Time zone"),
        "goals": _("Goals"),
        "notes": _("Notes"),
        "reason": _("Reason"),
    }


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


class FormError(Exception):
    """A form that could not go through: re-render the page with ``error`` and ``status``."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


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


def form_error(exc: errors.GuildKitError) -> FormError:
    if isinstance(exc, errors.ValidationError):
        label = field_labels().get(exc.field or "", (exc.field or "").replace("_", " ").capitalize())
        message = _("%(field)s: %(message)s", field=label, message=exc.message) if label else exc.message
        return FormError(422, message, exc.field)
    if isinstance(exc, errors.InvalidTransition | errors.CapacityReached):
        return FormError(409, exc.message)
    raise exc


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
    form = {name: (request.args.get(name) or "").strip()[:1000] for name in ("topics", "language", "timezone")}
    status, error = 200, None
    suggestions: list[Any] = []
    try:
        suggestions = service.suggest(
            caller().user_id,
            topics=checks.split_topics(form["topics"]),
            language=form["language"] or None,
            timezone=form["timezone"] or None,
            limit=20,
        )
    except errors.ValidationError as exc:
        problem = form_error(exc)
        status, error = problem.status, problem
    html = render_template("guildkit/mentorship/find.html", **context(form=form, suggestions=suggestions, error=error))
    return html, status


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


def _inbox(*, error: FormError | None = None) -> Any:
    who = signed_in(_("Sign in to see your requests"))
    service = gk_instance().mentorship
    html = render_template(
        "guildkit/mentorship/inbox.html", **context(requests=service.inbox(str(who.user_id)), error=error)
    )
    return html, error.status if error else 200


@pages.get("/mentorships/inbox")
@mentorship_page
def mentorship_inbox() -> Any:
    return _inbox()


# -- one mentorship ------------------------------------------------------------------------


def _mentorship(mentorship_id: int, *, error: FormError | None = None) -> Any:
    who = signed_in(_("Sign in to see this mentorship"))
    service = gk_instance().mentorship
    found: MentorshipView = service.get(mentorship_id, who.user_id)
    role = found.role_of(who.user_id)
    given = service.feedback_for(found.id, who.user_id)
    html = render_template(
        "guildkit/mentorship/mentorship.html",
        **context(
            m=found,
            role=role,
            moderator=role is None,
            check_ins=service.check_ins(found.id, who.user_id, limit=200),
            feedback=given,
            gave_feedback=any(f.author == who.user_id for f in given),
            today=gk_instance().clock().astimezone(gk_instance().state.zone).date(),
            error=error,
        ),
    )
    return html, error.status if error else 200


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
    try:
        _act(mentorship_id, str(who.user_id), action, request.form)
    except (errors.ValidationError, errors.InvalidTransition, errors.CapacityReached) as exc:
        problem = form_error(exc)
        return _inbox(error=problem) if back_to_inbox else _mentorship(mentorship_id, error=problem)
    if back_to_inbox:
        return redirect(url_for(".mentorship_inbox", done=action), code=303)
    return redirect(url_for(".mentorship", mentorship_id=mentorship_id, done=action), code=303)


def _act(mentorship_id: int, by: str, action: str, form: Any) -> None:
    service = gk_instance().mentorship
    if action in ("accept", "withdraw", "start", "complete"):
        getattr(service, action)(mentorship_id, by)
    elif action in ("decline", "end"):
        getattr(service, action)(mentorship_id, by, form.get("reason", ""))
    elif action == "check-in":
        service.check_in(mentorship_id, by, on=_date(form.get("on", "")), notes=form.get("notes", ""))
    else:
        try:
            rating = int(form.get("rating", ""))
        except ValueError:
            rating = 0
        service.feedback(mentorship_id, by, rating=rating, comment=form.get("comment", ""))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise errors.ValidationError(_("give the date as YYYY-MM-DD"), field="on") from None
