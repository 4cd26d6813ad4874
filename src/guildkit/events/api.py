"""The events API, on the same ``api`` blueprint (``…/api/events``); see ``docs/events.md``.

=======================================================  ======================================
``GET /events`` (``?past=true``), ``GET /events/{id}``,   anyone (members-only events: signed-in
``GET /events/{id}/attendees``                            members; unlisted ones are not listed)
``POST /events``                                          active members (and the permission in
                                                          ``GUILDKIT_EVENT_CREATE_PERMISSION``)
``PUT /events/{id}/rsvp``, ``POST /events/{id}/check-in``  signed-in members
(with the code), ``GET /me/events``
``PATCH /events/{id}``, ``POST …/cancel``,                the event's organizers, and staff
``POST …/check-in-code``, ``POST …/check-in`` (someone    (``members.manage``)
else), ``POST|DELETE …/organizers``
=======================================================  ======================================

The ``.ics`` file is a page, not JSON: each event's ``ics_url`` (``…/events/{id}.ics``).
"""

from __future__ import annotations

from typing import Any

from guildkit.events import EventView
from guildkit.events.present import attendance_out, event_out, rsvp_out
from guildkit.events.schemas import (
    EventAttendanceSchema,
    EventAttendeesSchema,
    EventCancelBody,
    EventCheckInBody,
    EventCheckinCodeSchema,
    EventIn,
    EventOrganizerBody,
    EventPatch,
    EventQuery,
    EventRsvpBody,
    EventRsvpSchema,
    EventSchema,
    MyEventsSchema,
)
from guildkit.extension import GuildKit
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person
from guildkit.web.pagination import Page, decode_cursor
from guildkit.web.present import names

api = Routes("api")

TAGS = ("events",)
#: What a write to an event can answer besides success.
WRITE_ERRORS = (401, 403, 404, 409, 422)


def _who(caller: Caller) -> str:
    """The signed-in caller's user id (views declared ``allow=person`` always have one)."""
    assert caller.user_id is not None
    return caller.user_id


def organizer(caller: Caller, path: dict[str, Any]) -> bool:
    """the event's organizers, and staff"""
    if not person(caller, path):
        return False
    gk = gk_instance()
    gk.events.get(path["event_id"], caller.user_id)  # an event they cannot see stays a 404
    return bool(gk.events.can_manage(path["event_id"], caller.user_id))


def _out(gk: GuildKit, caller: Caller, event: EventView) -> dict[str, Any]:
    return event_out(gk, event, gk.events.viewer(caller.user_id))


@api.get("/events")
@endpoint(
    summary="Upcoming events, soonest first (past=true: those over, latest first)",
    query=EventQuery,
    response=EventSchema,
    paginated=True,
    tags=TAGS,
)
def list_events(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    gk = gk_instance()
    decode_cursor(query["cursor"], 2)
    found = gk.events.upcoming(caller.user_id, limit=query["limit"], cursor=query["cursor"], past=query["past"])
    viewer = gk.events.viewer(caller.user_id)
    return Page([event_out(gk, e, viewer) for e in found.items], found.next_cursor)


@api.post("/events")
@endpoint(
    summary="Create an event; the caller is its first organizer",
    body=EventIn,
    response=EventSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 422),
)
def create_event(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.create(_who(caller), **body))


@api.get("/events/<guildkit_id:event_id>")
@endpoint(summary="An event, with the caller's RSVP", response=EventSchema, tags=TAGS, errors=(404,))
def get_event(caller: Caller, event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.get(event_id, caller.user_id))


