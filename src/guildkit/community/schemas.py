"""marshmallow schemas of the community API's own endpoints (the shared ones are in
:mod:`guildkit.web.schemas`): a member's privacy settings and their data export."""

from __future__ import annotations

from marshmallow import Schema, fields


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
