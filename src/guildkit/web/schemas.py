"""marshmallow schemas: they validate every API request, shape every response, and are the
components of the OpenAPI document."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from guildkit.activity import TYPE_RE
from guildkit.builtin.manual import AwardFields, Refusals, check_award, check_revoke
from guildkit.current import current_guildkit
from guildkit.models import MEMBER_STATUSES, TIERS
from guildkit.registry import Registry

LIMIT = fields.Integer(load_default=20, validate=validate.Range(1, 100), metadata={"description": "page size"})
CURSOR = fields.String(load_default=None, metadata={"description": "next_cursor of the previous page"})


class ProblemSchema(Schema):
    """RFC 9457 problem details, the shape of every error."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class PageQuery(Schema):
    limit = LIMIT
    cursor = CURSOR


class MemberQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=100), metadata={"description": "name contains"})
    status = fields.String(load_default=None, validate=validate.OneOf(MEMBER_STATUSES))


class MemberSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    joined_at = fields.AwareDateTime(required=True)
    profile_url = fields.String(allow_none=True)
    avatar_url = fields.String(allow_none=True)


class ExpiringSchema(Schema):
    points = fields.Integer(required=True, metadata={"description": "points of the balance that expire that day"})
    on = fields.Date(required=True, metadata={"description": "the local day they expire, at its start"})


class BalanceSchema(Schema):
    point_type = fields.String(required=True)
    name = fields.String(required=True)
    balance = fields.Integer(required=True)
    level = fields.Integer(required=True)
    level_name = fields.String(allow_none=True)
    expires = fields.List(
        fields.Nested(ExpiringSchema),
        required=True,
        metadata={"description": "what of the balance expires when, soonest first (point types that expire)"},
    )


class TitleSchema(Schema):
    text = fields.String(required=True, metadata={"description": "the title, in words (the badge's name)"})
    badge = fields.String(required=True, metadata={"description": "the badge's slug"})
    url = fields.String(allow_none=True, required=True, metadata={"description": "the badge's page"})


class FlairSchema(Schema):
    text = fields.String(required=True, metadata={"description": "the group's name"})
    group = fields.Integer(required=True, metadata={"description": "the group's id"})
    url = fields.String(allow_none=True, required=True, metadata={"description": "the group's page"})


class MemberDetailSchema(MemberSchema):
    title = fields.Nested(
        TitleSchema, allow_none=True, required=True, metadata={"description": "the badge they show as a title, or null"}
    )
    flair = fields.Nested(
        FlairSchema, allow_none=True, required=True, metadata={"description": "the group they show, or null"}
    )
    balances = fields.List(fields.Nested(BalanceSchema), required=True)
    roles = fields.List(fields.String(), required=True)
    badge_count = fields.Integer(required=True)


class LedgerQuery(PageQuery):
    point_type = fields.String(load_default=None, validate=validate.Length(max=100))


class LedgerEntrySchema(Schema):
    id = fields.Integer(required=True)
    point_type = fields.String(required=True)
    amount = fields.Integer(required=True)
    balance_after = fields.Integer(required=True)
    rule = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "why, in words a member can read"})
    activity_key = fields.String(required=True)
    activity_type = fields.String(required=True)
    subject = fields.String(allow_none=True)
    description = fields.String(
        required=True, metadata={"description": "what happened, in the member's words, with the subject's title"}
    )
    reverses_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(required=True)


class BadgeLevelSchema(Schema):
    level = fields.Integer(required=True)
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    threshold = fields.Integer(allow_none=True)
    goal = fields.String(allow_none=True, metadata={"description": "what the level takes, in words"})


class BadgeSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True)
    levels = fields.List(fields.Nested(BadgeLevelSchema), required=True)
    repeatable = fields.Boolean(required=True)
    secret = fields.Boolean(required=True)
    image = fields.String(allow_none=True)
    criteria = fields.String(allow_none=True, metadata={"description": "how it is earned, in words"})
    holders = fields.Integer(required=True, metadata={"description": "members holding any level"})
    rarity = fields.Float(required=True, metadata={"description": "percent of members holding it"})


