"""A new challenge's fields, checked before anything is written: every bad field at once.

:func:`check` returns the challenge's columns and its steps, or raises one
:class:`~guildkit.errors.ValidationError` naming each bad field; a step's fields are named
``steps.<index>.activity_type`` and ``steps.<index>.count`` (from 0, as in the request body).
What is checked: a title; an end after the start (and, for a weekly challenge, at most a week
later); one or more steps, each of an activity type the registry declares (guildkit's own
book-keeping and this feature's reward excepted) and a count from 1; a reward of points of a
known point type; group challenges only with a ``gk.groups`` service, for a group that exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from guildkit.challenges import group_service
from guildkit.challenges.models import AUDIENCES, RECURRENCES
from guildkit.challenges.rewards import COMPLETED
from guildkit.errors import FieldErrors, ValidationError
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.text import check_row_id, multi_line, single_line

if TYPE_CHECKING:
    from guildkit.definitions import ActivityTypeDef
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry

TITLE_MAX = 150
DESCRIPTION_MAX = 2000
COUNT_MAX = 100_000
POINTS_MAX = 1_000_000
WEEK = timedelta(days=7)
#: The largest id a row here (or a group) has: ids are 32-bit ``INTEGER`` columns.
#: What :func:`check` takes (the arguments of ``gk.challenges.create`` besides who and how).
FIELDS = (
    "title", "description", "starts_at", "ends_at", "steps", "audience", "group_id", "ordered", "reward_points",
    "reward_point_type", "award_badge", "recurrence",
)  # fmt: skip


@dataclass(frozen=True)
class Checked:
    """A challenge ready to store: its columns (``badge`` is made once it has an id) and steps."""

    columns: dict[str, Any]
    steps: list[tuple[str, int]]
    award_badge: bool


def row_id(value: object, field: str) -> int | None:
    """``None``, or a row id."""
    return check_row_id(value, field)


def step_types(registry: Registry) -> dict[str, ActivityTypeDef]:
    """The activity types a step may count: those declared, but guildkit's own book-keeping
    (``guildkit.*``: awards, status changes, expiry …) and the reward of a challenge."""
    return {
        name: words
        for name, words in registry.activity_types.items()
        if not name.startswith("guildkit.") and name != COMPLETED
    }


def check(gk: GuildKit, values: Mapping[str, Any], *, max_steps: int) -> Checked:
    """The columns and steps of a new challenge from ``values`` (see :data:`FIELDS`)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
    found = FieldErrors()
    registry = gk.registry
    checked = found.check_all(
        {
            "title": lambda: single_line(values.get("title"), "title", TITLE_MAX),
            "description": lambda: multi_line(values.get("description", ""), "description", DESCRIPTION_MAX),
            "starts_at": lambda: _aware(values.get("starts_at"), "starts_at"),
            "ends_at": lambda: _aware(values.get("ends_at"), "ends_at"),
            "audience": lambda: _one_of(values.get("audience", "individual"), AUDIENCES, "audience"),
            "group_id": lambda: row_id(values.get("group_id"), "group_id"),
            "ordered": lambda: _flag(values.get("ordered", False), "ordered"),
            "reward_points": lambda: _points(values.get("reward_points")),
            "award_badge": lambda: _flag(values.get("award_badge", False), "award_badge"),
            "recurrence": lambda: _one_of(values.get("recurrence", "none"), RECURRENCES, "recurrence"),
        }
    )
    steps = _steps(found, registry, values.get("steps"), bool(checked.get("ordered")), max_steps)
    starts, ends = checked.get("starts_at"), checked.get("ends_at")
    if starts is not None and ends is not None:
        if ends <= starts:
            found.add("ends_at", _("a challenge must end after it starts"))
        elif ends <= gk.clock():
            found.add("ends_at", _("a challenge must end in the future"))
        elif checked.get("recurrence") == "weekly" and ends - starts > WEEK:
            found.add("ends_at", _("a weekly challenge lasts at most a week"))
    point_type = None
    if checked.get("reward_points") is not None:
        point_type = values.get("reward_point_type") or _default_point_type(registry)
        if not isinstance(point_type, str) or point_type not in registry.point_types:
            found.add("reward_point_type", _("%(field)s must be one of the community's point types",
                                             field="reward_point_type"))  # fmt: skip
    _check_group(gk, found, checked)
    found.raise_if_any()
    columns = {
        name: checked[name]
        for name in ("title", "description", "starts_at", "ends_at", "audience", "group_id", "ordered", "recurrence")
    }
    columns |= {"reward_points": checked["reward_points"], "reward_point_type": point_type}
    return Checked(columns, steps, checked["award_badge"])


def _check_group(gk: GuildKit, found: FieldErrors, checked: dict[str, Any]) -> None:
    """Group challenges, and a challenge of one group, need ``gk.groups`` and a group that exists."""
    group_id = checked.get("group_id")
    if checked.get("audience") != "group" and group_id is None:
        return
    field = "audience" if checked.get("audience") == "group" else "group_id"
    try:
        group_service.required(gk, field)
    except ValidationError as exc:
        found.add_error(exc)
        return
    if group_id is not None and group_service.view(gk, group_id) is None:
        found.add("group_id", _("there is no such group"))


def _steps(
    found: FieldErrors, registry: Registry, value: object, ordered: bool, max_steps: int
) -> list[tuple[str, int]]:
    if not isinstance(value, list | tuple):
        found.add("steps", _("%(field)s must be a list of steps", field="steps"))
        return []
    if not value:
        found.add("steps", _("a challenge needs at least one step"))
        return []
    if len(value) > max_steps:
        found.add("steps", _("a challenge has at most %(most)s steps", most=format_number(max_steps)))
        return []
    known = step_types(registry)
    steps: list[tuple[str, int]] = []
    seen: set[str] = set()
    for index, step in enumerate(value):
        step = step if isinstance(step, Mapping) else {}
        kind, count = step.get("activity_type"), step.get("count")
        type_field, count_field = f"steps.{index}.activity_type", f"steps.{index}.count"
        if not isinstance(kind, str) or kind not in known:
            found.add(type_field, _("choose one of the activities the community records"))
        elif kind in seen and not ordered:
            found.add(type_field, _("this activity is already a step: count more of it in that step instead"))
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= COUNT_MAX:
            found.add(count_field, _("give how many times: a whole number from 1 to %(most)s",
                                     most=format_number(COUNT_MAX)))  # fmt: skip
        if isinstance(kind, str):
            seen.add(kind)
        if isinstance(kind, str) and isinstance(count, int):
            steps.append((kind, count))
    return steps


def _default_point_type(registry: Registry) -> str | None:
    types = registry.point_types
    return "reputation" if "reputation" in types else next(iter(types), None)


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(_("%(field)s must be an aware datetime", field=field), field=field)
    return value


def _one_of(value: object, allowed: tuple[str, ...], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(
            _("%(field)s must be one of %(allowed)s", field=field, allowed=", ".join(allowed)), field=field
        )
    return value


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("%(field)s must be true or false", field=field), field=field)
    return value


def _points(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= POINTS_MAX):
        raise ValidationError(
            _("%(field)s must be a whole number from 1 to %(most)s", field="reward_points",
              most=format_number(POINTS_MAX)),
            field="reward_points",
        )  # fmt: skip
    return value
