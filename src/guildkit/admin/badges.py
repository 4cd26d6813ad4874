"""Checking what an admin typed for a console badge or role, field by field.

:func:`badge_values` and :func:`role_values` turn a mapping of form or JSON fields into the
row to store, raising one :class:`~guildkit.errors.ValidationError` naming every field at fault.
Whether the result fits with everything else (a slug a plugin already uses, a point type
that does not exist) is checked afterwards by a trial registry build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from guildkit.activity import TYPE_RE
from guildkit.admin.models import CRITERIA
from guildkit.definitions import check_slug
from guildkit.errors import FieldErrors, ValidationError, check_fields
from guildkit.i18n import gettext as _
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
        raise ValidationError("unknown field", field=extra[0])


def _int_list(value: object, field: str) -> list[int]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError(f"{field} must be a list of whole numbers", field=field)
    return list(value)


def _tiers(value: object) -> list[str]:
    if (
        not isinstance(value, list | tuple)
        or not value
        or len(value) > MAX_LEVELS
        or not all(t in TIERS for t in value)
    ):
        raise ValidationError(
            _("tiers must be 1 to %(most)s of %(tiers)s, one per level", most=MAX_LEVELS, tiers=", ".join(TIERS)),
            field="tiers",
        )
    return list(value)


def _secret(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("secret must be true or false", field="secret")
    return value


def _criterion(value: object) -> str:
    if not isinstance(value, str) or value not in CRITERIA:
        raise ValidationError(
            _("criterion must be one of %(criteria)s", criteria=", ".join(CRITERIA)), field="criterion"
        )
    return value


def _subject_role(value: object) -> str:
    if value not in ("actor", "target"):
        raise ValidationError(_("subject_role must be 'actor' or 'target'"), field="subject_role")
    return str(value)


def _activity_type(value: object) -> str:
    if not isinstance(value, str) or not TYPE_RE.match(value):
        raise ValidationError(_("activity_type must be an activity type such as answer.posted"), field="activity_type")
    return value


def _thresholds(value: object, tiers: list[str] | None) -> list[int]:
    thresholds = _int_list(value, "thresholds")
    if tiers is not None and len(thresholds) != len(tiers):
        raise ValidationError(_("give one threshold per level (tier)"), field="thresholds")
    if any(t < 1 for t in thresholds) or thresholds != sorted(set(thresholds)):
        raise ValidationError(_("thresholds must be increasing whole numbers from 1"), field="thresholds")
    return thresholds


def badge_values(data: Mapping[str, Any], *, slug: str | None = None) -> dict[str, Any]:
    """The stored row for a console badge; with ``slug``, ``data`` must carry it (a new badge).
    Every bad field is refused at once (one :class:`ValidationError` naming each)."""
    _unknown(data, ("slug", *BADGE_FIELDS) if slug is None else BADGE_FIELDS)
    found = FieldErrors()
    checks: dict[str, Callable[[], Any]] = (
        {"slug": lambda: check_slug(data.get("slug"), "slug")} if slug is None else {}
    )
    row = found.check_all(
        checks
        | {
            "name": lambda: check_text(data.get("name"), "name").strip(),
            "description": lambda: check_text(data.get("description", ""), "description", max_length=2000, empty=True),
            "category": lambda: check_text(data.get("category") or "general", "category", max_length=100).strip(),
            "tiers": lambda: _tiers(data.get("tiers", ["bronze"])),
            "secret": lambda: _secret(data.get("secret", False)),
            "criterion": lambda: _criterion(data.get("criterion", "manual")),
            "subject_role": lambda: _subject_role(data.get("subject_role") or "actor"),
        }
    )
    criterion, tiers = row.get("criterion"), row.get("tiers")
    row.update(activity_type=None, point_type=None, thresholds=[])
    if criterion in ("count", "each"):
        row |= found.check_all({"activity_type": lambda: _activity_type(data.get("activity_type"))})
    if criterion == "points":
        row |= found.check_all({"point_type": lambda: check_slug(data.get("point_type"), "point_type")})
    if criterion in ("count", "points"):
        row |= found.check_all({"thresholds": lambda: _thresholds(data.get("thresholds"), tiers)})
    if criterion == "each" and tiers is not None and len(tiers) != 1:
        found.add("tiers", _("a badge earned on each activity has one level (one tier)"))
    found.raise_if_any()
    return row


def _permissions(value: object, known: Iterable[str]) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
        raise ValidationError("permissions must be a list of permission names", field="permissions")
    if set(value) - set(known):
        raise ValidationError(_("permissions must be among the community's permissions"), field="permissions")
    return sorted(set(value))


def role_values(data: Mapping[str, Any], known: Iterable[str], *, slug: str | None = None) -> dict[str, Any]:
    """The stored row for a console role; permissions must come from ``known``. Every bad field
    is refused at once."""
    _unknown(data, ("slug", *ROLE_FIELDS) if slug is None else ROLE_FIELDS)
    checks: dict[str, Callable[[], Any]] = (
        {"slug": lambda: check_slug(data.get("slug"), "slug")} if slug is None else {}
    )
    return check_fields(
        checks
        | {
            "name": lambda: check_text(data.get("name"), "name").strip(),
            "description": lambda: check_text(data.get("description", ""), "description", max_length=2000, empty=True),
            "permissions": lambda: _permissions(data.get("permissions", []), known),
        }
    )
