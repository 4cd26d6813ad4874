"""marshmallow schemas for the mentorship API: what it accepts and what it answers.

Lengths and ranges mirror :mod:`guildkit.mentorship.checks`, which the service applies again (a
time zone is checked there, against the IANA database, and answers 422 naming the field).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.mentorship import checks
from guildkit.mentorship.models import MENTORSHIP_STATES
from guildkit.web.schemas import PageQuery

TOPIC = fields.String(validate=validate.Length(1, checks.MAX_TOPIC_LENGTH))
LANGUAGE = fields.String(validate=validate.Regexp(checks.LANGUAGE_RE.pattern))


class MentorQuery(Schema):
    topics = fields.String(
        load_default="", validate=validate.Length(max=1000), metadata={"description": "comma-separated topics"}
    )
    language = fields.String(load_default=None, validate=validate.Regexp(checks.LANGUAGE_RE.pattern))
    timezone = fields.String(load_default=None, validate=validate.Length(1, 64))
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50))


class MentorSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    topics = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    timezone = fields.String(required=True)
    availability = fields.String(required=True)
    pitch = fields.String(required=True)
    capacity = fields.Integer(required=True)
    active_count = fields.Integer(required=True, metadata={"description": "mentorships accepted or active"})
    free = fields.Integer(required=True, metadata={"description": "mentee slots free"})
    completed = fields.Integer(required=True)
    ended_early = fields.Integer(required=True)
    open = fields.Boolean(required=True, metadata={"description": "taking new requests"})


class ScoreSchema(Schema):
    total = fields.Float(required=True)
    parts = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    reasons = fields.List(fields.String(), required=True)


class SuggestionSchema(Schema):
    mentor = fields.Nested(MentorSchema, required=True)
    score = fields.Nested(ScoreSchema, required=True)


class MentorProfileIn(Schema):
    topics = fields.List(TOPIC, required=True, validate=validate.Length(1, checks.MAX_TOPICS))
    languages = fields.List(LANGUAGE, required=True, validate=validate.Length(1, checks.MAX_LANGUAGES))
    timezone = fields.String(required=True, validate=validate.Length(1, 64), metadata={"description": "IANA time zone"})
    availability = fields.String(load_default="", validate=validate.Length(max=checks.MAX_AVAILABILITY))
    capacity = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, 1000))
    pitch = fields.String(load_default="", validate=validate.Length(max=checks.MAX_PITCH))
    open = fields.Boolean(load_default=True, metadata={"description": "false: opt out of new requests"})


class MentorshipQuery(PageQuery):
    role = fields.String(load_default=None, validate=validate.OneOf(("mentor", "mentee")))
    state = fields.String(load_default=None, validate=validate.OneOf(MENTORSHIP_STATES))


class MentorshipIn(Schema):
    mentor = fields.String(required=True, validate=validate.Length(1, 191))
    goals = fields.String(required=True, validate=validate.Length(1, checks.MAX_TEXT))
    topics = fields.List(TOPIC, load_default=list, validate=validate.Length(max=checks.MAX_TOPICS))
    language = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(checks.LANGUAGE_RE.pattern))
    timezone = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    message = fields.String(load_default="", validate=validate.Length(max=checks.MAX_TEXT))


class MentorshipSchema(Schema):
    id = fields.Integer(required=True)
    mentor = fields.String(required=True, metadata={"description": "the mentor's user id"})
    mentee = fields.String(required=True, metadata={"description": "the mentee's user id"})
    state = fields.String(required=True, validate=validate.OneOf(MENTORSHIP_STATES))
    goals = fields.String(required=True)
    topics = fields.List(fields.String(), required=True)
    language = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)
    message = fields.String(required=True)
    requested_at = fields.AwareDateTime(required=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    started_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    mentor_confirmed_at = fields.AwareDateTime(allow_none=True)
    mentee_confirmed_at = fields.AwareDateTime(allow_none=True)
    waiting_for = fields.String(
        allow_none=True, metadata={"description": "while active: the side yet to confirm completion"}
    )


class FeedbackSchema(Schema):
    author = fields.String(required=True)
    role = fields.String(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class MentorshipDetailSchema(MentorshipSchema):
    feedback = fields.List(fields.Nested(FeedbackSchema), required=True)


class CheckInIn(Schema):
    on = fields.Date(required=True, metadata={"description": "the day it took place (not in the future)"})
    notes = fields.String(required=True, validate=validate.Length(1, checks.MAX_NOTES))


class CheckInSchema(Schema):
    id = fields.Integer(required=True)
    author = fields.String(required=True)
    on = fields.Date(required=True)
    notes = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class FeedbackIn(Schema):
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = fields.String(load_default="", validate=validate.Length(max=checks.MAX_TEXT))
