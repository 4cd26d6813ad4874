"""Checking what an admin typed for a console badge or role, field by field.

:func:`badge_values` and :func:`role_values` turn a mapping of form or JSON fields into the
row to store, raising :class:`~guildkit.errors.ValidationError` naming the field at fault.
Whether the result fits with everything else (a slug a plugin already uses, a point type
that does not exist) is checked afterwards by a trial registry build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guildkit.activity import TYPE_RE
from guildkit.admin.models import CRITERIA
from guildkit.definitions import check_slug
from guildkit.errors import ValidationError
from guildkit.models import TIERS
from guildkit.text import check_text

MAX_LEVELS = 10
BADGE_FIELDS = (
    "name",
    "description",
    "category",
    "tiers",
    "secret",
    "criterion",
    "activity_type",
    "subject_role",
    "point_type",
    "thresholds",
)
ROLE_FIELDS = ("name", "description", "permissions")


def _unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ValidationError(f"unknown field {extra[0]!r}", field=extra[0])


def _int_list(value: object, field: str) -> list[int]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError(f"{field} must be a list of whole numbers", field=field)
    return list(value)


def badge_values(data: Mapping[str, Any], *, slug: str | None = None) -> dict[str, Any]:
    """The stored row for a console badge; with ``slug``, ``data`` must carry it (a new badge)."""
    _unknown(data, ("slug", *BADGE_FIELDS) if slug is None else BADGE_FIELDS)
    row: dict[str, Any] = {}
    if slug is None:
        row["slug"] = check_slug(data.get("slug"), "slug")
    row["name"] = check_text(data.get("name"), "name").strip()
    row["description"] = check_text(data.get("description", ""), "description", max_length=2000, empty=True)
    category = data.get("category") or "general"
    row["category"] = check_text(category, "category", max_length=100).strip()
    tiers = data.get("tiers", ["bronze"])
    if (
        not isinstance(tiers, list | tuple)
        or not tiers
        or len(tiers) > MAX_LEVELS
        or not all(t in TIERS for t in tiers)
    ):
        raise ValidationError(f"tiers must be 1 to {MAX_LEVELS} of {', '.join(TIERS)}, one per level", field="tiers")
    row["tiers"] = list(tiers)
    secret = data.get("secret", False)
    if not isinstance(secret, bool):
        raise ValidationError("secret must be true or false", field="secret")
    row["secret"] = secret
    criterion = data.get("criterion", "manual")
    if criterion not in CRITERIA:
        raise ValidationError(f"criterion must be one of {', '.join(CRITERIA)}", field="criterion")
    row["criterion"] = criterion
    subject_role = data.get("subject_role") or "actor"
    if subject_role not in ("actor", "target"):
        raise ValidationError("subject_role must be 'actor' or 'target'", field="subject_role")
    row["subject_role"] = subject_role
    row["activity_type"] = row["point_type"] = None
    row["thresholds"] = []
    if criterion in ("count", "each"):
        activity_type = data.get("activity_type")
        if not isinstance(activity_type, str) or not TYPE_RE.match(activity_type):
            raise ValidationError("activity_type must be an activity type such as answer.posted", field="activity_type")
        row["activity_type"] = activity_type
    if criterion == "points":
        row["point_type"] = check_slug(data.get("point_type"), "point_type")
    if criterion in ("count", "points"):
        thresholds = _int_list(data.get("thresholds"), "thresholds")
        if len(thresholds) != len(row["tiers"]):
            raise ValidationError("give one threshold per level (tier)", field="thresholds")
        if any(t < 1 for t in thresholds) or thresholds != sorted(set(thresholds)):
            raise ValidationError("thresholds must be increasing whole numbers from 1", field="thresholds")
        row["thresholds"] = thresholds
    if criterion == "each" and len(row["tiers"]) != 1:
        raise ValidationError("a badge earned on each activity has one level (one tier)", field="tiers")
    return row


def role_values(data: Mapping[str, Any], known: Iterable[str], *, slug: str | None = None) -> dict[str, Any]:
    """The stored row for a console role; permissions must come from ``known``."""
    _unknown(data, ("slug", *ROLE_FIELDS) if slug is None else ROLE_FIELDS)
    row: dict[str, Any] = {}
    if slug is None:
        row["slug"] = check_slug(data.get("slug"), "slug")
    row["name"] = check_text(data.get("name"), "name").strip()
    row["description"] = check_text(data.get("description", ""), "description", max_length=2000, empty=True)
    permissions = data.get("permissions", [])
    allowed = set(known)
    if not isinstance(permissions, list | tuple) or not all(isinstance(p, str) for p in permissions):
        raise ValidationError("permissions must be a list of permission names", field="permissions")
    unknown = sorted(set(permissions) - allowed)
    if unknown:
        raise ValidationError(f"unknown permission {unknown[0]!r}", field="permissions")
    row["permissions"] = sorted(set(permissions))
    return row
