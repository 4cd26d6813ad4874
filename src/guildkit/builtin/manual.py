"""Manual awards, revocations and status changes (``gk.award`` / ``gk.revoke`` / ``gk.set_status``).

They are activities like any other (types ``guildkit.award``, ``guildkit.revoke`` and
``guildkit.status``), so each sits in the record with its reason and who did it; an award can
be retracted like a vote. Retracting a status change does not restore the previous status: set
it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from guildkit.builtin.opening import OpeningRule
from guildkit.errors import FieldErrors, NotFound, UnknownBadge, UnknownPointType, UnknownRole, ValidationError
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
T = TypeVar("T")


class AwardFields(TypedDict, total=False):
    """What a manual award gives: ``points`` of ``point_type``, a ``badge`` at ``level`` (1), a ``role``."""

    points: int | None
    point_type: str | None
    badge: str | None
    level: int
    role: str | None


class Refusals:
    """Every problem of one manual award or revocation, so that one error names them all.

    Each check runs whatever the others found; a check that needs another field's value runs once
    that field passed. A slug nobody registered (or a member who is not one) refused *alone* is
    raised as its own :class:`~guildkit.errors.NotFound` (the API's 404 with the error's code, as
    for every unknown name); refused with other fields, it is one more field of the one
    :class:`~guildkit.errors.ValidationError`, worded without the value sent.
    """

    def __init__(self, refused: Iterable[str] = ()) -> None:
        #: Fields already refused elsewhere (by an API body's schema): neither checked again nor passed.
        self.refused = frozenset(refused)
        self.found = FieldErrors()
        self._missing: dict[str, NotFound] = {}

    def check(self, field: str, check: Callable[[], T]) -> T | None:
        """``check()``'s result, or ``None`` with its refusal filed under ``field``."""
        if field in self.refused:
            return None
        try:
            return check()
        except ValidationError as exc:
            self.found.add_error(exc, field)
        except NotFound as exc:
            self._missing[field] = exc
            self.found.add(field, _unknown_words(field))
        return None

    def add(self, field: str, message: str) -> None:
        if field not in self.refused:
            self.found.add(field, message)

    def passed(self, *fields: str) -> bool:
        return not any(field in self.found or field in self.refused for field in fields)

    def raise_if_any(self) -> None:
        if len(self.found.errors) == 1 and len(self._missing) == 1:
            [(field, exc)] = self._missing.items()
            if field in self.found:
                raise exc
        self.found.raise_if_any()


def _unknown_words(field: str) -> str:
    said = {
        "badge": _("badge must be one of the community's badges"),
        "point_type": _("point_type must be one of the community's point types"),
        "role": _("role must be one of the community's roles"),
    }.get(field)
    return str(said or _("there is no member with this user id"))


def award_payload(registry: Registry, reason: str, **what: Unpack[AwardFields]) -> dict[str, Any]:
    """The checked payload of a ``guildkit.award`` (what ``gk.award`` and the console record);
    every bad field is refused at once (see :class:`Refusals`)."""
    refusals = Refusals()
    payload = check_award(refusals, registry, reason, **what)
    refusals.raise_if_any()
    return payload


def check_award(refusals: Refusals, registry: Registry, reason: str, **what: Unpack[AwardFields]) -> dict[str, Any]:
    """:func:`award_payload`'s checks, each problem added to ``refusals`` (which the caller raises)."""
    unknown = set(what) - set(AwardFields.__annotations__)
    if unknown:
        raise ValidationError(f"gk.award() got unknown arguments {sorted(unknown)}", field=sorted(unknown)[0])
    points, level = what.get("points"), what.get("level", 1)
    refusals.check("reason", lambda: check_text(reason, "reason", max_length=REASON_MAX))
    point_type = refusals.check("point_type", lambda: _name(what.get("point_type"), "point_type"))
    badge = refusals.check("badge", lambda: _name(what.get("badge"), "badge"))
    role = refusals.check("role", lambda: _name(what.get("role"), "role"))
    if points is None and what.get("badge") is None and what.get("role") is None and refusals.passed("badge", "role"):
        refusals.add("points", _("give points, a badge or a role to award"))
    if points is not None:
        refusals.check("points", lambda: _points(points))
        if point_type is None and refusals.passed("point_type"):
            refusals.add("point_type", _("points need a point_type"))
        elif point_type is not None:
            refusals.check("point_type", lambda: _known(registry.point_types, point_type, UnknownPointType))
    if badge is not None:
        refusals.check("badge", lambda: _known(registry.badges, badge, UnknownBadge))
        refusals.check("level", lambda: _check_level(registry, badge, level))
    if role is not None:
        refusals.check("role", lambda: _known(registry.roles, role, UnknownRole))
    return {"reason": reason, "points": points, "point_type": point_type, "badge": badge, "level": level, "role": role}


def revoke_payload(
    registry: Registry, reason: str, badge: str | None, level: int | None, role: str | None
) -> dict[str, Any]:
    """The checked payload of a ``guildkit.revoke`` (what ``gk.revoke`` and the console record);
    every bad field is refused at once (see :class:`Refusals`)."""
    refusals = Refusals()
    payload = check_revoke(refusals, registry, reason, badge, level, role)
    refusals.raise_if_any()
    return payload


def check_revoke(
    refusals: Refusals, registry: Registry, reason: str, badge: str | None, level: int | None, role: str | None
) -> dict[str, Any]:
    """:func:`revoke_payload`'s checks, each problem added to ``refusals`` (which the caller raises)."""
    refusals.check("reason", lambda: check_text(reason, "reason", max_length=REASON_MAX))
    slug, role_slug = (
        refusals.check("badge", lambda: _name(badge, "badge")),
        refusals.check("role", lambda: _name(role, "role")),
    )
    if badge is None and role is None and refusals.passed("role"):
        refusals.add("badge", _("name a badge or a role to revoke"))
    if slug is not None:
        refusals.check("badge", lambda: _known(registry.badges, slug, UnknownBadge))
    if level is not None:
        if badge is None and refusals.passed("badge"):
            refusals.add("level", _("a level needs a badge"))
        elif badge is not None:
            refusals.check("level", lambda: _check_level(registry, slug, level))
    if role_slug is not None:
        refusals.check("role", lambda: _known(registry.roles, role_slug, UnknownRole))
    return {"reason": reason, "badge": slug, "level": level, "role": role_slug}


def _name(value: object, field: str) -> str | None:
    # A slug is looked up in a dict: anything but text would be a TypeError (or a wrong match).
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{field} must be a slug (text), got {type(value).__name__}", field=field)
    return value


def _known(known: Mapping[str, object], slug: str, error: Callable[[str], NotFound]) -> None:
    if slug not in known:
        raise error(slug)


def _points(points: object) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or points == 0 or abs(points) > MAX_POINTS:
        raise ValidationError(_("points must be a non-zero integer from -%(most)d to %(most)d", most=MAX_POINTS),
                              field="points")  # fmt: skip


def _check_level(registry: Registry, badge: str | None, level: object) -> None:
    """A level of ``badge``; of any badge (a whole number from 1) while the badge is unknown."""
    if not isinstance(level, int) or isinstance(level, bool) or level < 1:
        raise ValidationError(_("level must be a whole number from 1"), field="level")
    if badge in registry.badges:
        levels = len(registry.badges[badge].levels)
        if level > levels:
            raise ValidationError(
                _("badge %(badge)s has levels 1 to %(levels)d, not %(level)s", badge=repr(badge), levels=levels,
                  level=level),
                field="level",
            )  # fmt: skip


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
