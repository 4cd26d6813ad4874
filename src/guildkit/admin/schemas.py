"""marshmallow schemas for the admin API (``/api/admin/...``, docs/admin.md).

They check shapes and types; what a value means (a tier per threshold, a point type that
exists, a slug nobody uses) is checked by :mod:`guildkit.admin`, which names the field too.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.admin.models import CRITERIA
from guildkit.models import TIERS
from guildkit.text import MAX_ROW_ID
from guildkit.web.schemas import AwardChecks, RevokeChecks

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")


class BadgeChangeIn(Schema):
    """The editable fields of a console badge; any left out keep their value."""

    name = fields.String(validate=validate.Length(1, 191))
    description = fields.String(validate=validate.Length(0, 2000))
    category = fields.String(validate=validate.Length(1, 100))
    tiers = fields.List(
        fields.String(validate=validate.OneOf(TIERS)),
        validate=validate.Length(1, 10),
        metadata={"description": "one tier per level, e.g. [bronze, silver, gold]"},
    )
    secret = fields.Boolean()
    criterion = fields.String(
        validate=validate.OneOf(CRITERIA),
        metadata={
            "description": "count: a count of activity_type reaches each threshold; points: a balance of "
            "point_type does; each: on every activity_type; manual: awarded by hand only"
        },
    )
    activity_type = fields.String(allow_none=True, validate=SLUG)
    subject_role = fields.String(validate=validate.OneOf(("actor", "target")))
    point_type = fields.String(allow_none=True, validate=SLUG)
    thresholds = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_ROW_ID)), validate=validate.Length(0, 10)
    )


class BadgeIn(BadgeChangeIn):
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 191))


class ArchiveIn(Schema):
    reason = fields.String(load_default="", validate=validate.Length(0, 2000))


class AdminBadgeSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True)
    tiers = fields.List(fields.String(), required=True)
    origin = fields.String(required=True, metadata={"description": "the plugin, file or 'admin console'"})
    origin_kind = fields.String(required=True, metadata={"description": "database, file, code, built-in or plugin"})
    editable = fields.Boolean(required=True, metadata={"description": "made in the console (others are read-only)"})
    archived = fields.Boolean(required=True)
    secret = fields.Boolean(required=True)
    repeatable = fields.Boolean(required=True)
    criteria = fields.List(fields.String(), required=True, metadata={"description": "what each awarding rule says"})
    criterion = fields.String(allow_none=True)
    activity_type = fields.String(allow_none=True)
    subject_role = fields.String(allow_none=True)
    point_type = fields.String(allow_none=True)
    thresholds = fields.List(fields.Integer(), allow_none=True)
    image_type = fields.String(allow_none=True, metadata={"description": "uploaded image type; none: generated"})


class AdminAwardIn(AwardChecks):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    points = fields.Integer(
        load_default=None,
        strict=True,
        validate=validate.Range(-1_000_000, 1_000_000),
        metadata={"description": "negative takes points away"},
    )
    point_type = fields.String(load_default=None, validate=validate.Length(1, 100))
    badge = fields.String(load_default=None, validate=validate.Length(1, 100))
    level = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, 100))
    role = fields.String(load_default=None, validate=validate.Length(1, 100))


class AdminRevokeIn(RevokeChecks):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    badge = fields.String(load_default=None, validate=validate.Length(1, 100))
    level = fields.Integer(load_default=None, strict=True, validate=validate.Range(1, 100))
    role = fields.String(load_default=None, validate=validate.Length(1, 100))


class RoleChangeIn(Schema):
    name = fields.String(validate=validate.Length(1, 191))
    description = fields.String(validate=validate.Length(0, 2000))
    permissions = fields.List(fields.String(validate=validate.Length(1, 100)), validate=validate.Length(0, 50))


class RoleIn(RoleChangeIn):
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 191))


class AdminRoleSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    permissions = fields.List(fields.String(), required=True)
    origin = fields.String(required=True)
    origin_kind = fields.String(required=True)
    editable = fields.Boolean(required=True)


class RoleGrantIn(Schema):
    user_id = fields.String(required=True, validate=validate.Length(1, 191))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class PermissionSchema(Schema):
    name = fields.String(required=True)
    description = fields.String(required=True)


class RuleSchema(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "the rule's class, e.g. BadgeRule"})
    origin = fields.String(required=True)
    origin_kind = fields.String(required=True)
    triggers = fields.List(fields.String(), required=True)
    description = fields.String(required=True, metadata={"description": "what it awards (describe())"})


class RuleVersionSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "v1, v2 … in the order first used"})
    content_hash = fields.String(required=True, metadata={"description": "SHA-256 of the rule set's snapshot"})
    first_seen_at = fields.AwareDateTime(required=True)
    last_seen_at = fields.AwareDateTime(required=True)
    in_force = fields.Boolean(required=True)
    changes = fields.List(
        fields.String(), required=True, metadata={"description": "what it changed from the version before, in words"}
    )


class PluginSchema(Schema):
    name = fields.String(required=True)
    package = fields.String(allow_none=True)
    version = fields.String(allow_none=True)
    hooks = fields.List(fields.String(), required=True)


class FailureQuery(Schema):
    plugin = fields.String(load_default=None, validate=validate.Length(1, 191))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class FailureSchema(Schema):
    id = fields.Integer(required=True)
    plugin = fields.String(required=True)
    hook = fields.String(required=True)
    error = fields.String(required=True)
    activity_key = fields.String(allow_none=True)
    at = fields.AwareDateTime(required=True)


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    scopes = fields.List(
        fields.String(validate=validate.Length(1, 100)), required=True, validate=validate.Length(1, 20)
    )


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "the token's first characters"})
    scopes = fields.List(fields.String(), required=True)
    created_at = fields.AwareDateTime(required=True)
    created_by = fields.String(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "the token itself: shown this once, never again"})


class AuditQuery(Schema):
    area = fields.String(
        load_default=None, validate=validate.Length(1, 32), metadata={"description": "admin, moderation or tokens"}
    )
    actor = fields.String(load_default=None, validate=validate.Length(1, 191))
    action = fields.String(load_default=None, validate=validate.Length(1, 64))
    since = fields.AwareDateTime(load_default=None, metadata={"description": "from this time (inclusive)"})
    until = fields.AwareDateTime(load_default=None, metadata={"description": "before this time"})
    before = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ROW_ID),
        metadata={"description": "entries older than this id"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class AdminAuditSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(required=True, metadata={"description": "admin, moderation or tokens"})
    member = fields.String(allow_none=True, metadata={"description": "the member it concerns, if any"})
    subject = fields.String(allow_none=True, metadata={"description": "what it is filed under: case:<id>"})
    actor = fields.String(allow_none=True)
    action = fields.String(required=True)
    target = fields.String(allow_none=True)
    reason = fields.String(required=True)
    details = fields.Dict(required=True)
    at = fields.AwareDateTime(required=True)


class RulePreviewIn(Schema):
    rules = fields.String(
        load_default="",
        validate=validate.Length(0, 200_000),
        metadata={"description": "proposed definitions, as rule-file TOML; they replace those of the same names"},
    )
    remove = fields.List(
        fields.String(validate=validate.Length(1, 191)),
        load_default=list,
        validate=validate.Length(0, 100),
        metadata={"description": "rules, badges, roles or point types to leave out"},
    )
    badge = fields.String(
        load_default=None,
        validate=validate.Length(1, 100),
        metadata={"description": "instead: who already qualifies for this badge of the rules in force (a backfill)"},
    )


class PreviewQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_ROW_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class RulePreviewSchema(Schema):
    id = fields.Integer(required=True)
    subject = fields.String(required=True, metadata={"description": "what was previewed, in words"})
    proposal = fields.String(required=True)
    removed = fields.List(fields.String(), required=True)
    version = fields.Integer(allow_none=True, metadata={"description": "the version in force when it ran"})
    activities = fields.Integer(required=True, metadata={"description": "activities replayed"})
    counters_only = fields.Integer(required=True, metadata={"description": "members with nothing visible changed"})
    totals = fields.Dict(required=True, metadata={"description": "points gained and lost per type, badges …"})
    created_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    members = fields.List(fields.Dict(), required=True, metadata={"description": "this page of members affected"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    member_count = fields.Integer(required=True, metadata={"description": "members affected, on every page"})


class RuleApplyIn(Schema):
    version = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ROW_ID),
        metadata={"description": "refuse unless this is the version in force"},
    )
    grandfather = fields.Boolean(load_default=False, metadata={"description": "keep what the rules no longer give"})
    notify = fields.String(load_default="gains", validate=validate.OneOf(["gains", "nobody"]))
    dated = fields.String(load_default="earned", validate=validate.OneOf(["earned", "today"]))
    badge = fields.String(
        load_default=None, validate=validate.Length(1, 100), metadata={"description": "only this badge (a backfill)"}
    )


class RuleApplyStartedSchema(Schema):
    status = fields.String(required=True, metadata={"description": "started: the audit log records the result"})
