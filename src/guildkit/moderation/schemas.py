"""marshmallow schemas for the moderation API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from guildkit.moderation import ACTIONS, CASE_ACTIONS, MAX_HOURS, SUBJECT_MAX, TEXT_MAX
from guildkit.moderation.models import APPEAL_STATES, REPORT_CATEGORIES
from guildkit.text import MAX_ROW_ID

ID = validate.Range(1, MAX_ROW_ID)


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
    reporter = fields.String(allow_none=True, metadata={"description": "null for a system flag"})
    subject = fields.String(required=True)
    category = fields.String(required=True)
    comment = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    weight = fields.Integer(
        required=True, metadata={"description": "what it added to the severity: category x trust weight"}
    )


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
    severity = fields.Integer(
        required=True,
        metadata={"description": "sum of report weights: category weight (harassment 3) x reporter's trust weight"},
    )
    report_count = fields.Integer(required=True)
    opened_at = fields.AwareDateTime(required=True)
    assigned_to = fields.String(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    action = fields.String(allow_none=True, metadata={"description": ", ".join(CASE_ACTIONS)})
    reason = fields.String(allow_none=True)
    hidden = fields.Boolean(
        required=True, metadata={"description": "trusted spam reports hide the member's content while it is open"}
    )
    mediation_id = fields.Integer(allow_none=True, metadata={"description": "the case's open mediation"})


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
    overturned = fields.Boolean(required=True, metadata={"description": "an appeal overturned it"})


class StartMediationIn(Schema):
    party = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 191),
        metadata={"description": "the other party (default: the case's first reporter)"},
    )
    mediator = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 191),
        metadata={"description": "a moderator who is not a party (default: you)"},
    )


class StatementIn(Schema):
    body = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))


class StatementSchema(Schema):
    id = fields.Integer(required=True)
    author = fields.String(allow_none=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class MediationSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    subject = fields.String(required=True)
    respondent = fields.String(required=True, metadata={"description": "the reported member"})
    party = fields.String(required=True)
    mediator = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "open, agreed or abandoned"})
    started_by = fields.String(allow_none=True)
    started_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"description": "the agreed outcome, or why it was abandoned"})


class MediationDetailSchema(MediationSchema):
    statements = fields.List(fields.Nested(StatementSchema), required=True)


class AgreeIn(Schema):
    outcome = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))


class AppealIn(Schema):
    sanction_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    case_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=ID,
        metadata={"description": "a case resolved with revoke_badge or retract"},
    )
    statement = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))

    @validates_schema
    def one_action(self, data: dict[str, object], **kwargs: object) -> None:
        if (data.get("sanction_id") is None) == (data.get("case_id") is None):
            raise ValidationError("name either sanction_id or case_id", "sanction_id")


class AppealSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.String(required=True, metadata={"description": "the appellant"})
    kind = fields.String(required=True, metadata={"description": "warn, mute, suspend, ban, revoke_badge or retract"})
    sanction_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    acted_by = fields.String(allow_none=True, metadata={"description": "the moderator who took the action"})
    action_reason = fields.String(required=True)
    statement = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": ", ".join(APPEAL_STATES)})
    created_at = fields.AwareDateTime(required=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class AppealQuery(Schema):
    state = fields.String(load_default="pending", validate=validate.OneOf((*APPEAL_STATES, "all")))


class DecideIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("uphold", "overturn")))
    reason = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))


class LogQuery(Schema):
    start = fields.Date(
        load_default=None, metadata={"description": "first day (default: the first of the month 11 months ago)"}
    )
    end = fields.Date(load_default=None, metadata={"description": "last day, included (default: today)"})


class LogCountSchema(Schema):
    category = fields.String(required=True)
    action = fields.String(required=True)
    cases = fields.Integer(required=True)


class LogMonthSchema(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM in the community's time zone"})
    total = fields.Integer(required=True)
    counts = fields.List(fields.Nested(LogCountSchema), required=True)
