"""The declarative rules guildkit ships: points per activity, badges, roles and levels.

They are plain frozen dataclasses, so a rule file (see :mod:`guildkit.rules.loader`) and Python
code build exactly the same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from guildkit.activity import ActivityView
from guildkit.definitions import Text, check_caps, check_slug
from guildkit.errors import ValidationError
from guildkit.i18n import lazy_gettext
from guildkit.metrics import Metric, Role
from guildkit.rules.base import AwardBadge, AwardPoints, HoldBadge, HoldRole, Outcome, RuleContext


def _types(on: str | Iterable[str]) -> tuple[str, ...]:
    types = (on,) if isinstance(on, str) else tuple(on)
    if not types:
        raise ValidationError("a rule needs at least one activity type in 'on'", field="on")
    for t in types:
        check_slug(t, "on")
    return types


def _check_role(to: str) -> None:
    if to not in ("actor", "target"):
        raise ValidationError("'to' must be 'actor' or 'target'", field="to")


@dataclass(frozen=True)
class PointsRule:
    """Give ``points`` of ``point_type`` to the activity's actor or target.

    No points when the actor acts on their own content (``self_award=False``, the default).
    ``capped`` rules count toward the point type's caps (``capped=False`` exempts the rule);
    ``daily_cap`` and ``weekly_cap`` add the rule's own per member, ``pair_weekly_cap`` one per
    member and actor a week, ``total_cap`` one over all time (Stack Exchange's +1,000 from
    edits). See :mod:`guildkit.caps`.
    """

    name: str
    on: str | tuple[str, ...]
    points: int
    point_type: str
    to: Role = "target"
    capped: bool = True
    daily_cap: int | None = None
    self_award: bool = False
    reason: str | None = None
    total_cap: int | None = None
    weekly_cap: int | None = None
    pair_weekly_cap: int | None = None
    when: Callable[[ActivityView], bool] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        check_slug(self.name, "name")
        object.__setattr__(self, "on", _types(self.on))
        _check_role(self.to)
        if not isinstance(self.points, int) or isinstance(self.points, bool):
            raise ValidationError("points must be an integer", field="points")
        check_caps(self, ("daily_cap", "weekly_cap", "pair_weekly_cap", "total_cap"))

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset(self.on)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        activity = ctx.activity
        member = activity.member(self.to)
        if member is None or (not self.self_award and activity.actor_id == activity.target_id):
            return
        if self.when is not None and not self.when(activity):
            return
        reason = self.reason or f"{activity.type}" + (f" on {activity.subject}" if activity.subject else "")
        yield AwardPoints(
            member,
            self.point_type,
            self.points,
            reason,
            self.capped,
            self.daily_cap,
            self.total_cap,
            self.weekly_cap,
            self.pair_weekly_cap,
        )

    def describe(self) -> str:
        caps = []
        if self.daily_cap is not None:
            caps.append(f"at most {self.daily_cap} a day")
        if self.weekly_cap is not None:
            caps.append(f"at most {self.weekly_cap} a week")
        if self.pair_weekly_cap is not None:
            caps.append(f"at most {self.pair_weekly_cap} a week from one member")
        if self.total_cap is not None:
            caps.append(f"at most {self.total_cap} in all")
        text = f"{self.points:+d} {self.point_type} to the {self.to} on {', '.join(self.on)}"
        return text + (f" ({', '.join(caps)})" if caps else "")


@dataclass(frozen=True)
class BadgeRule:
    """Hold badge level *n* once ``metric`` reaches ``thresholds[n-1]``."""

    name: str
    badge: str
    metric: Metric
    thresholds: tuple[int, ...]

    def __post_init__(self) -> None:
        check_slug(self.name, "name")
        check_slug(self.badge, "badge")
        object.__setattr__(self, "thresholds", tuple(self.thresholds))
        ts = self.thresholds
        if not ts or any(not isinstance(t, int) or t < 1 for t in ts) or list(ts) != sorted(set(ts)):
            raise ValidationError("thresholds must be increasing positive integers, one per level", field="thresholds")

    @property
    def triggers(self) -> frozenset[str]:
        return self.metric.triggers

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (self.metric,)

    def level_for(self, value: int) -> int:
        return sum(1 for t in self.thresholds if value >= t)

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        for member in self.metric.members(ctx.activity):
            value = ctx.value(self.metric, member)
            level = self.level_for(value)
            reason = f"{self.metric.describe()}: {value}"
            yield HoldBadge(member, self.badge, level, reason)

    def describe(self) -> str:
        steps = ", ".join(str(t) for t in self.thresholds)
        return f"badge {self.badge} at {self.metric.describe()} >= {steps}"


@dataclass(frozen=True)
class EventBadgeRule:
    """Award ``badge`` every time an activity of type ``on`` happens (repeatable badges)."""

    name: str
    badge: str
    on: str | tuple[str, ...]
    to: Role = "actor"
    level: int = 1
    when: Callable[[ActivityView], bool] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        check_slug(self.name, "name")
        check_slug(self.badge, "badge")
        object.__setattr__(self, "on", _types(self.on))
        _check_role(self.to)

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset(self.on)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        member = ctx.activity.member(self.to)
        if member is not None and (self.when is None or self.when(ctx.activity)):
            yield AwardBadge(member, self.badge, self.level, ctx.activity.type)

    def describe(self) -> str:
        return f"badge {self.badge} to the {self.to} on each {', '.join(self.on)}"


@dataclass(frozen=True)
class RoleRule:
    """Hold ``role`` while ``metric`` is at least ``threshold``."""

    name: str
    role: str
    metric: Metric
    threshold: int

    def __post_init__(self) -> None:
        check_slug(self.name, "name")
        check_slug(self.role, "role")
        if not isinstance(self.threshold, int) or self.threshold < 1:
            raise ValidationError("threshold must be a positive integer", field="threshold")

    @property
    def triggers(self) -> frozenset[str]:
        return self.metric.triggers

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (self.metric,)

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        for member in self.metric.members(ctx.activity):
            value = ctx.value(self.metric, member)
            yield HoldRole(member, self.role, value >= self.threshold, f"{self.metric.describe()}: {value}")

    def describe(self) -> str:
        return f"role {self.role} at {self.metric.describe()} >= {self.threshold}"


@dataclass(frozen=True)
class Levels:
    """Levels from a point type's balance: level *n* from ``thresholds[n-1]`` points."""

    point_type: str
    thresholds: tuple[int, ...]
    #: Each level's name, as text or a lazy translation (``lazy_gettext("Regular")``).
    names: tuple[Text, ...] = ()

    def __post_init__(self) -> None:
        check_slug(self.point_type, "point_type")
        object.__setattr__(self, "thresholds", tuple(self.thresholds))
        object.__setattr__(self, "names", tuple(self.names))
        ts = self.thresholds
        if not ts or any(not isinstance(t, int) for t in ts) or list(ts) != sorted(set(ts)):
            raise ValidationError("thresholds must be increasing integers", field="thresholds")
        if self.names and len(self.names) != len(ts):
            raise ValidationError("give one name per threshold", field="names")

    def level_for(self, balance: int) -> int:
        return sum(1 for t in self.thresholds if balance >= t)

    def name_of(self, level: int) -> Text:
        """The level's name, in the reader's language when shown ("Level 3" when unnamed)."""
        return self.names[level - 1] if self.names and level >= 1 else lazy_gettext("Level %(level)s", level=level)
