"""Manual awards and revocations (``gk.award`` / ``gk.revoke``, the CLI, the admin console).

They are activities like any other (types ``guildkit.award`` and ``guildkit.revoke``), so a
manual award sits in the ledger with its reason and can be retracted like a vote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..plugins import hookimpl
from ..rules.base import AwardBadge, AwardPoints, GrantRole, Outcome, RevokeBadge, RevokeRole, RuleContext

if TYPE_CHECKING:
    from ..extension import GuildKit
    from ..metrics import Metric

AWARD = "guildkit.award"
REVOKE = "guildkit.revoke"


@dataclass(frozen=True)
class ManualRule:
    name: str = "guildkit.manual"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({AWARD, REVOKE})

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
        if activity.type == AWARD:
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
def guildkit_register_rules(gk: GuildKit) -> list[ManualRule]:
    return [ManualRule()]
