"""Manual awards, revocations and status changes (``gk.award`` / ``gk.revoke`` / ``gk.set_status``).

They are activities like any other (types ``guildkit.award``, ``guildkit.revoke`` and
``guildkit.status``), so each sits in the record with its reason and who did it; an award can
be retracted like a vote. Retracting a status change does not restore the previous status: set
it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from guildkit.builtin.opening import OpeningRule
from guildkit.errors import UnknownBadge, UnknownPointType, UnknownRole, ValidationError
from guildkit.i18n import gettext as _
from guildkit.markers import hookimpl
from guildkit.rules.base import (
    AwardBadge,
    AwardPoints,
    GrantRole,
    Outcome,
    RevokeBadge,
    RevokeRole,
    RuleContext,
    SetStatus,
)
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.metrics import Metric
    from guildkit.registry import Registry
    from guildkit.rules.base import Rule

AWARD = "guildkit.award"
REVOKE = "guildkit.revoke"
STATUS = "guildkit.status"
REASON_MAX = 2000
#: The most points one manual award gives or takes (ledger amounts are 64-bit; sums must stay so).
MAX_POINTS = 1_000_000_000


class AwardFields(TypedDict, total=False):
    """What a manual award gives: ``points`` of ``point_type``, a ``badge`` at ``level`` (1), a ``role``."""

    points: int | None
    point_type: str | None
    badge: str | None
    level: int
    role: str | None


def award_payload(registry: Registry, reason: str, **what: Unpack[AwardFields]) -> dict[str, Any]:
    """The checked payload of a ``guildkit.award`` (what ``gk.award`` and the console record)."""
    unknown = set(what) - set(AwardFields.__annotations__)
    if unknown:
        raise ValidationError(f"gk.award() got unknown arguments {sorted(unknown)}", field=sorted(unknown)[0])
    points, point_type = what.get("points"), _name(what.get("point_type"), "point_type")
    badge, role = _name(what.get("badge"), "badge"), _name(what.get("role"), "role")
    level = what.get("level", 1)
    check_text(reason, "reason", max_length=REASON_MAX)
    if points is None and badge is None and role is None:
        raise ValidationError(_("give points, a badge or a role to award"), field="points")
    if points is not None:
        if not isinstance(points, int) or isinstance(points, bool) or points == 0 or abs(points) > MAX_POINTS:
            raise ValidationError(_("points must be a non-zero integer from -%(most)d to %(most)d", most=MAX_POINTS),
                                  field="points")  # fmt: skip
        if point_type is None:
            raise ValidationError(_("points need a point_type"), field="point_type")
        if point_type not in registry.point_types:
            raise UnknownPointType(point_type)
    if badge is not None:
        if badge not in registry.badges:
            raise UnknownBadge(badge)
        _check_level(registry, badge, level)
    if role is not None and role not in registry.roles:
        raise UnknownRole(role)
    return {"reason": reason, "points": points, "point_type": point_type, "badge": badge, "level": level, "role": role}


def revoke_payload(
    registry: Registry, reason: str, badge: str | None, level: int | None, role: str | None
) -> dict[str, Any]:
    """The checked payload of a ``guildkit.revoke`` (what ``gk.revoke`` and the console record)."""
    badge, role = _name(badge, "badge"), _name(role, "role")
    check_text(reason, "reason", max_length=REASON_MAX)
    if badge is None and role is None:
        raise ValidationError(_("name a badge or a role to revoke"), field="badge")
    if badge is not None and badge not in registry.badges:
        raise UnknownBadge(badge)
    if level is not None:
        if badge is None:
            raise ValidationError(_("a level needs a badge"), field="level")
        _check_level(registry, badge, level)
    if role is not None and role not in registry.roles:
        raise UnknownRole(role)
    return {"reason": reason, "badge": badge, "level": level, "role": role}


def _name(value: object, field: str) -> str | None:
    # A slug is looked up in a dict: anything but text would be a TypeError (or a wrong match).
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{field} must be a slug (text), got {type(value).__name__}", field=field)
    return value


def _check_level(registry: Registry, badge: str, level: object) -> None:
    levels = len(registry.badges[badge].levels)
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= levels:
        raise ValidationError(
            _(
                "badge %(badge)s has levels 1 to %(levels)d, not %(level)s",
                badge=repr(badge),
                levels=levels,
                level=repr(level),
            ),
            field="level",
        )


@dataclass(frozen=True)
class ManualRule:
    name: str = "guildkit.manual"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({AWARD, REVOKE, STATUS})

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        activity = ctx.activity
        member = activity.target_id
        if member is None:
            return
        p = activity.payload
        reason = str(p.get("reason", ""))
        if activity.type == STATUS:
            yield SetStatus(member, str(p["status"]), reason)
        elif activity.type == AWARD:
            if p.get("points") is not None:
                yield AwardPoints(member, str(p["point_type"]), int(p["points"]), reason, capped=False)
            if p.get("badge"):
                yield AwardBadge(member, str(p["badge"]), int(p.get("level") or 1), reason)
            if p.get("role"):
                yield GrantRole(member, str(p["role"]), reason)
        else:
            if p.get("badge"):
                level = p.get("level")
                yield RevokeBadge(member, str(p["badge"]), None if level is None else int(level), reason)
            if p.get("role"):
                yield RevokeRole(member, str(p["role"]), reason)

    def describe(self) -> str:
        return "manual awards and revocations by staff"


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[Rule]:
    # Opening balances of imported history are the core's too: a replay of the stored
    # activities must give them back whichever features are on.
    return [ManualRule(), OpeningRule()]
