"""Shaping events for the JSON API and the pages: views as plain dicts, with people's names and
the links to the event's page and its ``.ics`` file."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from guildkit.events import AttendanceView, EventView, RsvpView
from guildkit.events.reading import Viewer
from guildkit.extension import GuildKit
from guildkit.web.present import names


def person(user_id: str, known: dict[str, str]) -> dict[str, str]:
    return {"user_id": user_id, "name": known[user_id]}


def _mount() -> str:
    return (request.blueprint or "guildkit").split(".")[0]


def event_page_url(event_id: int) -> str:
    return url_for(f"{_mount()}.pages.event", event_id=event_id)


def event_ics_url(event_id: int) -> str:
    return url_for(f"{_mount()}.pages.event_ics", event_id=event_id)


def rsvp_out(rsvp: RsvpView, known: dict[str, str]) -> dict[str, Any]:
    return {
        "event_id": rsvp.event_id,
        "member": person(rsvp.user_id, known),
        "status": rsvp.status,
        "position": rsvp.position,
        "updated_at": rsvp.updated_at,
    }


def attendance_out(attendance: AttendanceView, known: dict[str, str]) -> dict[str, Any]:
    return {
        "event_id": attendance.event_id,
        "member": person(attendance.user_id, known),
        "method": attendance.method,
        "checked_in_by": attendance.checked_in_by,
        "checked_in_at": attendance.checked_in_at,
        "created": attendance.created,
    }


def can_manage(viewer: Viewer, event: EventView) -> bool:
    return viewer.active and viewer.user_id is not None and (viewer.staff or viewer.user_id in event.organizers)


def event_out(gk: GuildKit, event: EventView, viewer: Viewer) -> dict[str, Any]:
    known = names(gk, event.organizers)
    mine = gk.events.rsvp_of(event.id, viewer.user_id) if viewer.user_id is not None else None
    if mine is not None:
        known.update(names(gk, [mine.user_id]))
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "online": event.online,
        "location": event.location,
        "url": event.url,
        "capacity": event.capacity,
        "visibility": event.visibility,
        "cancelled": event.cancelled,
        "cancelled_at": event.cancelled_at,
        "cancel_reason": event.cancel_reason,
        "organizers": [person(u, known) for u in event.organizers],
        "going": event.going,
        "maybe": event.maybe,
        "waitlisted": event.waitlisted,
        "spots_left": event.spots_left,
        "attended": event.attended,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        "ics_url": event_ics_url(event.id),
        "page_url": event_page_url(event.id),
        "my_rsvp": rsvp_out(mine, known) if mine is not None else None,
        "can_manage": can_manage(viewer, event),
    }
