"""marshmallow schemas of the objectives API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes and types (a target that is not a number, a date that is not one); the
service checks meaning (a KPI analytics has, a due date after the start, an owner who may see the
analytics) and names the field when it refuses.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.objectives.models import DIRECTIONS, OUTCOMES, STATES
from guildkit.objectives.progress import OUTLOOKS
from guildkit.objectives.service import NOTES_MAX, TITLE_MAX

UNITS = ("count", "percent", "hours")


class ObjectivePatch(Schema):
    """Every field optional: only those sent change."""

    title = fields.String(validate=validate.Length(1, TITLE_MAX), metadata={"description": "e.g. Grow to 1,200 MAU"})
    notes = fields.String(validate=validate.Length(max=NOTES_MAX))
    kpi = fields.String(
        validate=validate.Length(1, 64), metadata={"description": "a KPI's key, from GET /objectives/kpis"}
    )
    direction = fields.String(validate=validate.OneOf(DIRECTIONS), metadata={"description": "at least or at most"})
    target = fields.Float(allow_nan=False, metadata={"description": "in the KPI's unit (a percentage: 0 to 100)"})
    starts_on = fields.Date(metadata={"description": "its baseline is the KPI on this day"})
    due_on = fields.Date(metadata={"description": "decided once this day is over"})
    owner = fields.String(
        validate=validate.Length(1, 191), metadata={"description": "a user id; told when it is decided"}
    )


class ObjectiveIn(ObjectivePatch):
    title = fields.String(required=True, validate=validate.Length(1, TITLE_MAX))
    kpi = fields.String(required=True, validate=validate.Length(1, 64))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    target = fields.Float(required=True, allow_nan=False)
    starts_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    owner = fields.String(
        validate=validate.Length(1, 191), metadata={"description": "a user id (default: you); told when decided"}
    )


class ObjectivesQuery(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES), metadata={"description": "only these"})


class KpiSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    better = fields.String(required=True, validate=validate.OneOf(("up", "down")))


class ObjectiveReadingSchema(Schema):
    day = fields.Date(required=True)
    value = fields.Float(allow_none=True, required=True)


class ObjectiveStandingSchema(Schema):
    current = fields.Float(allow_none=True, required=True, metadata={"description": "the KPI on as_of"})
    as_of = fields.Date(required=True)
    progress = fields.Float(
        allow_none=True, required=True, metadata={"description": "0 at the baseline, 1 at the target"}
    )
    reached = fields.Boolean(required=True, metadata={"description": "the current value meets the target"})
    projected = fields.Float(allow_none=True, required=True, metadata={"description": "the trend at the due date"})
    outlook = fields.String(required=True, validate=validate.OneOf(OUTLOOKS))
    trend = fields.List(fields.Nested(ObjectiveReadingSchema), required=True)


class ObjectiveSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    notes = fields.String(required=True)
    kpi = fields.String(required=True)
    kpi_name = fields.String(required=True)
    unit = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    target = fields.Float(required=True)
    starts_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    baseline = fields.Float(allow_none=True, required=True)
    baseline_at = fields.AwareDateTime(allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    outcome = fields.String(allow_none=True, required=True, validate=validate.OneOf(OUTCOMES))
    final_value = fields.Float(allow_none=True, required=True)
    decided_at = fields.AwareDateTime(allow_none=True, required=True)
    owner = fields.String(required=True)
    owner_name = fields.String(required=True)
    created_by = fields.String(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    standing = fields.Nested(ObjectiveStandingSchema, allow_none=True, required=True)