@api.patch("/events/<guildkit_id:event_id>")
@endpoint(
    summary="Change an event (organizers and staff); raising the capacity lets waiting members in",
    body=EventPatch,
    response=EventSchema,
    allow=organizer,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def update_event(caller: Caller, body: dict[str, Any], event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.update(event_id, _who(caller), **body))


@api.post("/events/<guildkit_id:event_id>/cancel")
@endpoint(
    summary="Cancel an event, with a reason (organizers and staff)",
    body=EventCancelBody,
    response=EventSchema,
    allow=organizer,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def cancel_event(caller: Caller, body: dict[str, Any], event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.cancel(event_id, _who(caller), body["reason"]))


@api.put("/events/<guildkit_id:event_id>/rsvp")
@endpoint(
    summary="Answer going, maybe or not_going; going to a full event joins the waitlist",
    body=EventRsvpBody,
    response=EventRsvpSchema,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def rsvp_event(caller: Caller, body: dict[str, Any], event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    answer = gk.events.rsvp(event_id, _who(caller), body["status"])
    return rsvp_out(answer, names(gk, [answer.user_id]))


@api.get("/events/<guildkit_id:event_id>/attendees")
@endpoint(
    summary="Who is going; the waitlist and check-ins for organizers and staff",
    response=EventAttendeesSchema,
    tags=TAGS,
    errors=(404,),
)
def event_attendees(caller: Caller, event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    found = gk.events.attendees(event_id, caller.user_id)
    people = [r.user_id for r in found.going + (found.waitlist or ())]
    people += [a.user_id for a in found.checked_in or ()]
    known = names(gk, people)
    return {
        "going": [rsvp_out(r, known) for r in found.going],
        "maybe": found.maybe,
        "waitlisted": found.waitlisted,
        "waitlist": None if found.waitlist is None else [rsvp_out(r, known) for r in found.waitlist],
        "checked_in": None if found.checked_in is None else [attendance_out(a, known) for a in found.checked_in],
    }


@api.post("/events/<guildkit_id:event_id>/check-in")
@endpoint(
    summary="Check in: yourself with the event's code, or (organizers) the member named by user_id",
    body=EventCheckInBody,
    response=EventAttendanceSchema,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def check_in(caller: Caller, body: dict[str, Any], event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    attendee = body["user_id"] or _who(caller)
    by = caller.user_id if body["user_id"] is not None else None
    done = gk.events.check_in(event_id, attendee, code=body["code"], by=by)
    return attendance_out(done, names(gk, [done.user_id]))


@api.post("/events/<guildkit_id:event_id>/check-in-code")
@endpoint(
    summary="Make a new check-in code (organizers and staff); shown once, the old one stops working",
    response=EventCheckinCodeSchema,
    status=201,
    allow=organizer,
    tags=TAGS,
    errors=(401, 403, 404, 409),
)
def new_checkin_code(caller: Caller, event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    code = gk.events.new_checkin_code(event_id, _who(caller))
    opens, closes = gk.events.checkin_window(gk.events.get(event_id, caller.user_id))
    return {"code": code, "opens_at": opens, "closes_at": closes}


@api.post("/events/<guildkit_id:event_id>/organizers")
@endpoint(
    summary="Add an organizer (organizers and staff)",
    body=EventOrganizerBody,
    response=EventSchema,
    allow=organizer,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def add_organizer(caller: Caller, body: dict[str, Any], event_id: int) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.add_organizer(event_id, _who(caller), body["user_id"]))


@api.delete("/events/<guildkit_id:event_id>/organizers/<user_id>")
@endpoint(
    summary="Remove an organizer (never the last one)",
    response=EventSchema,
    allow=organizer,
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def remove_organizer(caller: Caller, event_id: int, user_id: str) -> dict[str, Any]:
    gk = gk_instance()
    return _out(gk, caller, gk.events.remove_organizer(event_id, _who(caller), user_id))


@api.get("/me/events")
@endpoint(
    summary="The caller's events: organizing, going, maybe, waitlisted, attended",
    response=MyEventsSchema,
    allow=person,
    tags=TAGS,
    errors=(401, 403),
)
def my_events(caller: Caller) -> dict[str, Any]:
    gk = gk_instance()
    mine = gk.events.of_member(_who(caller))
    viewer = gk.events.viewer(caller.user_id)
    return {
        group: [event_out(gk, e, viewer) for e in getattr(mine, group)]
        for group in ("organizing", "going", "maybe", "waitlisted", "attended")
    }
