"""marshmallow schemas of the groups API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes and sizes; the service checks meaning (a known activity type, an end
after the start, a badge that exists, a capacity above the members) and names the field when
it refuses.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.groups.goals import NAME_MAX as GOAL_NAME_MAX
from guildkit.groups.goals import TARGET_MAX
from guildkit.groups.models import POLICIES, RECURRENCES, ROLES
from guildkit.groups.service import CAPACITY_MAX, DESCRIPTION_MAX, NAME_MAX
from guildkit.groups.transitions import STATES
from guildkit.leaderboards import PERIODS
from guildkit.web.schemas import LIMIT, PageQuery, StandingSchema


class GroupPatch(Schema):
    """Every field optional: only those sent change."""

    name = fields.String(validate=validate.Length(1, NAME_MAX), metadata={"description": "e.g. Backend team"})
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX), metadata={"description": "about it"})
    policy = fields.String(
        validate=validate.OneOf(POLICIES),
        metadata={"description": "open (anyone joins), request (a maintainer approves), invite (invitations only)"},
    )
    capacity = fields.Integer(
        allow_none=True, validate=validate.Range(1, CAPACITY_MAX), metadata={"description": "at most this many members"}
    )


class GroupIn(GroupPatch):
    name = fields.String(required=True, validate=validate.Length(1, NAME_MAX))
    slug = fields.String(
        load_default=None, validate=validate.Length(1, 64), metadata={"description": "its address; from the name"}
    )


class GroupMeSchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    role = fields.String(allow_none=True, validate=validate.OneOf(ROLES))
    manages = fields.Boolean(required=True, metadata={"description": "the caller may manage the group"})


class GroupSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    policy = fields.String(required=True, validate=validate.OneOf(POLICIES))
    policy_name = fields.String(required=True)
    capacity = fields.Integer(allow_none=True)
    member_count = fields.Integer(required=True)
    full = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    me = fields.Nested(GroupMeSchema, allow_none=True, metadata={"description": "where the caller stands"})


class GroupDirectoryQuery(PageQuery):
    q = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"description": "name or about contains"}
    )


class GroupMembersQuery(Schema):
    state = fields.String(load_default="member", validate=validate.OneOf(STATES[1:]))
    limit = LIMIT
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class GroupMembershipSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    avatar_url = fields.String(allow_none=True)
    profile_url = fields.String(allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    role_name = fields.String(required=True)
    since = fields.AwareDateTime(required=True)
    by = fields.String(allow_none=True, metadata={"description": "who invited or approved them"})


class GroupMembershipStateSchema(Schema):
    group = fields.String(required=True, metadata={"description": "the group's slug"})
    user_id = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES), metadata={"description": "none: left"})
    role = fields.String(allow_none=True)


class GroupInviteIn(Schema):
    user_id = fields.String(required=True, validate=validate.Length(1, 191), metadata={"description": "who to invite"})


class GroupRoleIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class GroupGoalIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, GOAL_NAME_MAX))
    activity_type = fields.String(required=True, validate=validate.Length(1, 100),
                                  metadata={"description": "what the members do that counts"})  # fmt: skip
    target = fields.Integer(required=True, validate=validate.Range(1, TARGET_MAX))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "inclusive, with its offset"})
    ends_at = fields.AwareDateTime(
        load_default=None, metadata={"description": "exclusive; may be left out for a monthly goal"}
    )
    recurring = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RECURRENCES),
                              metadata={"description": "monthly: a fresh count each calendar month"})  # fmt: skip
    min_contribution = fields.Integer(
        validate=validate.Range(1, TARGET_MAX), metadata={"description": "a contributor's share for the badge"}
    )
    badge = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 100),
        metadata={"description": "an existing badge; left out, the goal defines its own"},
    )


class GroupGoalSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    activity_type = fields.String(required=True)
    activity_name = fields.String(required=True)
    what = fields.String(required=True, metadata={"description": "the goal in words: 'Answer 500 questions'"})
    target = fields.Integer(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    recurring = fields.String(allow_none=True)
    min_contribution = fields.Integer(required=True)
    badge = fields.String(required=True)
    badge_name = fields.String(required=True)
    defines_badge = fields.Boolean(required=True)
    state = fields.String(required=True)
    state_name = fields.String(required=True)
    period_start = fields.AwareDateTime(required=True, metadata={"description": "the period shown"})
    period_end = fields.AwareDateTime(allow_none=True)
    count = fields.Integer(required=True)
    percent = fields.Integer(required=True)
    reached = fields.Boolean(required=True)
    reached_at = fields.AwareDateTime(allow_none=True)


class GroupBadgeSchema(Schema):
    badge = fields.String(required=True)
    name = fields.String(required=True)
    tier = fields.String(required=True, metadata={"description": "its first level's: bronze, silver or gold"})
    goal_id = fields.Integer(required=True)
    goal_name = fields.String(required=True)
    period_start = fields.AwareDateTime(required=True)
    reached_at = fields.AwareDateTime(required=True)
    awarded = fields.Boolean(required=True, metadata={"description": "the contributors' badges went out"})


class GroupTeamBoardQuery(Schema):
    period = fields.String(load_default="all", validate=validate.OneOf(PERIODS))
    by = fields.String(load_default="total", validate=validate.OneOf(("total", "average")),
                       metadata={"description": "rank by the total, or the average per member"})  # fmt: skip
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class GroupTeamStandingSchema(Schema):
    rank = fields.Integer(required=True)
    group = fields.String(required=True, metadata={"description": "the group's slug"})
    name = fields.String(required=True)
    total = fields.Integer(required=True)
    members = fields.Integer(required=True)
    score = fields.Integer(required=True, metadata={"description": "what it is ranked by"})


class GroupBoardQuery(PageQuery):
    point_type = fields.String(required=True, validate=validate.Length(1, 100))
    period = fields.String(load_default="all", validate=validate.OneOf(PERIODS))


class GroupBoardSchema(Schema):
    group = fields.String(required=True)
    items = fields.List(fields.Nested(StandingSchema), required=True)
    next_cursor = fields.String(allow_none=True)
    me = fields.Nested(StandingSchema, allow_none=True, metadata={"description": "the caller's standing in the group"})
