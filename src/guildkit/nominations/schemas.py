"""marshmallow schemas of the nominations API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes and sizes; the service checks meaning (a member, a nominatable badge,
not oneself) and names the field when it refuses.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.nominations.models import DECISIONS, REASON_MAX, STATES
from guildkit.web.schemas import PageQuery

REASON = validate.Length(1, REASON_MAX)


class NominationIn(Schema):
    nominee = fields.String(
        required=True, validate=validate.Length(1, 191), metadata={"description": "the user id of the member nominated"}
    )
    badge = fields.String(
        required=True, validate=validate.Length(1, 100), metadata={"description": "a nominatable badge's slug"}
    )
    level = fields.Integer(load_default=1, validate=validate.Range(1, 100), metadata={"description": "its level"})
    reason = fields.String(required=True, validate=REASON, metadata={"description": "why they deserve it"})


class NominationDecisionIn(Schema):
    reason = fields.String(required=True, validate=REASON, metadata={"description": "why you decide so"})


class NominationWithdrawIn(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_MAX))


class NominationsQuery(PageQuery):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES), metadata={"description": "as stored"})


class ApprovedNominationsQuery(PageQuery):
    member = fields.String(
        load_default=None,
        validate=validate.Length(1, 191),
        metadata={"description": "a user id: only the approved nominations of this member"},
    )


class NominationPersonSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)


class NominationVoteSchema(Schema):
    approver = fields.Nested(NominationPersonSchema, required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class NominationSchema(Schema):
    id = fields.Integer(required=True)
    nominee = fields.Nested(NominationPersonSchema, required=True)
    nominator = fields.Nested(NominationPersonSchema, required=True)
    badge = fields.String(required=True)
    level = fields.Integer(required=True)
    badge_name = fields.String(required=True, metadata={"description": "the badge level's name, in words"})
    reason = fields.String(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(STATES),
        metadata={"description": "a pending nomination past expires_at reads as expired"},
    )
    state_label = fields.String(required=True)
    state_words = fields.String(required=True, metadata={"description": "where it stands, as a sentence"})
    approvals = fields.Integer(required=True)
    needed = fields.Integer(required=True)
    role = fields.String(required=True, metadata={"description": "the role approvers hold"})
    role_name = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.Nested(NominationPersonSchema, allow_none=True)
    withdraw_reason = fields.String(required=True)
    award_key = fields.String(allow_none=True, metadata={"description": "the key of the award activity"})
    votes = fields.List(fields.Nested(NominationVoteSchema), required=True)
    may_decide = fields.Boolean(required=True, metadata={"description": "the caller may approve or reject it now"})
    may_withdraw = fields.Boolean(required=True, metadata={"description": "the caller may withdraw it now"})


class NominatableSchema(Schema):
    badge = fields.String(required=True)
    level = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "the badge level's name, in words"})
    approvals = fields.Integer(required=True, metadata={"description": "approvals a nomination needs"})
    role = fields.String(required=True)
    role_name = fields.String(required=True)
