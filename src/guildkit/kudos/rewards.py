"""The default rewards for kudos, registered by the plugin while ``GUILDKIT_KUDOS_REWARDS`` is on:

===========================  ==================================================================
``kudos-points`` (points)    +10 to the receiver of each kudos; at most 30 a week from any one
                             giver (``pair_weekly_cap``), so two friends cannot trade their
                             whole budgets for points
``kudos-giver`` (badge)      "Generous", to givers: bronze at 5 kudos given, silver at 25, gold
                             at 100
===========================  ==================================================================

They are ordinary definitions on the ``kudos.given`` activity (actor: the giver, target: the
receiver), so caps, the review hook (``guildkit_review_award``) and the earning gate apply as to
any rule. To reward kudos your own way, set ``GUILDKIT_KUDOS_REWARDS = False`` and register rules
on ``kudos.given`` (``PointsRule("kudos-rep", "kudos.given", 5, "reputation", to="target")``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.definitions import BadgeDef, BadgeLevel, PointTypeDef
from guildkit.i18n import N_
from guildkit.metrics import Count
from guildkit.rules.builtin import BadgeRule, PointsRule

if TYPE_CHECKING:
    from guildkit.rules.base import Rule

POINTS = 10
#: The most points one giver's kudos earn one receiver in a week.
PAIR_WEEKLY_CAP = 30
GENEROUS = (5, 25, 100)

POINT_TYPE = PointTypeDef("kudos-points", N_("Kudos"), N_("Points members earn when others give them kudos."))

BADGES = (
    BadgeDef(
        "kudos-giver",
        N_("Generous"),
        N_("Gave kudos to other members."),
        category="kudos",
        levels=(
            BadgeLevel("bronze", N_("Generous"), N_("Gave kudos 5 times.")),
            BadgeLevel("silver", N_("Very generous"), N_("Gave kudos 25 times.")),
            BadgeLevel("gold", N_("Exceptionally generous"), N_("Gave kudos 100 times.")),
        ),
    ),
)

RULES: tuple[Rule, ...] = (
    PointsRule("kudos-received", "kudos.given", POINTS, "kudos-points", to="target", pair_weekly_cap=PAIR_WEEKLY_CAP),
    BadgeRule("kudos-giver-badge", "kudos-giver", Count("kudos.given", "actor"), GENEROUS),
)
