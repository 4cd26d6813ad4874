"""Opening totals: a member's history kept only as totals, stored as one activity.

A community moving to guildkit often has totals and no events (Discourse's days visited and
posts, Stack Exchange's reputation). Each member's totals are one activity of type
``guildkit.opening`` (:data:`~guildkit.metrics.OPENING`), whose payload holds

- ``counts``: activities the member did, by type (``{"post.created": 120}``),
- ``received``: activities done to the member, by type (``{"post.liked": 900}``),
- ``points``: opening balances, by point type (``{"reputation": 2345}``).

Counts move the matching :class:`~guildkit.metrics.Count` counters (see
:class:`~guildkit.metrics.OpeningCount`); :class:`OpeningRule` writes each balance as a ledger
row, exempt from caps. As the totals are an activity like any other, replaying the stored
activities (a rule change previewed or applied) gives the same counters, balances and badges,
and retracting the opening takes all of it back. docs/import.md shows the file form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guildkit.activity import TYPE_RE
from guildkit.errors import ValidationError
from guildkit.metrics import OPENING
from guildkit.rules.base import AwardPoints, Outcome, RuleContext

if TYPE_CHECKING:
    from guildkit.metrics import Metric
    from guildkit.registry import Registry

#: The largest opening balance, as for a manual award (ledger sums must stay 64-bit).
MAX_POINTS = 1_000_000_000
#: The most one opening total may count (a counter is a 64-bit integer; sums must stay so).
MAX_COUNT = 1_000_000_000
PARTS = ("counts", "received", "points")


def check_opening(registry: Registry, payload: Mapping[str, Any]) -> None:
    """Refuse an opening payload guildkit would misread; ``field`` names the part (``points.karma``)."""
    unknown = set(payload) - set(PARTS)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"an opening holds only {', '.join(PARTS)}, not {name!r}", field=f"payload.{name}")
    if not any(payload.get(part) for part in PARTS):
        raise ValidationError("an opening needs counts, received or points", field="payload")
    for part in PARTS:
        totals = payload.get(part, {})
        if not isinstance(totals, Mapping):
            raise ValidationError(f"{part} must be an object of totals", field=f"payload.{part}")
        for name, value in totals.items():
            where = f"payload.{part}.{name}"
            if part == "points" and name not in registry.point_types:
                raise ValidationError(f"unknown point type {name!r}", field=where)
            if part != "points" and not (isinstance(name, str) and TYPE_RE.match(name)):
                raise ValidationError(f"{name!r} is not an activity type", field=where)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError(f"{part} must be integers, got {value!r}", field=where)
            low = -MAX_POINTS if part == "points" else 0
            high = MAX_POINTS if part == "points" else MAX_COUNT
            if not low <= value <= high:
                raise ValidationError(f"{name} must be from {low} to {high}, got {value}", field=where)


@dataclass(frozen=True)
class OpeningRule:
    """Opening balances: the ``points`` of an opening activity, to its member, exempt from caps."""

    name: str = "guildkit.opening"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({OPENING})

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        activity = ctx.activity
        member = activity.actor_id if activity.actor_id is not None else activity.target_id
        points = activity.payload.get("points")
        if member is None or not isinstance(points, Mapping):
            return
        for point_type, amount in sorted(points.items()):
            if isinstance(amount, int) and not isinstance(amount, bool) and amount:
                yield AwardPoints(member, point_type, amount, "opening balance", capped=False)

    def describe(self) -> str:
        return "opening balances of imported history"
