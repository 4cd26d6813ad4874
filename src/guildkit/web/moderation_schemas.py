"""marshmallow schemas for the moderation API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import REPORT_CATEGORIES
from ..moderation import ACTIONS, MAX_HOURS, SUBJECT_MAX, TEXT_MAX


class ReportIn(Schema):
    subject = fields.String(
        required=True,
        validate=validate.Length(1, SUBJECT_MAX),
        metadata={"description": "the host's reference to the content, e.g. answer:42"},
    )
    user_id = fields.String(required=True, validate=validate.Length(1, 191), metadata={"description": "its author"})
    category = fields.String(required=True, validate=validate.OneOf(REPORT_CATEGORIES))
    comment = fields.String(load_default="", validate=validate.Length(0, TEXT_MAX))


class ReportSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    reporter = fields.String(required=True)
    subject = fields.String(required=True)
    category = fields.String(required=True)
    comment = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class NoteSchema(Schema):
    id = fields.Integer(required=True)
    author = fields.String(allow_none=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class CaseSchema(Schema):
    id = fields.Integer(required=True)
    subject = fields.String(required=True)
    user_id = fields.String(required=True, metadata={"description": "the reported member"})
    status = fields.String(required=True)
    severity = fields.Integer(required=True, metadata={"description": "sum of report weights; harassment counts 3"})
    report_count = fields.Integer(required=True)
    opened_at = fields.AwareDateTime(required=True)
    assigned_to = fields.String(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class CaseDetailSchema(CaseSchema):
    reports = fields.List(fields.Nested(ReportSchema), required=True)
    notes = fields.List(fields.Nested(NoteSchema), required=True, metadata={"description": "moderators only"})


class NoteIn(Schema):
    body = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))


class ResolveIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))
    hours = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1, MAX_HOURS))
    badge = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 191))
    activity_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 191))


class AuditSchema(Schema):
    id = fields.Integer(required=True)
    actor = fields.String(allow_none=True)
    action = fields.String(required=True)
    target = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    reason = fields.String(required=True)
    details = fields.Dict(required=True)
    at = fields.AwareDateTime(required=True)


class SanctionSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "warn, mute, suspend or ban"})
    reason = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(allow_none=True)
    active = fields.Boolean(required=True)
    case_id = fields.Integer(allow_none=True)
