"""The optional default rule set: ``contribution`` points and two badges for GitHub activities.

Registered through the plugin's ``guildkit_register_*`` hooks when ``GUILDKIT_GITHUB_DEFAULT_RULES``
is on (by default: when the receiver is configured). Hosts that want their own amounts turn it
off and write rules on the same activity types (``guildkit_github.mapping``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from guildkit import ActivityView, BadgeDef, BadgeLevel, BadgeRule, Count, Distinct, PointsRule, PointTypeDef
from guildkit.rules import Rule

if TYPE_CHECKING:
    from guildkit.metrics import Unit

from .mapping import ISSUE_OPENED, PULL_REQUEST_MERGED, RELEASE_PUBLISHED, REVIEW_SUBMITTED

POINT_TYPE = "contribution"
FIRST_MERGE_BADGE = "github-first-merge"
REVIEWER_BADGE = "github-reviewer"

MERGED_PR_POINTS = 10
REVIEW_POINTS = 5
ISSUE_POINTS = 2
RELEASE_POINTS = 15
#: At most this many review points a day per member (5 reviews): a stream of one-line
#: "commented" reviews must not outscore real work.
REVIEW_DAILY_CAP = 25
#: At most this many issue points a day per member (5 issues).
ISSUE_DAILY_CAP = 10
REVIEWER_THRESHOLDS = (1, 10, 50)


@dataclass(frozen=True)
class ReviewedPullRequests(Distinct):
    """How many different pull requests of *other people* the member reviewed.

    Several reviews of one pull request count once, and reviews of one's own pull request
    (GitHub allows comment reviews there) not at all.
    """

    type: str = REVIEW_SUBMITTED
    of: Literal["actor", "target", "subject"] = "subject"

    @property
    def name(self) -> str:
        return f"distinct:{self.type}:actor:subject:others"

    def apply(self, unit: Unit, activity: ActivityView, sign: int) -> None:
        if activity.actor_id is not None and activity.actor_id == activity.target_id:
            return
        super().apply(unit, activity, sign)

    def describe(self) -> str:
        return "distinct pull requests of others reviewed"


def point_types() -> list[PointTypeDef]:
    return [
        PointTypeDef(
            POINT_TYPE,
            "Contribution",
            "Points for merged pull requests, reviews, issues and releases on GitHub.",
        )
    ]


def badges() -> list[BadgeDef]:
    return [
        BadgeDef(
            FIRST_MERGE_BADGE,
            "First merge",
            "Had a first pull request merged on GitHub.",
            category="github",
        ),
        BadgeDef(
            REVIEWER_BADGE,
            "Reviewer",
            "Reviewed other people's pull requests on GitHub.",
            category="github",
            levels=(
                BadgeLevel("bronze", description="Reviewed a pull request of someone else."),
                BadgeLevel("silver", description="Reviewed 10 different pull requests of others."),
                BadgeLevel("gold", description="Reviewed 50 different pull requests of others."),
            ),
        ),
    ]


def rules() -> list[Rule]:
    """Rule names start with ``github-`` so they cannot clash with the host's."""
    pts = POINT_TYPE
    return [
        PointsRule("github-pull-request-merged", PULL_REQUEST_MERGED, MERGED_PR_POINTS, pts, to="actor"),
        # Reviewing your own pull request: the target (its author) is the actor, and PointsRule
        # gives nothing when actor == target (self_award=False).
        PointsRule(
            "github-review-submitted", REVIEW_SUBMITTED, REVIEW_POINTS, pts, to="actor", daily_cap=REVIEW_DAILY_CAP
        ),
        PointsRule("github-issue-opened", ISSUE_OPENED, ISSUE_POINTS, pts, to="actor", daily_cap=ISSUE_DAILY_CAP),
        PointsRule("github-release-published", RELEASE_PUBLISHED, RELEASE_POINTS, pts, to="actor"),
        BadgeRule("github-first-merge", FIRST_MERGE_BADGE, Count(PULL_REQUEST_MERGED), (1,)),
        BadgeRule("github-reviewer", REVIEWER_BADGE, ReviewedPullRequests(), REVIEWER_THRESHOLDS),
    ]
