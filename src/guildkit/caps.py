"""Caps: how much of a gain a member may still receive (the rule engine's guard rails).

Every cap is a limit on a named counter of the *receiving* member, so it is read and moved under
the same member lock as the gain itself:

===========================  ========================================  ======================
counter                      limit                                     set on
===========================  ========================================  ======================
``cap:<type>:<day>``         points of the type a day                  ``PointTypeDef.daily_cap``
``wcap:<type>:<week>``       points of the type a week                 ``PointTypeDef.weekly_cap``
``pair:<type>:<actor>:<wk>`` points of the type from one actor a week  ``PointTypeDef.pair_weekly_cap``
``rulecap:<rule>:<day>``     points from the rule a day                ``daily_cap`` on the rule
``rulewcap:<rule>:<week>``   points from the rule a week               ``weekly_cap`` on the rule
``rulepair:<rule>:<a>:<wk>`` points from the rule from one actor/week  ``pair_weekly_cap`` on the rule
``ruletotal:<rule>``         points from the rule, ever                ``total_cap`` on the rule
===========================  ========================================  ======================

A rule with ``capped=False`` is exempt from its point type's caps (Stack Exchange exempts
accepted answers and bounties from the daily limit); its own caps always apply. Pair caps apply
only when the points go to someone other than the actor. Retracting a gain gives its room back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from guildkit.definitions import PointTypeDef
from guildkit.i18n import N_

_TYPE_CAPS = (
    ("daily_cap", "cap:{type}:{day}", N_("(daily cap reached)")),
    ("weekly_cap", "wcap:{type}:{week}", N_("(weekly cap reached)")),
    ("pair_weekly_cap", "pair:{type}:{actor}:{week}", N_("(weekly cap from one member reached)")),
)
_RULE_CAPS = (
    ("daily_cap", "rulecap:{rule}:{day}", N_("(rule's daily cap reached)")),
    ("weekly_cap", "rulewcap:{rule}:{week}", N_("(rule's weekly cap reached)")),
    ("pair_weekly_cap", "rulepair:{rule}:{actor}:{week}", N_("(rule's weekly cap from one member reached)")),
    ("total_cap", "ruletotal:{rule}", N_("(rule's total cap reached)")),
)
#: The notes a cap adds to a ledger row's reason, as stored (pages say them in the reader's language).
NOTES = tuple(note for _, _, note in (*_TYPE_CAPS, *_RULE_CAPS))


@dataclass(frozen=True)
class Cap:
    counter: str
    limit: int
    #: Added to the ledger row's reason (after a space) when this cap cut the gain.
    note: str


def type_capped(point_type: PointTypeDef) -> bool:
    """Whether the point type has caps at all (a ledger row's ``capped`` flag says they applied)."""
    return any(getattr(point_type, attr) is not None for attr, _, _ in _TYPE_CAPS)


def caps_for(
    point_type: PointTypeDef | None,
    rule_name: str,
    rule: object | None,
    *,
    type_caps: bool,
    day: int,
    week: int,
    actor: int | None,
    member: int,
) -> list[Cap]:
    """The caps limiting a gain of ``point_type`` to ``member`` from rule ``rule_name``.

    ``rule`` is whatever carries the rule's own caps (an :class:`~guildkit.rules.AwardPoints` when
    awarding, the registered rule when retracting); ``type_caps`` whether the type's caps apply.
    """
    names = {"type": point_type.slug if point_type else "", "rule": rule_name, "day": day, "week": week}
    names["actor"] = actor if actor is not None else ""
    paired = actor is not None and actor != member
    caps: list[Cap] = []
    sources = ((point_type if type_caps else None, _TYPE_CAPS), (rule, _RULE_CAPS))
    for source, table in sources:
        if source is None:
            continue
        for attr, pattern, note in table:
            limit = getattr(source, attr, None)
            if limit is None or (attr == "pair_weekly_cap" and not paired):
                continue
            caps.append(Cap(pattern.format(**names), limit, note))
    return caps


def counter_names(
    point_types: dict[str, PointTypeDef], rules: Iterable[object], *, day: int, week: int, actor: int | None
) -> set[str]:
    """Every cap counter an activity may touch, to prefetch them with the other counters."""
    names: set[str] = set()
    for point_type in point_types.values():
        for cap in caps_for(point_type, "", None, type_caps=True, day=day, week=week, actor=actor, member=-1):
            names.add(cap.counter)
    for rule in rules:
        name = str(getattr(rule, "name", ""))
        for cap in caps_for(None, name, rule, type_caps=False, day=day, week=week, actor=actor, member=-1):
            names.add(cap.counter)
    return names


def pair_capped(point_types: dict[str, PointTypeDef], rules: Iterable[object]) -> bool:
    """Whether any cap counted per actor may apply (its counter names the actor's member id)."""
    return any(t.pair_weekly_cap is not None for t in point_types.values()) or any(
        getattr(rule, "pair_weekly_cap", None) is not None for rule in rules
    )
