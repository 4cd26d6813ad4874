"""marshmallow schemas of the streaks API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes; the service checks meaning (days, lengths, overlaps) and names the
field when it refuses, every field at once.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.streaks.service import REASON_MAX


class AbsenceIn(Schema):
    starts_on = fields.String(
        required=True, validate=validate.Length(max=40), metadata={"description": "the first day away (YYYY-MM-DD)"}
    )
    ends_on = fields.String(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "the last day away (YYYY-MM-DD), at most GUILDKIT_STREAKS_MAX_ABSENCE_DAYS in all"},
    )


class FreezeGrantIn(Schema):
    count = fields.Integer(
        load_default=1, strict=True, metadata={"description": "how many freezes, 1 to GUILDKIT_STREAKS_MAX_GRANT"}
    )
    reason = fields.String(
        required=True, validate=validate.Length(max=REASON_MAX), metadata={"description": "why: the member reads it"}
    )


class FreezeGrantSchema(Schema):
    user_id = fields.String(required=True)
    held = fields.Integer(required=True, metadata={"description": "the freezes the member holds now"})


class StreakSchema(Schema):
    activity_type = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "actor or target"})
    label = fields.String(required=True, metadata={"description": "the activity type in words"})
    current = fields.Integer(required=True, metadata={"description": "days in a row now (0: broken)"})
    best = fields.Integer(required=True)
    last_day = fields.Date(allow_none=True, required=True)
    at_risk = fields.Boolean(required=True, metadata={"description": "kept only if the member is active today"})
    freezes_needed = fields.Integer(required=True)
    last_frozen = fields.Date(allow_none=True, required=True, metadata={"description": "the last day a freeze covered"})


class FreezeEntrySchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "earned, granted or used"})
    count = fields.Integer(required=True)
    activity_type = fields.String(allow_none=True, required=True)
    label = fields.String(allow_none=True, required=True)
    day = fields.Date(allow_none=True, required=True, metadata={"description": "the day a use covered"})
    at = fields.DateTime(required=True)
    reason = fields.String(required=True)


class AbsenceSchema(Schema):
    id = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    declared_at = fields.DateTime(required=True)
    cancellable = fields.Boolean(required=True)


class MyStreaksSchema(Schema):
    today = fields.Date(required=True, metadata={"description": "today, in the member's time zone"})
    streaks = fields.List(fields.Nested(StreakSchema), required=True)
    freezes_held = fields.Integer(required=True)
    freezes = fields.List(fields.Nested(FreezeEntrySchema), required=True)
    absences = fields.List(fields.Nested(AbsenceSchema), required=True)
