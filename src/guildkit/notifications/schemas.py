"""marshmallow schemas of the notification preferences API (:mod:`.api`), and its OpenAPI components.

The schemas check shapes; the service checks meaning (a kind that exists, a delivery it offers)
and names ``kinds.<kind>`` when it refuses.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from guildkit.notifications.hookspecs import DELIVERIES

DELIVERY_HELP = "off: not at all; app: in the app; email: in the app and by email at once; digest: in the app and in the weekly digest email"  # noqa: E501


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` only: not ``"no"``, ``0`` or ``"off"``, which marshmallow's takes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class KindPreferenceSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "the kind's name, as notifications carry it"})
    label = fields.String(required=True, metadata={"description": "what the member is told, in words"})
    description = fields.String(required=True)
    section = fields.String(required=True, metadata={"description": "the group it is listed in"})
    delivery = fields.String(
        required=True, validate=validate.OneOf(DELIVERIES), metadata={"description": DELIVERY_HELP}
    )
    default = fields.String(required=True, validate=validate.OneOf(DELIVERIES))
    chosen = fields.Boolean(required=True, metadata={"description": "the member chose it (else it is the default)"})
    choices = fields.List(fields.String(), required=True, metadata={"description": "the deliveries it offers"})


class PreferencesSchema(Schema):
    email = fields.Boolean(
        required=True, metadata={"description": "false: the member wants no email at all, whatever the kinds say"}
    )
    email_enabled = fields.Boolean(required=True, metadata={"description": "whether this site sends email at all"})
    kinds = fields.List(fields.Nested(KindPreferenceSchema), required=True)


class PreferencesIn(Schema):
    kinds = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 50)),
        values=fields.String(validate=validate.Length(1, 10)),
        load_default=dict,
        metadata={"description": "{kind: delivery} for the kinds to change; the others keep theirs. " + DELIVERY_HELP},
    )
    email = StrictBoolean(
        load_default=None, allow_none=True, metadata={"description": "false: stop all email; true: allow it again"}
    )
