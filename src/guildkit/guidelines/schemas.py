"""marshmallow schemas for the community guidelines API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guildkit.guidelines import BODY_MAX, SUMMARY_MAX, TITLE_MAX


class GuidelinesSchema(Schema):
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Markdown (CommonMark)"})
    html = fields.String(required=True, metadata={"description": "the body rendered, without raw HTML"})
    summary = fields.String(required=True, metadata={"description": "what changed since the previous version"})
    published_at = fields.AwareDateTime(required=True)
    published_by = fields.String(allow_none=True)


class CurrentGuidelinesSchema(GuidelinesSchema):
    accepted = fields.Boolean(
        allow_none=True, metadata={"description": "whether the signed-in person accepted it (null: nobody signed in)"}
    )
    accepted_at = fields.AwareDateTime(allow_none=True)


class GuidelinesIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, TITLE_MAX))
    body = fields.String(required=True, validate=validate.Length(1, BODY_MAX))
    summary = fields.String(load_default="", validate=validate.Length(0, SUMMARY_MAX))


class AcceptIn(Schema):
    version = fields.Integer(required=True, strict=True, metadata={"description": "the current version"})


class AcceptanceSchema(Schema):
    user_id = fields.String(required=True)
    version = fields.Integer(required=True)
    accepted_at = fields.AwareDateTime(required=True)
