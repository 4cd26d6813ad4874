"""The hook of the objectives feature, the record it carries, and its signal (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class ObjectiveDecision:
    """An objective was decided at its due date: ``outcome`` is ``met`` or ``missed``.

    ``value`` is the KPI on ``due_on`` (``None``: nothing to measure, which is a miss), ``target``
    and ``direction`` (``at_least`` or ``at_most``) what it was held to, in the KPI's ``unit``;
    ``owner`` the host user id of the member who owns the objective.
    """

    objective_id: int
    title: str
    kpi: str
    unit: str
    direction: str
    target: float
    baseline: float | None
    value: float | None
    outcome: str
    starts_on: date
    due_on: date
    owner: str
    decided_at: datetime


#: An objective was decided. Sender: ``GuildKit``; kwargs: ``decision`` (ObjectiveDecision).
objective_decided = declare("objective_decided")


@hookspec
def guildkit_objective_decided(gk: GuildKit, decision: ObjectiveDecision) -> None:
    """A community objective reached its due date and was decided: met or missed.

    Called once per objective, after the transaction that decided it (and told its owner) has
    committed; the due-date job decides each objective once, however often it runs.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param decision: the objective, its KPI's value on the due date and the outcome.
    """
