"""marshmallow schemas for the analytics API: the range query, each KPI's JSON, and surveys."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields, post_dump, validate

from guildkit.analytics.models import SURVEY_KINDS
from guildkit.analytics.periods import BUCKETS
from guildkit.analytics.surveys import COMMENT_MAX, QUESTION_MAX


class RangeQuery(Schema):
    start = fields.Date(load_default=None, metadata={"description": "first local date (default: by bucket)"})
    end = fields.Date(load_default=None, metadata={"description": "last local date, included (default: today)"})
    bucket = fields.String(load_default="day", validate=validate.OneOf(BUCKETS))


class RangeSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    bucket = fields.String(required=True)
    timezone = fields.String(required=True)


class PeriodSchema(Schema):
    label = fields.String(required=True, metadata={"description": "the calendar bucket: 2026-01-05, 2026-01"})
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class GrowthBucketSchema(PeriodSchema):
    new_members = fields.Integer(required=True)
    total_members = fields.Integer(required=True)


class GrowthSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    new_members = fields.Integer(required=True)
    total_members = fields.Integer(required=True)
    buckets = fields.List(fields.Nested(GrowthBucketSchema), required=True)


class ActivityBucketSchema(PeriodSchema):
    active_members = fields.Integer(required=True)
    total_members = fields.Integer(required=True)
    engagement_rate = fields.Float(allow_none=True, required=True)
    contributing_members = fields.Integer(required=True)
    contributing_rate = fields.Float(allow_none=True, required=True)
    activities = fields.Integer(required=True)
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class ActivitySchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    types = fields.List(fields.String(), required=True)
    buckets = fields.List(fields.Nested(ActivityBucketSchema), required=True)


class DailySchema(Schema):
    day = fields.Date(required=True)
    active_members = fields.Integer(required=True)


class ActivesSchema(Schema):
    as_of = fields.Date(required=True)
    dau = fields.Integer(required=True)
    wau = fields.Integer(required=True)
    mau = fields.Integer(required=True)
    mean_dau = fields.Float(required=True, metadata={"description": "mean DAU over the 30 days ending as_of"})
    stickiness = fields.Float(allow_none=True, required=True, metadata={"description": "mean DAU ÷ MAU"})
    daily = fields.List(fields.Nested(DailySchema), required=True)


class CohortSchema(PeriodSchema):
    members = fields.Integer(required=True)
    active = fields.List(fields.Integer(), required=True, metadata={"description": "active in week n after joining"})
    rates = fields.List(fields.Float(allow_none=True), required=True)


class RetentionSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    cohorts = fields.List(fields.Nested(CohortSchema), required=True)


class IdleSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    last_active_at = fields.AwareDateTime(required=True)
    activities = fields.Integer(required=True, metadata={"description": "activities in the last 60 days"})


class ChurnSchema(Schema):
    as_of = fields.Date(required=True)
    idle_days = fields.Integer(required=True)
    previously_active = fields.Integer(required=True)
    churned = fields.Integer(required=True)
    churn_rate = fields.Float(allow_none=True, required=True)
    at_risk = fields.Integer(required=True)
    churned_members = fields.List(fields.Nested(IdleSchema), required=True)
    at_risk_members = fields.List(fields.Nested(IdleSchema), required=True)


class ResponseBucketSchema(PeriodSchema):
    newcomers = fields.Integer(required=True)
    posted = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    median_hours = fields.Float(allow_none=True, required=True)
    mean_hours = fields.Float(allow_none=True, required=True)


class FirstResponseSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    median_hours = fields.Float(allow_none=True, required=True)
    buckets = fields.List(fields.Nested(ResponseBucketSchema), required=True)


class ScoredSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    score = fields.Float(required=True)


class LevelSchema(Schema):
    level = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    members = fields.Integer(required=True)
    share = fields.Float(allow_none=True, required=True)
    min_score = fields.Float(allow_none=True, required=True)
    top = fields.List(fields.Nested(ScoredSchema), required=True)


class LevelsSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    total_members = fields.Integer(required=True)
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True)


class PointsSchema(Schema):
    issued = fields.Integer(required=True)
    reversed = fields.Integer(required=True)


class RecognitionBucketSchema(PeriodSchema):
    badge_awards = fields.Integer(required=True)
    points = fields.Dict(keys=fields.String(), values=fields.Nested(PointsSchema), required=True)


class RaritySchema(Schema):
    badge = fields.String(required=True)
    name = fields.String(required=True)
    holders = fields.Integer(required=True)
    share = fields.Float(allow_none=True, required=True)


class RecognitionSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    point_types = fields.List(fields.String(), required=True)
    buckets = fields.List(fields.Nested(RecognitionBucketSchema), required=True)
    members = fields.Integer(required=True)
    badge_rarity = fields.List(fields.Nested(RaritySchema), required=True)


class ProgrammeBucketSchema(PeriodSchema):
    """A period, and one integer per measure the enabled features contribute
    (``mentorships_started``, ``event_attendances``, ``reports`` … see docs/analytics.md)."""

    class Meta:
        # The measures depend on which features the host runs: they pass through as integers.
        unknown = INCLUDE

    @post_dump(pass_original=True)
    def _measures(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, **{k: int(v) for k, v in original.items() if k not in data}}


class ProgrammesSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    buckets = fields.List(fields.Nested(ProgrammeBucketSchema), required=True)


# -- surveys ------------------------------------------------------------------------------------


class SurveySchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "csat (1-5) or nps (0-10)"})
    question = fields.String(required=True)
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    created_by = fields.String(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    state = fields.String(required=True, metadata={"description": "scheduled, open or closed"})


class ScoreCountSchema(Schema):
    score = fields.Integer(required=True)
    responses = fields.Integer(required=True)


class SurveyResultsSchema(Schema):
    survey_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    question = fields.String(required=True)
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    state = fields.String(required=True)
    responses = fields.Integer(required=True)
    counts = fields.List(fields.Nested(ScoreCountSchema), required=True)
    mean = fields.Float(allow_none=True, required=True)
    csat = fields.Float(allow_none=True, required=True, metadata={"description": "% scoring 4-5 (CSAT surveys)"})
    nps = fields.Float(allow_none=True, required=True, metadata={"description": "% promoters - % detractors (NPS)"})
    promoters = fields.Integer(required=True)
    passives = fields.Integer(required=True)
    detractors = fields.Integer(required=True)


class SurveyHistoryQuery(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(SURVEY_KINDS))


class SurveyIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SURVEY_KINDS))
    question = fields.String(required=True, validate=validate.Length(1, QUESTION_MAX))
    opens_at = fields.AwareDateTime(load_default=None, metadata={"description": "default: now"})
    closes_at = fields.AwareDateTime(required=True)


class AnswerIn(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(0, 10))
    comment = fields.String(load_default="", validate=validate.Length(0, COMMENT_MAX))


class AnswerSchema(Schema):
    survey_id = fields.Integer(required=True)
    user_id = fields.String(required=True)
    score = fields.Integer(required=True)
    comment = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
