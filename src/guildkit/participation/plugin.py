"""Default recognition for mentoring and events: the ``participation`` point type and its badges.

Mentorship (:mod:`guildkit.mentorship`) and events (:mod:`guildkit.events`) record activities
the rule engine rewards like any other:

==============================  ======================  ========================================
activity                        actor / target          default reward
==============================  ======================  ========================================
``mentorship.completed``        mentor / mentee         +50 to the mentor, +20 to the mentee;
                                                        ``mentor`` badge at 1 and 5 (tiers)
``mentorship.mentee_retained``  mentor / mentee         ``lasting-impact`` badge for the mentor
``event.attended``              attendee                +5; ``first-event`` badge
``event.organized``             organizer               +20; ``organizer`` badge
==============================  ======================  ========================================

To change them, switch this plugin off (``GUILDKIT_PLUGINS_DENY = ["guildkit.participation"]``)
and define your own rules on the same activity types, or keep it and add rules of your own
beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.definitions import BadgeDef, BadgeLevel, PointTypeDef
from guildkit.i18n import N_
from guildkit.markers import hookimpl
from guildkit.metrics import Count
from guildkit.rules.builtin import BadgeRule, PointsRule

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule

POINT_TYPE = PointTypeDef(
    "participation", N_("Participation"), N_("Points for mentoring, being mentored, and taking part in events.")
)

BADGES = (
    BadgeDef(
        "mentor",
        N_("Mentor"),
        N_("Completed mentorships as a mentor."),
        category="mentorship",
        levels=(
            BadgeLevel("bronze", N_("First mentorship"), N_("Completed a first mentorship as a mentor.")),
            BadgeLevel("silver", N_("Seasoned mentor"), N_("Completed 5 mentorships as a mentor.")),
        ),
    ),
    BadgeDef(
        "mentee",
        N_("Mentee"),
        N_("Completed a mentorship as a mentee."),
        category="mentorship",
    ),
    BadgeDef(
        "lasting-impact",
        N_("Lasting impact"),
        N_("A mentee stayed active in the community long after their mentorship."),
        category="mentorship",
        levels=(BadgeLevel("gold"),),
    ),
    BadgeDef("first-event", N_("First event"), N_("Attended a community event."), category="events"),
    BadgeDef("organizer", N_("Organizer"), N_("Organized a community event that people attended."), category="events"),
)

RULES: tuple[Rule, ...] = (
    PointsRule("mentoring-completed", "mentorship.completed", 50, "participation", to="actor", capped=False),
    PointsRule("mentee-completed", "mentorship.completed", 20, "participation", to="target", capped=False),
    BadgeRule("mentor-badge", "mentor", Count("mentorship.completed", "actor"), (1, 5)),
    BadgeRule("mentee-badge", "mentee", Count("mentorship.completed", "target"), (1,)),
    BadgeRule("lasting-impact-badge", "lasting-impact", Count("mentorship.mentee_retained", "actor"), (1,)),
    PointsRule("event-attended", "event.attended", 5, "participation", to="actor", capped=False, self_award=True),
    BadgeRule("first-event-badge", "first-event", Count("event.attended", "actor"), (1,)),
    PointsRule("event-organized", "event.organized", 20, "participation", to="actor", capped=False, self_award=True),
    BadgeRule("organizer-badge", "organizer", Count("event.organized", "actor"), (1,)),
)


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> tuple[PointTypeDef, ...]:
    return (POINT_TYPE,)


@hookimpl
def guildkit_register_badges(gk: GuildKit) -> tuple[BadgeDef, ...]:
    return BADGES


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> tuple[Rule, ...]:
    return RULES
