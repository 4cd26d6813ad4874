"""marshmallow schemas of the events API (:mod:`.events_api`): requests, responses, OpenAPI components.

The schemas check shapes and sizes; the events' own rules (:mod:`.validation`) check meaning (an
end after the start, a known time zone, an http(s) link). A body the schema refuses is also put
to those rules for the fields it accepted, so a client hears about every bad field at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate

from guildkit.events.models import EVENT_VISIBILITIES, RSVP_STATUSES
from guildkit.events.validation import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    REASON_MAX,
    TITLE_MAX,
    URL_MAX,
    problems,
)
from guildkit.web.schemas import PageQuery

ANSWERS = ("going", "maybe", "not_going")


class EventQuery(PageQuery):
    past = fields.Boolean(load_default=False, metadata={"description": "events that are over, latest first"})


class EventPatch(Schema):
    """Every field optional: only those sent change."""

    #: What the service assumes for a field not sent (a new event's defaults; a change keeps the rest).
    defaults: ClassVar[dict[str, Any]] = {}

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        """Add what the events' rules say of the fields the schema accepted (a body with a title
        too long and an unknown time zone hears about both), then refuse."""
        if many or not isinstance(error.messages, dict) or not isinstance(error.valid_data, dict):
            return
        refused = error.messages
        sent = {name: value for name, value in self.defaults.items() if name not in refused} | error.valid_data
        more = {name: found for name, found in problems(sent).items() if name not in refused}
        if more:
            raise ValidationError({**refused, **more}, data=data, valid_data=error.valid_data)

    title = fields.String(validate=validate.Length(1, TITLE_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    starts_at = fields.AwareDateTime(metadata={"description": "with its offset; stored in UTC"})
    ends_at = fields.AwareDateTime()
    timezone = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "IANA name the pages show times in, e.g. Europe/Paris"},
    )
    online = fields.Boolean()
    location = fields.String(validate=validate.Length(max=LOCATION_MAX))
    url = fields.String(allow_none=True, validate=validate.Length(max=URL_MAX), metadata={"description": "http(s)"})
    capacity = fields.Integer(
        allow_none=True, validate=validate.Range(1, CAPACITY_MAX), metadata={"description": "null: no limit"}
    )
    visibility = fields.String(validate=validate.OneOf(EVENT_VISIBILITIES))


class EventIn(EventPatch):
    defaults: ClassVar[dict[str, Any]] = {
        "description": "", "online": False, "location": "", "url": None, "capacity": None, "visibility": "public",
    }  # fmt: skip

    title = fields.String(required=True, validate=validate.Length(1, TITLE_MAX))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "with its offset; stored in UTC"})
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(
        required=True,
        validate=validate.Length(1, 64),
        metadata={"description": "IANA name the pages show times in, e.g. Europe/Paris"},
    )


class EventCancelBody(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_MAX))


class EventRsvpBody(Schema):
    status = fields.String(required=True, validate=validate.OneOf(ANSWERS))


class EventCheckInBody(Schema):
    code = fields.String(
        load_default=None, validate=validate.Length(1, 32), metadata={"description": "to check yourself in"}
    )
    user_id = fields.String(
        load_default=None,
        validate=validate.Length(1, 191),
        metadata={"description": "organizers: the member to check in"},
    )


class EventOrganizerBody(Schema):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))


class EventPersonSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)


class EventRsvpSchema(Schema):
    event_id = fields.Integer(required=True)
    member = fields.Nested(EventPersonSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(RSVP_STATUSES))
    position = fields.Integer(allow_none=True, metadata={"description": "place on the waitlist, 1 = next in"})
    updated_at = fields.AwareDateTime(required=True)


class EventSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    online = fields.Boolean(required=True)
    location = fields.String(required=True)
    url = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    visibility = fields.String(required=True, validate=validate.OneOf(EVENT_VISIBILITIES))
    cancelled = fields.Boolean(required=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(required=True)
    organizers = fields.List(fields.Nested(EventPersonSchema), required=True)
    going = fields.Integer(required=True)
    maybe = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    spots_left = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    attended = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    ics_url = fields.String(required=True, metadata={"description": "the event as an iCalendar file"})
    page_url = fields.String(required=True)
    my_rsvp = fields.Nested(EventRsvpSchema, allow_none=True, metadata={"description": "the caller's answer"})
    can_manage = fields.Boolean(required=True, metadata={"description": "the caller organizes it or is staff"})


class EventAttendanceSchema(Schema):
    event_id = fields.Integer(required=True)
    member = fields.Nested(EventPersonSchema, required=True)
    method = fields.String(required=True, validate=validate.OneOf(("code", "organizer")))
    checked_in_by = fields.String(allow_none=True)
    checked_in_at = fields.AwareDateTime(required=True)
    created = fields.Boolean(required=True, metadata={"description": "false: had already checked in"})


class EventAttendeesSchema(Schema):
    going = fields.List(fields.Nested(EventRsvpSchema), required=True)
    maybe = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    waitlist = fields.List(
        fields.Nested(EventRsvpSchema), allow_none=True, metadata={"description": "organizers and staff only"}
    )
    checked_in = fields.List(
        fields.Nested(EventAttendanceSchema), allow_none=True, metadata={"description": "organizers and staff only"}
    )


class EventCheckinCodeSchema(Schema):
    code = fields.String(required=True, metadata={"description": "shown once; only its hash is stored"})
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)


class MyEventsSchema(Schema):
    organizing = fields.List(fields.Nested(EventSchema), required=True)
    going = fields.List(fields.Nested(EventSchema), required=True)
    maybe = fields.List(fields.Nested(EventSchema), required=True)
    waitlisted = fields.List(fields.Nested(EventSchema), required=True)
    attended = fields.List(fields.Nested(EventSchema), required=True)
