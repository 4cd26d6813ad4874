"""marshmallow schemas of the challenges API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes and sizes; the service checks meaning (steps of activity types the
community declares, a count from 1, an end after the start, a point type that exists) and names
the field when it refuses: a step's as ``steps.<index>.activity_type`` or ``steps.<index>.count``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.challenges.checks import DESCRIPTION_MAX, TITLE_MAX
from guildkit.challenges.models import AUDIENCES, RECURRENCES
from guildkit.challenges.views import STATES
from guildkit.web.schemas import PageQuery


class ChallengeStepIn(Schema):
    activity_type = fields.String(
        required=True, validate=validate.Length(1, 100), metadata={"description": "an activity type: answer.posted"}
    )
    count = fields.Integer(required=True, strict=True, metadata={"description": "how many, from 1"})


class ChallengeIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, TITLE_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "inclusive, with its offset"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "exclusive, with its offset"})
    steps = fields.List(fields.Nested(ChallengeStepIn), required=True, metadata={"description": "one or more steps"})
    audience = fields.String(validate=validate.OneOf(AUDIENCES), metadata={"description": "members or groups join"})
    group_id = fields.Integer(allow_none=True, strict=True, metadata={"description": "a group's own challenge"})
    ordered = fields.Boolean(metadata={"description": "a later step counts only once the earlier ones are done"})
    reward_points = fields.Integer(allow_none=True, strict=True, metadata={"description": "points on completion"})
    reward_point_type = fields.String(allow_none=True, validate=validate.Length(1, 100))
    award_badge = fields.Boolean(metadata={"description": "completing it awards a badge the challenge defines"})
    recurrence = fields.String(
        validate=validate.OneOf(RECURRENCES), metadata={"description": "weekly: a new instance each week"}
    )


class ChallengeQuery(PageQuery):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))


class ChallengeJoinIn(Schema):
    group_id = fields.Integer(
        load_default=None, allow_none=True, strict=True,
        metadata={"description": "a group challenge: the caller's group to enter"},
    )  # fmt: skip


class ChallengeGroupSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(allow_none=True)


class ChallengeStepSchema(Schema):
    position = fields.Integer(required=True)
    activity_type = fields.String(required=True)
    count = fields.Integer(required=True)
    goal = fields.String(required=True, metadata={"description": "what it asks, in words: 'Answer 5 questions'"})


class ChallengeStepProgressSchema(Schema):
    position = fields.Integer(required=True)
    goal = fields.String(required=True)
    count = fields.Integer(required=True)
    target = fields.Integer(required=True)
    done = fields.Boolean(required=True)
    open = fields.Boolean(required=True, metadata={"description": "counts now (in order: the first unfinished)"})
    percent = fields.Integer(required=True)


class ChallengeParticipantSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.String(allow_none=True, metadata={"description": "the member (individual challenges)"})
    name = fields.String(allow_none=True)
    avatar_url = fields.String(allow_none=True)
    group = fields.Nested(
        ChallengeGroupSchema, allow_none=True, metadata={"description": "the group (group challenges)"}
    )
    joined_at = fields.AwareDateTime(required=True)
    steps_done = fields.Integer(required=True)
    steps_total = fields.Integer(required=True)
    completed_at = fields.AwareDateTime(allow_none=True)


class ChallengeParticipationSchema(ChallengeParticipantSchema):
    steps = fields.List(fields.Nested(ChallengeStepProgressSchema), required=True)


class ChallengeSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_name = fields.String(required=True)
    audience = fields.String(required=True)
    group = fields.Nested(ChallengeGroupSchema, allow_none=True)
    ordered = fields.Boolean(required=True)
    steps = fields.List(fields.Nested(ChallengeStepSchema), required=True)
    reward_points = fields.Integer(allow_none=True)
    reward_point_type = fields.String(allow_none=True)
    reward_point_type_name = fields.String(allow_none=True)
    badge = fields.String(allow_none=True)
    badge_name = fields.String(allow_none=True)
    recurrence = fields.String(required=True)
    series_id = fields.Integer(allow_none=True, metadata={"description": "the first instance of its weekly series"})
    previous_id = fields.Integer(allow_none=True, metadata={"description": "the instance it follows"})
    joined = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    url = fields.String(allow_none=True, metadata={"description": "its page"})
    me = fields.List(
        fields.Nested(ChallengeParticipationSchema),
        allow_none=True,
        metadata={"description": "the caller's part: their own, or their groups' (signed in)"},
    )
