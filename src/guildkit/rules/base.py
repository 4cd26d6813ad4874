"""The rule contract: what a rule is, what it may return, and what it can read.

A rule names the triggers it listens to (activity types, or ``points:<type>`` when a balance of
that type changed) and returns *outcomes*; it never writes. The pipeline applies outcomes under
its transaction and locks, asks plugins to review them, and records which rule caused each.

Two kinds of outcome:
- *event* outcomes (:class:`AwardPoints`, :class:`AwardBadge`, :class:`GrantRole`) belong to the
  activity; retracting the activity reverses them.
- *state* outcomes (:class:`HoldBadge`, :class:`HoldRole`) say what a member should hold given
  the current counters; the pipeline grants what is missing, and on retraction revokes what no
  longer holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.metrics import Metric


@dataclass(frozen=True)
class AwardPoints:
    member_id: int
    point_type: str
    amount: int
    reason: str = ""
    #: Counts toward (and is limited by) the point type's daily cap.
    capped: bool = True
    #: A cap of this rule's own, per member and day.
    daily_cap: int | None = None
    #: The most this rule may give a member over all time (retractions give their share back).
    total_cap: int | None = None
    #: A cap of this rule's own, per member and week (weeks begin on Monday in the community's time zone).
    weekly_cap: int | None = None
    #: The most this rule may give a member from any one actor in a week (vote rings, sock puppets).
    pair_weekly_cap: int | None = None


@dataclass(frozen=True)
class AwardBadge:
    member_id: int
    badge: str
    level: int = 1
    reason: str = ""


@dataclass(frozen=True)
class GrantRole:
    member_id: int
    role: str
    reason: str = ""


@dataclass(frozen=True)
class HoldBadge:
    member_id: int
    badge: str
    level: int
    reason: str = ""


@dataclass(frozen=True)
class HoldRole:
    member_id: int
    role: str
    holds: bool
    reason: str = ""


@dataclass(frozen=True)
class RevokeBadge:
    """Take a badge away (``level`` ``None``: every level). Used by manual revocations."""

    member_id: int
    badge: str
    level: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class RevokeRole:
    member_id: int
    role: str
    reason: str = ""


@dataclass(frozen=True)
class SetStatus:
    """Change a member's status (``active``, ``suspended``, ``banned``, ``deleted``)."""

    member_id: int
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Veto:
    """Returned by ``guildkit_review_award`` to stop an outcome; ``reason`` is logged."""

    reason: str


Outcome = AwardPoints | AwardBadge | GrantRole | HoldBadge | HoldRole | RevokeBadge | RevokeRole | SetStatus


class RuleContext(Protocol):
    """What a rule may read while it runs. Values include this activity's effects so far."""

    @property
    def activity(self) -> ActivityView: ...

    def value(self, metric: Metric, member_id: int) -> int: ...

    def balance(self, member_id: int, point_type: str) -> int: ...

    def badge_level(self, member_id: int, badge: str) -> int: ...

    def has_role(self, member_id: int, role: str) -> bool: ...

    def is_retraction(self) -> bool: ...


@runtime_checkable
class Rule(Protocol):
    """Anything with a ``name``, ``triggers``, ``metrics`` and ``evaluate`` is a rule."""

    @property
    def name(self) -> str: ...

    @property
    def triggers(self) -> frozenset[str]: ...

    @property
    def metrics(self) -> tuple[Metric, ...]: ...

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]: ...

    def describe(self) -> str: ...
