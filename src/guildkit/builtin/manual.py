"""Manual awards, revocations and status changes (``gk.award`` / ``gk.revoke`` / ``gk.set_status``).

They are activities like any other (types ``guildkit.award``, ``guildkit.revoke`` and
``guildkit.status``), so each sits in the record with its reason and who did it; an award can
be retracted like a vote. Retracting a status change does not restore the previous status: set
it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..plugins import hookimpl
from ..rules.base import AwardBadge, AwardPoints, GrantRole, Outcome, RevokeBadge, RevokeRole, RuleContext, SetStatus

if TYPE_CHECKING:
    from ..extension import GuildKit
    from ..metrics import Metric

AWARD = "guildkit.award"
REVOKE = "guildkit.revoke"
STATUS = "guildkit.status"


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
def guildkit_register_rules(gk: GuildKit) -> list[ManualRule]:
    return [ManualRule()]
