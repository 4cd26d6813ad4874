"""Event pages, on the same ``pages`` blueprint as the community pages (``docs/events.md``).

==========================================  ================================================
``/events`` (``?past=1``)                   upcoming events (or past ones), in each event's zone
``/events/new``                             the form to create one (for those allowed)
``/events/<id>``                            the event: details, organizers, who is going, your
                                            RSVP, check-in with the code; organizers' tools
``/events/<id>/edit``                       change it, manage organizers, cancel it
``/events/<id>.ics``                        the event as an iCalendar file
``/events/mine``                            the signed-in member's events
==========================================  ================================================

Forms post to their own URLs with the CSRF token; a refused form comes back with every bad field
named at once (422, :mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Response, current_app, redirect, render_template, request, session, url_for

from guildkit import errors, i18n
from guildkit.events import EventView, when
from guildkit.events.errors import UnknownEvent
from guildkit.events.present import can_manage, event_ics_url
from guildkit.events.reading import Viewer
from guildkit.events.validation import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    REASON_MAX,
    TITLE_MAX,
    URL_MAX,
    check_event,
    zone,
)
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page
from guildkit.web.present import names

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 20
#: One freshly made check-in code per event, shown once on the event page (then forgotten).
_CODE_KEY = "_guildkit_event_codes"
LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "timezone": 64, "location": LOCATION_MAX, "url": URL_MAX,
          "organizer": 191, "reason": REASON_MAX}  # fmt: skip
EVENT_LIMITS = {"code": 32, "user_id": 191}


def visibility_labels() -> dict[str, str]:
    return {
        "public": _("Public: anyone can see it, and it is listed"),
        "members": _("Members: only signed-in members can see it"),
        "unlisted": _("Unlisted: anyone with the link, not listed"),
    }


def status_labels() -> dict[str, str]:
    return {"going": _("Going"), "maybe": _("Maybe"), "not_going": _("Not going"), "waitlisted": _("On the waitlist")}


def event_labels() -> dict[str, str]:
    """The event page's fields (its answer and check-in forms), in the order it shows them."""
    return {
        "status": _("Are you going?"),
        "code": _("Check-in code"),
        "user_id": _("Check in a member (their user id)"),
    }


def labels() -> dict[str, str]:
    """The edit page's fields, in the order it shows them."""
    return {
        "title": _("Title"), "description": _("Description"), "starts_at": _("Starts"), "ends_at": _("Ends"),
        "timezone": _("Time zone"), "online": _("Online"), "location": _("Location"), "url": _("Link"),
        "capacity": _("Places"), "visibility": _("Who can see it"), "organizer": _("Organizer"), "reason": _("Reason"),
    }  # fmt: skip


