"""Metrics: the numbers threshold rules compare against, each kept as an incremental counter.

A metric knows which activity types move it and by how much, so recording one activity costs
the same whether the member has ten activities or ten million. Retracting an activity applies
the opposite change. Streaks keep a per-day count so that a retraction can recompute them.

Counter names are stable strings (``count:answer.posted:actor``): they are stored in
``guildkit_counters`` and must not change between releases.

Imported totals arrive as one activity of type :data:`OPENING` per member (docs/import.md): the
registry subscribes an :class:`OpeningCount` for each plain :class:`Count` to it, which moves the
same counter by the total the payload carries, so threshold badges see history that was only
kept as counts, and replaying the stored activities gives the same counters again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from guildkit.errors import ValidationError

if TYPE_CHECKING:
    from guildkit.activity import ActivityView

    # What a metric reads and writes its counters through (named here for metric authors).
    from guildkit.unit import Unit as Unit

Role = Literal["actor", "target"]
ROLES: tuple[Role, ...] = ("actor", "target")

#: The activity type of a member's opening totals: ``payload["counts"]`` (activities done, by
#: type) and ``payload["received"]`` (received, by type) feed :class:`Count`; the member is its
#: actor and its target. Its ``payload["points"]`` are opening balances (guildkit.builtin.opening).
OPENING = "guildkit.opening"


def _member(activity: ActivityView, role: Role) -> int | None:
    return activity.actor_id if role == "actor" else activity.target_id


def _check_filter(when: Callable[[ActivityView], bool] | None, label: str | None) -> None:
    # A filtered metric counts something else than the plain one, so it needs a counter of its own.
    if when is not None and label is None:
        raise ValidationError("a metric with `when` needs a `label` to name its counter", field="label")
    if label is not None and (not isinstance(label, str) or not label.replace("-", "").isalnum()):
        raise ValidationError("label must be letters, digits and dashes", field="label")


@dataclass(frozen=True)
class Metric:
    """Base of all metrics. ``name`` is the counter that holds the value."""

    @property
    def name(self) -> str:
        raise NotImplementedError  # pragma: no cover - abstract

    @property
    def triggers(self) -> frozenset[str]:
        """Activity types (or ``points:<type>`` pseudo-types) after which the value may change."""
        raise NotImplementedError  # pragma: no cover - abstract

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        """Move the counter for ``activity`` (``sign`` is +1 to record, -1 to retract)."""

    def read(self, unit: Unit, member_id: int) -> int:
        return unit.counter(member_id, self.name)

    def members(self, activity: ActivityView) -> list[int]:
        """The members whose value this activity may move."""
        member = _member(activity, getattr(self, "role", "actor"))
        return [] if member is None else [member]

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class Count(Metric):
    """How many activities of ``type`` the member took part in, as ``role``.

    ``when`` counts only the activities it accepts (``lambda a: a.actor_id != a.target_id``:
    not on one's own content); such a count needs a ``label``, which names its counter.
    """

    type: str
    role: Role = "actor"
    when: Callable[[ActivityView], bool] | None = field(default=None, compare=False)
    label: str | None = None

    def __post_init__(self) -> None:
        _check_filter(self.when, self.label)

    @property
    def name(self) -> str:
        return f"count:{self.type}:{self.role}" + (f":{self.label}" if self.label else "")

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({self.type})

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        member = _member(activity, self.role)
        if member is not None and (self.when is None or self.when(activity)):
            unit.add_counter(member, self.name, sign)

    def describe(self) -> str:
        verb = "done" if self.role == "actor" else "received"
        return f"{self.type} {verb}" + (f" ({self.label})" if self.label else "")


@dataclass(frozen=True)
class OpeningCount(Metric):
    """What an :data:`OPENING` activity adds to ``count``: the total its payload names for the
    count's type (under ``counts`` for the actor's count, ``received`` for the target's).

    Only plain counts are fed: a filtered count (``when``) counts a part no total can tell.
    """

    count: Count

    @property
    def name(self) -> str:
        return self.count.name

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({OPENING})

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        member = activity.actor_id if activity.actor_id is not None else activity.target_id
        totals = activity.payload.get("counts" if self.count.role == "actor" else "received")
        amount = totals.get(self.count.type) if isinstance(totals, Mapping) else None
        if member is not None and isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
            unit.add_counter(member, self.name, sign * amount)

    def describe(self) -> str:
        return f"opening totals of {self.count.describe()}"


@dataclass(frozen=True)
class Distinct(Metric):
    """How many distinct ``of`` values (the other member, or the subject) the member met.

    ``when`` and ``label`` filter as for :class:`Count`.
    """

    type: str
    role: Role = "actor"
    of: Literal["actor", "target", "subject"] = "target"
    when: Callable[[ActivityView], bool] | None = field(default=None, compare=False)
    label: str | None = None

    def __post_init__(self) -> None:
        _check_filter(self.when, self.label)

    @property
    def name(self) -> str:
        return f"distinct:{self.type}:{self.role}:{self.of}" + (f":{self.label}" if self.label else "")

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({self.type})

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        member = _member(activity, self.role)
        value = {
            "actor": activity.actor_user_id,
            "target": activity.target_user_id,
            "subject": activity.subject,
        }[self.of]
        if member is None or value is None or (self.when is not None and not self.when(activity)):
            return
        if unit.touch_distinct(member, self.name, value, sign):
            unit.add_counter(member, self.name, sign)

    def describe(self) -> str:
        return f"distinct {self.of}s of {self.type}" + (f" ({self.label})" if self.label else "")


@dataclass(frozen=True)
class Streak(Metric):
    """The longest run of consecutive days with an activity of ``type``, each day in the time
    zone of the member whose streak it is (``Member.time_zone``, else the community's).

    A gap of missed days breaks the run unless a plugin bridges it
    (``guildkit_streak_gap_bridged``: a freeze, a declared absence); a bridged gap keeps the run
    going without counting the missed days in it.
    """

    type: str
    role: Role = "actor"

    @property
    def name(self) -> str:
        return f"streak:{self.type}:{self.role}:best"

    @property
    def current_name(self) -> str:
        return f"streak:{self.type}:{self.role}:current"

    @property
    def last_name(self) -> str:
        return f"streak:{self.type}:{self.role}:last"

    def day_name(self, day: int) -> str:
        return f"day:{self.type}:{self.role}:{day}"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({self.type})

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        member = _member(activity, self.role)
        if member is None:
            return
        day = unit.day_of(member, activity.occurred_at)
        before = unit.counter(member, self.day_name(day))
        unit.add_counter(member, self.day_name(day), sign)
        last = unit.counter(member, self.last_name)
        if sign > 0 and before == 0 and day > last:
            continues = last > 0 and (day == last + 1 or self._bridged(unit, member, last, day, recount=False))
            current = unit.counter(member, self.current_name) + 1 if continues else 1
            unit.set_counter(member, self.current_name, current)
            unit.set_counter(member, self.last_name, day)
            unit.set_counter(member, self.name, max(current, unit.counter(member, self.name)))
        elif (sign > 0 and before == 0) or (sign < 0 and before == 1):
            # An out-of-order day appeared, or a day emptied: rare, so recount from day counters.
            self._recount(unit, member)

    def _bridged(self, unit: Unit, member: int, previous: int, day: int, *, recount: bool) -> bool:
        """Whether the days between ``previous`` and ``day`` (both active) keep the run going."""
        ask = unit.streak_gap
        return ask is not None and ask(member, self.type, self.role, previous + 1, day - 1, recount)

    def _recount(self, unit: Unit, member: int) -> None:
        days = sorted(
            int(name.rsplit(":", 1)[1])
            for name, value in unit.counters_with_prefix(member, f"day:{self.type}:{self.role}:")
            if value > 0
        )
        best = run = 0
        previous = None
        for day in days:
            follows = previous is not None and (
                day == previous + 1 or self._bridged(unit, member, previous, day, recount=True)
            )
            run = run + 1 if follows else 1
            best = max(best, run)
            previous = day
        unit.set_counter(member, self.name, best)
        unit.set_counter(member, self.current_name, run)
        unit.set_counter(member, self.last_name, days[-1] if days else 0)

    def describe(self) -> str:
        return f"days in a row with {self.type}"


@dataclass(frozen=True)
class PointsTotal(Metric):
    """The member's balance of ``point_type``."""

    point_type: str

    @property
    def name(self) -> str:
        return f"balance:{self.point_type}"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({f"points:{self.point_type}"})

    def read(self, unit: Unit, member_id: int) -> int:
        return unit.balance(member_id, self.point_type)

    def members(self, activity: ActivityView) -> list[int]:
        return [m for m in dict.fromkeys((activity.actor_id, activity.target_id)) if m is not None]

    def describe(self) -> str:
        return f"{self.point_type} points"
