"""Stack Exchange reputation for guildkit.

A plugin (entry point ``stackexchange`` in the ``guildkit`` group) that registers the point type
``reputation`` (floor 1, at most +200 a day from capped rules) and the rules Stack Exchange users
know: +10 per upvote, +15/+2 for an accepted answer, -2 per downvote (and -1 to whoever downvotes
an answer), +2 per approved suggested edit up to +1,000 in total, -100 for a post flagged as spam,
and +1 when the host calls ``gk.join(user)`` so that members start at 1.

The host reports activities; see the README for each type's actor and target::

    gk.record(ANSWER_UPVOTED, actor=voter_id, target=author_id, subject="answer:42", key="vote:9001")
    gk.retract("vote:9001")  # the vote was undone: what it gave is taken back (never below 1)
"""

from __future__ import annotations

from guildkit import GuildKit, PointsRule, PointTypeDef, hookimpl
from guildkit.rules import Rule

__version__ = "0.1.0"

__all__ = [
    "ACCEPTED_ANSWER",
    "ACCEPTER_BONUS",
    "ANSWER_ACCEPTED",
    "ANSWER_DOWNVOTED",
    "ANSWER_UPVOTED",
    "DAILY_CAP",
    "DOWNVOTE_COST",
    "DOWNVOTE_RECEIVED",
    "EDIT_APPROVED",
    "EDIT_POINTS",
    "EDIT_TOTAL_CAP",
    "FLOOR",
    "JOINED",
    "POINT_TYPE",
    "QUESTION_DOWNVOTED",
    "QUESTION_UPVOTED",
    "SPAM_FLAGGED",
    "SPAM_PENALTY",
    "STARTING_REPUTATION",
    "UPVOTE",
    "guildkit_register_point_types",
    "guildkit_register_rules",
    "point_types",
    "rules",
]

POINT_TYPE = "reputation"

# Activity types the host reports.
QUESTION_UPVOTED = "question.upvoted"
ANSWER_UPVOTED = "answer.upvoted"
QUESTION_DOWNVOTED = "question.downvoted"
ANSWER_DOWNVOTED = "answer.downvoted"
ANSWER_ACCEPTED = "answer.accepted"
EDIT_APPROVED = "edit.approved"
SPAM_FLAGGED = "post.spam_flagged"
#: Recorded by ``gk.join(user)`` (actor = the user), once per user.
JOINED = "guildkit.joined"

# Amounts, from the Stack Exchange help center.
UPVOTE = 10
ACCEPTED_ANSWER = 15
ACCEPTER_BONUS = 2
DOWNVOTE_RECEIVED = -2
DOWNVOTE_COST = -1
EDIT_POINTS = 2
EDIT_TOTAL_CAP = 1000
SPAM_PENALTY = -100
STARTING_REPUTATION = 1
FLOOR = 1
DAILY_CAP = 200


def point_types() -> list[PointTypeDef]:
    return [
        PointTypeDef(
            POINT_TYPE,
            "Reputation",
            "Stack Exchange style reputation: votes, accepted answers, edits and penalties.",
            floor=FLOOR,
            daily_cap=DAILY_CAP,
        )
    ]


def rules() -> list[Rule]:
    """Every rule of the plugin. Rule names start with ``se-`` so they cannot clash with others'."""
    rep = POINT_TYPE
    return [
        # Votes count toward the 200/day cap (capped=True is the default).
        PointsRule("se-question-upvoted", QUESTION_UPVOTED, UPVOTE, rep),
        PointsRule("se-answer-upvoted", ANSWER_UPVOTED, UPVOTE, rep),
        PointsRule("se-question-downvoted", QUESTION_DOWNVOTED, DOWNVOTE_RECEIVED, rep),
        PointsRule("se-answer-downvoted", ANSWER_DOWNVOTED, DOWNVOTE_RECEIVED, rep),
        # Downvoting answers costs the voter; questions are free to downvote on Stack Exchange.
        PointsRule("se-downvote-cost", ANSWER_DOWNVOTED, DOWNVOTE_COST, rep, to="actor"),
        # Accepted answers are exempt from the daily cap, for both sides. Accepting your own
        # answer gives nothing: PointsRule skips actor == target (self_award=False).
        PointsRule("se-answer-accepted", ANSWER_ACCEPTED, ACCEPTED_ANSWER, rep, capped=False),
        PointsRule("se-accept-bonus", ANSWER_ACCEPTED, ACCEPTER_BONUS, rep, to="actor", capped=False),
        # Suggested edits count toward the daily cap, as on Stack Exchange (only accepts and
        # bounties are exempt), and toward their own lifetime total; retracting an edit gives
        # its share of the total back.
        PointsRule("se-edit-approved", EDIT_APPROVED, EDIT_POINTS, rep, total_cap=EDIT_TOTAL_CAP),
        # A penalty must not depend on who reports it: self_award=True so that actor == target
        # (or any actor at all) cannot skip it.
        PointsRule("se-spam-flagged", SPAM_FLAGGED, SPAM_PENALTY, rep, self_award=True),
        # Members start at 0 in guildkit; Stack Exchange users start at 1. gk.join(user) records
        # guildkit.joined once per user, so this gives the starting 1 exactly once.
        PointsRule(
            "se-starting-reputation",
            JOINED,
            STARTING_REPUTATION,
            rep,
            to="actor",
            capped=False,
            reason="Joined the community",
        ),
    ]


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> list[PointTypeDef]:
    return point_types()


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[Rule]:
    return rules()