def event_page(view: View) -> View:
    """:func:`~.pages.page`, plus events' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownEvent:
            return error_page(404, _("No such event"), _("There is no event here, or it is only shown to members."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except errors.InvalidTransition as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))
        except errors.ValidationError as exc:
            return error_page(422, _("That was not accepted"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _viewer(gk: GuildKit) -> Viewer:
    viewer: Viewer = gk.events.viewer(caller().user_id)
    return viewer


def _person(title: str) -> str:
    """The signed-in member; else a 401 page titled ``title`` ("Sign in to answer")."""
    who = caller()
    if who.user_id is None:
        raise PageError(401, title, _("Events ask you to sign in first."))
    return who.user_id


pages.app_template_filter("gk_event_time")(when.event_time)
pages.app_template_filter("gk_event_clock")(when.event_clock)
pages.app_template_filter("gk_event_day")(when.event_day)


@pages.app_template_filter("gk_paragraphs")
def paragraphs(text: str) -> list[list[str]]:
    """Plain text as paragraphs of lines (the template escapes each line and joins with <br>)."""
    return [block.split("\n") for block in text.split("\n\n") if block.strip()]


def _local_input(value: datetime, timezone: str) -> str:
    return value.astimezone(zone(timezone)).strftime("%Y-%m-%dT%H:%M")


# -- lists ---------------------------------------------------------------------------------


@pages.get("/events")
@event_page
def events() -> Any:
    gk = gk_instance()
    past = request.args.get("past") == "1"
    cursor = request.args.get("cursor") or None
    try:
        found = gk.events.upcoming(caller().user_id, limit=PER_PAGE, cursor=cursor, past=past)
    except errors.ValidationError:
        raise PageError(400, _("That page does not exist"), _("The link to this page of events is broken.")) from None
    next_url = url_for(".events", past=1 if past else None, cursor=found.next_cursor) if found.next_cursor else None
    return render_template(
        "guildkit/events/list.html",
        events=found.items,
        past=past,
        next_url=next_url,
        first_url=url_for(".events", past=1 if past else None) if cursor else None,
        can_create=gk.events.can_create(caller().user_id),
    )


@pages.get("/events/mine")
@event_page
def my_events() -> Any:
    gk = gk_instance()
    user_id = _person(_("Sign in to see your events"))
    return render_template("guildkit/events/mine.html", mine=gk.events.of_member(user_id))


# -- one event -----------------------------------------------------------------------------


def _render_event(gk: GuildKit, event_id: int, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    viewer = _viewer(gk)
    event = gk.events.get(event_id, viewer.user_id)
    attendees = gk.events.attendees(event.id, viewer.user_id)
    people = list(event.organizers) + [r.user_id for r in attendees.going + (attendees.waitlist or ())]
    checked_in = {a.user_id for a in attendees.checked_in or ()}
    mine = gk.events.rsvp_of(event.id, viewer.user_id) if viewer.user_id else None
    codes = session.get(_CODE_KEY) or {}
    fresh_code = codes.pop(str(event.id), None) if isinstance(codes, dict) else None
    if fresh_code is not None:
        session[_CODE_KEY] = codes
    opens, closes = gk.events.checkin_window(event)
    html = render_template(
        "guildkit/events/event.html",
        event=event,
        names=names(gk, people + [u for a in attendees.checked_in or () for u in (a.user_id, a.checked_in_by) if u]),
        attendees=attendees,
        checked_in=checked_in,
        mine=mine,
        attended=gk.events.attendance_of(event.id, viewer.user_id) if viewer.user_id else None,
        manage=can_manage(viewer, event),
        signed_in=viewer.signed_in,
        now=gk.clock(),
        over=event.is_over(gk.clock()),
        checkin_open=gk.events.checkin_open(event),
        opens=opens,
        closes=closes,
        fresh_code=fresh_code,
        ics_url=event_ics_url(event.id),
        status_labels=status_labels(),
        form=form or Form(event_labels(), limits=EVENT_LIMITS),
        done=request.args.get("done"),
    )
    return html, status


@pages.get("/events/<guildkit_id:event_id>")
@event_page
def event(event_id: int) -> Any:
    return _render_event(gk_instance(), event_id)


@pages.get("/events/<guildkit_id:event_id>.ics")
@event_page
def event_ics(event_id: int) -> Any:
    gk = gk_instance()
    text = gk.events.ics(
        event_id, caller().user_id, host=request.host, page_url=url_for(".event", event_id=event_id, _external=True)
    )
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event_id}.ics"'
    return response


def _back(event_id: int, done: str, anchor: str = "") -> Any:
    return redirect(url_for(".event", event_id=event_id, done=done) + anchor, code=303)


@pages.post("/events/<guildkit_id:event_id>/rsvp")
@event_page
def event_rsvp(event_id: int) -> Any:
    csrf.check()
    gk = gk_instance()
    user_id = _person(_("Sign in to answer"))
    form = Form.posted(event_labels(), limits=EVENT_LIMITS)
    try:
        gk.events.rsvp(event_id, user_id, form.text("status"))
    except errors.ValidationError as exc:
        form.add("status", _sentence(exc.message))
        return _render_event(gk, event_id, form, 422)
    return _back(event_id, "rsvp", "#gk-rsvp")


@pages.post("/events/<guildkit_id:event_id>/check-in")
@event_page
def event_check_in(event_id: int) -> Any:
    """A member checking themself in with the code, or an organizer checking in ``user_id``."""
    csrf.check()
    gk = gk_instance()
    user_id = _person(_("Sign in to check in"))
    form = Form.posted(event_labels(), limits=EVENT_LIMITS)
    other, code = form.text("user_id").strip(), form.text("code").strip()
    try:
        if other:
            gk.events.check_in(event_id, other, by=user_id)
        else:
            gk.events.check_in(event_id, user_id, code=code or None)
    except errors.ValidationError as exc:
        form.add("user_id" if other else "code", _sentence(exc.message))
        return _render_event(gk, event_id, form, 422)
    return _back(event_id, "checked-in-other" if other else "checked-in", "#gk-checkin")


@pages.post("/events/<guildkit_id:event_id>/check-in-code")
@event_page
def event_checkin_code(event_id: int) -> Any:
    csrf.check()
    gk = gk_instance()
    code = gk.events.new_checkin_code(event_id, _person(_("Sign in to make a check-in code")))
    codes = session.get(_CODE_KEY)
    session[_CODE_KEY] = {**(codes if isinstance(codes, dict) else {}), str(event_id): code}
    return _back(event_id, "code", "#gk-organizer")


# -- create, edit, cancel ------------------------------------------------------------------


def _form_values(event: EventView | None) -> dict[str, Any]:
    if event is None:
        return {"timezone": current_app.config["GUILDKIT_TIMEZONE"], "online": False, "visibility": "public"}
    return {
        "title": event.title,
        "description": event.description,
        "starts_at": _local_input(event.starts_at, event.timezone),
        "ends_at": _local_input(event.ends_at, event.timezone),
        "timezone": event.timezone,
        "online": event.online,
        "location": event.location,
        "url": event.url or "",
        "capacity": "" if event.capacity is None else str(event.capacity),
        "visibility": event.visibility,
    }


def _form(values: dict[str, Any] | None = None) -> Form:
    """The edit page's forms (the event's fields, an organizer to add, a reason to cancel)."""
    return Form(labels(), values, limits=LIMITS, aliases={"user_id": "organizer"})


def _fields(form: Form) -> dict[str, Any]:
    """The service's fields from what was typed (local times in the chosen zone). A field that
    cannot be read is refused on the form and given as ``None``."""
    timezone = form.text("timezone").strip()
    local = zone(timezone)  # UTC while the name is unknown: the service then refuses the name
    return {
        "title": form.text("title"),
        "description": form.text("description"),
        "starts_at": form.moment("starts_at", local),
        "ends_at": form.moment("ends_at", local),
        "timezone": timezone,
        "online": bool(form.values["online"]),
        "location": form.text("location"),
        "url": form.text("url").strip() or None,
        "capacity": form.whole_number(
            "capacity",
            low=1,
            high=CAPACITY_MAX,
            message=_(
                "%(field)s must be a whole number from 1 to %(most)s",
                field=form.label("capacity"),
                most=i18n.format_number(CAPACITY_MAX),
            ),
        ),
        "visibility": form.text("visibility"),
    }


def _render_form(gk: GuildKit, event: EventView | None, form: Form, status: int = 200) -> tuple[str, int]:
    organizers = names(gk, event.organizers) if event is not None else {}
    html = render_template(
        "guildkit/events/form.html",
        event=event,
        form=form,
        visibilities=visibility_labels(),
        organizers=organizers,
        done=request.args.get("done"),
    )
    return html, status


def _submit(gk: GuildKit, event: EventView | None, save: Callable[[dict[str, Any]], EventView]) -> Any:
    form = Form.posted(labels(), checkboxes=("online",), limits=LIMITS)
    fields = _fields(form)
    saved = form.submit(lambda: save(fields), check=lambda: check_event(fields))
    if saved is None:
        return _render_form(gk, event, form, status=422)
    return redirect(url_for(".event", event_id=saved.id, done="saved"), code=303)


@pages.route("/events/new", methods=["GET", "POST"])
@event_page
def new_event() -> Any:
    gk = gk_instance()
    user_id = _person(_("Sign in to create an event"))
    if not gk.events.can_create(user_id):
        raise errors.NotAllowed(_("you may not create events in this community"))
    if request.method == "GET":
        return _render_form(gk, None, _form(_form_values(None)))
    csrf.check()
    return _submit(gk, None, lambda fields: gk.events.create(user_id, **fields))


@pages.route("/events/<guildkit_id:event_id>/edit", methods=["GET", "POST"])
@event_page
def edit_event(event_id: int) -> Any:
    gk = gk_instance()
    user_id = _person(_("Sign in to change an event"))
    current = gk.events.get(event_id, user_id)
    if not can_manage(_viewer(gk), current):
        raise errors.NotAllowed(_("only the event's organizers and moderators may change it"))
    if request.method == "GET":
        return _render_form(gk, current, _form(_form_values(current)))
    csrf.check()
    return _submit(gk, current, lambda fields: gk.events.update(event_id, user_id, **fields))


@pages.post("/events/<guildkit_id:event_id>/cancel")
@event_page
def cancel_event(event_id: int) -> Any:
    csrf.check()
    gk = gk_instance()
    user_id = _person(_("Sign in to cancel an event"))
    reason = request.form.get("reason", "")
    try:
        gk.events.cancel(event_id, user_id, reason)
    except errors.ValidationError as exc:
        current = gk.events.get(event_id, user_id)
        form = _form({**_form_values(current), "reason": reason})
        form.add_error(exc)
        return _render_form(gk, current, form, status=422)
    return _back(event_id, "cancelled")


@pages.post("/events/<guildkit_id:event_id>/organizers")
@event_page
def event_add_organizer(event_id: int) -> Any:
    csrf.check()
    return _organizers(event_id, add=True)


@pages.post("/events/<guildkit_id:event_id>/organizers/remove")
@event_page
def event_remove_organizer(event_id: int) -> Any:
    csrf.check()
    return _organizers(event_id, add=False)


def _organizers(event_id: int, *, add: bool) -> Any:
    gk = gk_instance()
    user_id = _person(_("Sign in to manage organizers"))
    other = (request.form.get("user_id") or "").strip()
    try:
        if not other:
            raise errors.ValidationError(_("enter the member's user id"), field="organizer")
        if add:
            gk.events.add_organizer(event_id, user_id, other)
        else:
            gk.events.remove_organizer(event_id, user_id, other)
    except errors.ValidationError as exc:
        current = gk.events.get(event_id, user_id)
        form = _form({**_form_values(current), "organizer": other})
        form.add_error(exc)
        return _render_form(gk, current, form, status=422)
    target = url_for(".edit_event", event_id=event_id, done="organizers") + "#gk-organizers"
    return redirect(target, code=303)
