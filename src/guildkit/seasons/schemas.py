"""marshmallow schemas of the seasons API (:mod:`.api`): requests, responses, OpenAPI components.

The schemas check shapes and sizes; the service checks meaning (an end after the start, a point
type and a badge that exist) and names the field when it refuses.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.seasons.service import DESCRIPTION_MAX, NAME_MAX, TOP_N_MAX
from guildkit.seasons.views import STATES
from guildkit.web.schemas import PageQuery, StandingSchema


class SeasonPatch(Schema):
    """Every field optional: only those sent change."""

    name = fields.String(validate=validate.Length(1, NAME_MAX), metadata={"description": "e.g. Spring 2027"})
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    point_type = fields.String(validate=validate.Length(1, 100), metadata={"description": "the points it ranks"})
    starts_at = fields.AwareDateTime(metadata={"description": "inclusive, with its offset"})
    ends_at = fields.AwareDateTime(metadata={"description": "exclusive, with its offset"})
    top_n = fields.Integer(
        allow_none=True, validate=validate.Range(1, TOP_N_MAX), metadata={"description": "who gets the badge"}
    )
    badge = fields.String(
        allow_none=True,
        validate=validate.Length(1, 100),
        metadata={"description": "the badge the top N get (with define_badge: the slug of the season's own)"},
    )
    define_badge = fields.Boolean(metadata={"description": "the season defines its badge: 'Top 10 of Spring 2027'"})


class SeasonIn(SeasonPatch):
    slug = fields.String(required=True, validate=validate.Length(1, 64), metadata={"description": "e.g. spring-2027"})
    name = fields.String(required=True, validate=validate.Length(1, NAME_MAX))
    point_type = fields.String(required=True, validate=validate.Length(1, 100))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "inclusive, with its offset"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "exclusive, with its offset"})


class SeasonSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    point_type = fields.String(required=True)
    point_type_name = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    top_n = fields.Integer(allow_none=True)
    badge = fields.String(allow_none=True)
    badge_name = fields.String(allow_none=True)
    defines_badge = fields.Boolean(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    awarded_at = fields.AwareDateTime(allow_none=True)
    me = fields.Nested(StandingSchema, allow_none=True, metadata={"description": "the caller's standing"})


class SeasonBoardQuery(PageQuery):
    around = fields.String(
        load_default=None,
        validate=validate.Length(1, 191),
        metadata={"description": "a user id: the page around that member instead of the top"},
    )


class SeasonBoardSchema(Schema):
    season = fields.String(required=True, metadata={"description": "the season's slug"})
    state = fields.String(required=True)
    items = fields.List(fields.Nested(StandingSchema), required=True)
    next_cursor = fields.String(allow_none=True)
    me = fields.Nested(StandingSchema, allow_none=True, metadata={"description": "the caller's standing"})


class SeasonCloseSchema(Schema):
    slug = fields.String(required=True)
    closed = fields.Boolean(required=True, metadata={"description": "closed by this call"})
    ranked = fields.Integer(required=True)
    awarded = fields.Integer(required=True, metadata={"description": "season badges awarded by this call"})
    error = fields.String(allow_none=True, metadata={"description": "why the awards are still due"})
