"""marshmallow schemas of the community API's own endpoints (the shared ones are in
:mod:`guildkit.web.schemas`): a member's privacy settings and their data export, and where an
activity accepted for later stands."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.web.schemas import ActivityResultSchema

#: Where an activity accepted for later stands (guildkit.activity.AcceptedStatus).
STATUSES = ["pending", "recorded", "failed"]


class PrivacySettingsSchema(Schema):
    leaderboard_opt_out = fields.Boolean(
        required=True, metadata={"description": "left off every leaderboard and out of everyone's rank"}
    )


class MemberExportSchema(Schema):
    """The top level of a data export (docs/privacy.md describes each section)."""

    format = fields.String(required=True, metadata={"description": "always guildkit.member-export"})
    version = fields.Integer(required=True, metadata={"description": "the format's version"})
    exported_at = fields.String(required=True, metadata={"description": "ISO 8601"})
    member = fields.Dict(required=True)
    roles = fields.List(fields.Dict(), required=True)
    balances = fields.List(fields.Dict(), required=True)
    ledger = fields.List(fields.Dict(), required=True)
    badges = fields.List(fields.Dict(), required=True)
    activities = fields.List(fields.Dict(), required=True)
    notifications = fields.List(fields.Dict(), required=True)
    staff_actions = fields.List(fields.Dict(), required=True)
    plugins = fields.Dict(keys=fields.String(), required=True, metadata={"description": "each plugin's section"})


class ActivityErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "the error's stable code (idempotency_conflict …)"})
    detail = fields.String(required=True)


class ActivityStatusSchema(Schema):
    """Where an activity stands: accepted and waiting (``pending``), ``recorded`` or ``failed``."""

    key = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_url = fields.String(required=True, metadata={"description": "where to ask again (GET)"})
    accepted_at = fields.AwareDateTime(
        allow_none=True, required=True, metadata={"description": "when it was accepted; null if recorded at once"}
    )
    result = fields.Nested(
        ActivityResultSchema,
        allow_none=True,
        required=True,
        metadata={"description": "once recorded: what the synchronous call returns"},
    )
    error = fields.Nested(ActivityErrorSchema, allow_none=True, required=True, metadata={"description": "once failed"})
