"""marshmallow schemas of the kudos API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes; the service checks meaning (another member, an active one, a message
within ``GUILDKIT_KUDOS_MESSAGE_MAX``) and names the field when it refuses.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.kudos.config import MESSAGE_MAX, PERIODS
from guildkit.kudos.service import KEY_MAX


class KudosIn(Schema):
    receiver = fields.String(
        required=True, validate=validate.Length(1, 191), metadata={"description": "the user id of the member thanked"}
    )
    message = fields.String(
        required=True,
        validate=validate.Length(max=MESSAGE_MAX),
        metadata={"description": "why: 1 to GUILDKIT_KUDOS_MESSAGE_MAX characters (280 by default)"},
    )
    key = fields.String(
        validate=validate.Length(1, KEY_MAX),
        metadata={"description": "an idempotency key: sent again, the first kudos comes back and nothing is spent"},
    )


class KudosMemberSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    avatar_url = fields.String(allow_none=True, required=True)


class KudosPointsSchema(Schema):
    point_type = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "the point type's name, in words"})
    amount = fields.Integer(required=True)


class KudosSchema(Schema):
    id = fields.Integer(required=True)
    giver = fields.Nested(KudosMemberSchema, required=True)
    receiver = fields.Nested(KudosMemberSchema, required=True)
    message = fields.String(required=True, metadata={"description": "empty once the giver's data was erased"})
    given_at = fields.AwareDateTime(required=True)
    points = fields.List(
        fields.Nested(KudosPointsSchema),
        allow_none=True,
        required=True,
        metadata={"description": "what the receiver earned from it; only for the receiver (and members.read_private)"},
    )
    duplicate = fields.Boolean(required=True, metadata={"description": "a give repeated with its key: nothing changed"})


class KudosBudgetSchema(Schema):
    budget = fields.Integer(required=True, metadata={"description": "kudos per period"})
    used = fields.Integer(required=True)
    left = fields.Integer(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    period_start = fields.Date(required=True, metadata={"description": "in the community's time zone"})
    refills_at = fields.AwareDateTime(required=True)
    trusted = fields.Boolean(required=True, metadata={"description": "the trust level is at least the minimum"})
    min_trust_level = fields.Integer(required=True, metadata={"description": "0: no minimum"})
    can_give = fields.Boolean(required=True)