class HolderSchema(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    awarded_at = fields.AwareDateTime(required=True)


class AwardSchema(Schema):
    id = fields.Integer(required=True)
    badge = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    tier = fields.String(required=True)
    rule = fields.String(required=True)
    reason = fields.String(required=True)
    awarded_at = fields.AwareDateTime(required=True)


class RecentAwardSchema(AwardSchema):
    member = fields.Nested(MemberSchema, required=True)


class _ManualChecks(Schema):
    """A manual award's or revocation's body: when the schema refuses some of its fields, the
    service's checks of the others (an unknown badge or member, a level the badge lacks, a blank
    reason) are reported with them, so one 422 names every bad field. A body the schema accepts
    whole is left to the service (where an unknown name alone is its 404)."""

    #: The service's own checks of a body (check_award or check_revoke), set by each subclass.
    service_checks: ClassVar[staticmethod[[Refusals, Registry, dict[str, Any]], None]]

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _every_bad_field(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        sent = set(original) if isinstance(original, dict) else set()
        refused = {name for name, field in self.fields.items() if name not in data and (name in sent or field.required)}
        if not refused and sent <= set(self.fields):
            return
        refusals = Refusals(refused)
        gk = current_guildkit()
        if isinstance(data.get("user_id"), str):
            refusals.check("user_id", lambda: gk.member(data["user_id"]))
        type(self).service_checks(refusals, gk.registry, data)
        if refusals.found:
            raise ValidationError(refusals.found.errors)


def _award_checks(refusals: Refusals, registry: Registry, data: dict[str, Any]) -> None:
    what = {name: data[name] for name in AwardFields.__annotations__ if name in data}
    check_award(refusals, registry, data.get("reason", ""), **what)


def _revoke_checks(refusals: Refusals, registry: Registry, data: dict[str, Any]) -> None:
    check_revoke(refusals, registry, data.get("reason", ""), data.get("badge"), data.get("level"), data.get("role"))


class AwardChecks(_ManualChecks):
    service_checks = staticmethod(_award_checks)


class RevokeChecks(_ManualChecks):
    service_checks = staticmethod(_revoke_checks)


class ManualAwardIn(AwardChecks):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    points = fields.Integer(load_default=None)
    point_type = fields.String(load_default=None, validate=validate.Length(1, 100))
    badge = fields.String(load_default=None, validate=validate.Length(1, 100))
    level = fields.Integer(load_default=1, validate=validate.Range(1, 100))
    role = fields.String(load_default=None, validate=validate.Length(1, 100))
    key = fields.String(
        load_default=None,
        validate=validate.Length(1, 191),
        metadata={"description": "idempotency key (default: a new one)"},
    )


class ManualRevokeIn(RevokeChecks):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    badge = fields.String(load_default=None, validate=validate.Length(1, 100))
    level = fields.Integer(load_default=None, validate=validate.Range(1, 100))
    role = fields.String(load_default=None, validate=validate.Length(1, 100))
    key = fields.String(load_default=None, validate=validate.Length(1, 191))


class ProgressSchema(Schema):
    badge = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    levels = fields.Integer(required=True)
    value = fields.Integer(required=True)
    next_threshold = fields.Integer(allow_none=True)
    percent = fields.Integer(required=True)
    metric = fields.String(required=True, metadata={"description": "what the rule counts, for developers"})
    goal = fields.String(required=True, metadata={"description": "what the next level asks, in words"})


class LeaderboardQuery(PageQuery):
    period = fields.String(load_default="all", validate=validate.OneOf(("all", "week", "month")))


class StandingSchema(Schema):
    rank = fields.Integer(required=True)
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    points = fields.Integer(required=True)


class BoardStandingSchema(StandingSchema):
    """A row of a week, month or all-time board, with its change since ``previous_at``."""

    previous_rank = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "the rank at previous_at (a week or month board: on the previous period's board "
            "as it ended; all time: at the start of this week), among the members listed today; "
            "null when not on the board then"
        },
    )
    movement = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "places gained since previous_at (previous_rank - rank; negative: lost); null when new"
        },
    )


