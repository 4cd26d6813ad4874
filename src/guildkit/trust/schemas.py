"""marshmallow schemas for the trust-level and privileges API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.trust.models import TRUST_LEVELS


class CriterionSchema(Schema):
    label = fields.String(required=True)
    value = fields.Integer(required=True)
    threshold = fields.Integer(required=True)
    met = fields.Boolean(required=True)
    window_days = fields.Integer(allow_none=True, metadata={"description": "only the last this many days count"})


class TrustSchema(Schema):
    user_id = fields.String(required=True)
    level = fields.Integer(required=True, validate=validate.OneOf(TRUST_LEVELS))
    name = fields.String(required=True)
    locked = fields.Boolean(required=True)
    since = fields.AwareDateTime(required=True)
    criteria_level = fields.Integer(
        allow_none=True,
        metadata={"description": "the level the criteria are for (the next, or 3 to keep it); private"},
    )
    lapsed_since = fields.AwareDateTime(allow_none=True, metadata={"description": "private"})
    criteria = fields.List(
        fields.Nested(CriterionSchema),
        allow_none=True,
        metadata={"description": "progress: only for the member themself and members.read_private"},
    )


class TrustIn(Schema):
    level = fields.Integer(strict=True, validate=validate.OneOf(TRUST_LEVELS))
    locked = fields.Boolean()
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class PrivilegeSchema(Schema):
    name = fields.String(required=True, metadata={"description": "the privilege's key, for code"})
    label = fields.String(required=True, metadata={"description": "the privilege in words"})
    description = fields.String(required=True, metadata={"description": "what it lets the member do"})
    has = fields.Boolean(required=True)
    requirement = fields.String(required=True, metadata={"description": "what unlocks it"})
    progress = fields.String(required=True, metadata={"description": "how far along, e.g. '12 of 15 Reputation'"})