class LeaderboardSchema(Schema):
    point_type = fields.String(required=True)
    period = fields.String(required=True)
    since = fields.AwareDateTime(allow_none=True)
    previous_at = fields.AwareDateTime(
        required=True,
        metadata={"description": "what previous_rank compares with: the start of this period (all time: of this week)"},
    )
    items = fields.List(fields.Nested(BoardStandingSchema), required=True)
    next_cursor = fields.String(allow_none=True)
    me = fields.Nested(BoardStandingSchema, allow_none=True, metadata={"description": "the caller's standing"})


class RoleSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    permissions = fields.List(fields.String(), required=True)


class GrantSchema(Schema):
    role = fields.String(required=True, attribute="role_slug")
    rule = fields.String(required=True)
    reason = fields.String(required=True)
    granted_at = fields.AwareDateTime(required=True)


class GrantBody(Schema):
    role = fields.String(required=True, validate=validate.Length(1, 100))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class StatusBody(Schema):
    status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class ReasonBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class ActivityIn(Schema):
    type = fields.String(required=True, validate=validate.Regexp(TYPE_RE.pattern))
    key = fields.String(load_default=None, validate=validate.Length(1, 191))
    actor = fields.String(load_default=None, validate=validate.Length(1, 191))
    target = fields.String(load_default=None, validate=validate.Length(1, 191))
    subject = fields.String(load_default=None, validate=validate.Length(1, 191))
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    occurred_at = fields.AwareDateTime(load_default=None)

    @validates_schema
    def _someone(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("actor") is None and data.get("target") is None:
            raise ValidationError("an activity needs an actor or a target", field_name="actor")


class BatchIn(Schema):
    activities = fields.List(fields.Nested(ActivityIn), required=True, validate=validate.Length(1, 1000))


class PointsChangeSchema(Schema):
    user_id = fields.String(required=True)
    point_type = fields.String(required=True)
    amount = fields.Integer(required=True)
    balance = fields.Integer(required=True)
    rule = fields.String(required=True)
    reason = fields.String(required=True)


class BadgeChangeSchema(Schema):
    user_id = fields.String(required=True)
    badge = fields.String(required=True)
    level = fields.Integer(required=True)
    rule = fields.String(required=True)
    granted = fields.Boolean(required=True)


class RoleChangeSchema(Schema):
    user_id = fields.String(required=True)
    role = fields.String(required=True)
    rule = fields.String(required=True)
    granted = fields.Boolean(required=True)


class ActivityResultSchema(Schema):
    key = fields.String(required=True)
    activity_id = fields.Integer(required=True)
    type = fields.String(required=True)
    duplicate = fields.Boolean(required=True, metadata={"description": "true for a replay of a known key"})
    retracted = fields.Boolean(required=True)
    points = fields.List(fields.Nested(PointsChangeSchema), required=True)
    badges = fields.List(fields.Nested(BadgeChangeSchema), required=True)
    roles = fields.List(fields.Nested(RoleChangeSchema), required=True)


class BatchResultSchema(Schema):
    results = fields.List(fields.Nested(ActivityResultSchema), required=True)


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "what it says, in the caller's language"})
    data = fields.Dict(required=True)
    created_at = fields.AwareDateTime(required=True)
    read_at = fields.AwareDateTime(allow_none=True)


class MeSchema(Schema):
    user_id = fields.String(allow_none=True)
    member = fields.Nested(MemberDetailSchema, allow_none=True)
    permissions = fields.List(fields.String(), required=True)
    unread_notifications = fields.Integer(required=True)
