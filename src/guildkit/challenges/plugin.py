"""The ``guildkit.challenges`` plugin: challenges, their counting, rewards, pages, API, commands and job.

Besides the parts :class:`~guildkit.feature.Feature` hands over, it

* counts each recorded activity toward the challenges its actor (or the actor's groups) take
  part in, inside the recording transaction (the core's ``guildkit_activities_applied``);
* registers the rule that turns a ``challenge.completed`` activity into its points and badge
  (``guildkit_register_rules``), and the badges challenges define (``guildkit_register_badges``),
  with their revisions added to the stored definitions version (a ``guildkit_definitions_version``
  wrapper), as the seasons feature does;
* rewards a group's members right after the group's completion commits (its own
  ``guildkit_challenge_completed``);
* registers the ``guildkit.challenges.upkeep`` job: the next week of weekly challenges, the
  ended ones' rows, rewards still due.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.challenges"]``.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from guildkit.challenges import badges, progress
from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.challenges.rewards import ChallengeReward
from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    import sqlalchemy as sa

    from guildkit.activity import ActivityView
    from guildkit.challenges.hookspecs import ChallengeCompletion
    from guildkit.definitions import BadgeDef
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule
    from guildkit.transaction import Transaction

UPKEEP = "guildkit.challenges.upkeep"


def _upkeep(gk: GuildKit) -> dict[str, Any]:
    return gk.challenges.upkeep()  # type: ignore[no-any-return]


class ChallengesFeature(Feature):
    name = "challenges"
    models = (Challenge, ChallengeStep, ChallengeParticipant, ChallengeProgress)
    services = {"challenges": "guildkit.challenges:Challenges"}
    commands = "guildkit.challenges.cli:COMMANDS"
    permissions = {"challenges.manage": "make and close challenges for everyone"}
    nav = NavLink(lazy_gettext("Challenges"), ".challenges", also=(".challenge_new",))

    @hookimpl
    def guildkit_activities_applied(self, gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
        progress.count(gk, tx, activities)

    @hookimpl(tryfirst=True)
    def guildkit_challenge_completed(self, gk: GuildKit, completion: ChallengeCompletion) -> None:
        # A member was rewarded with the completion; a group's members are, now, after the commit,
        # first among the implementations: the other plugins are told once the rewards are out.
        gk.challenges.award_due(completion.participant_id)

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[Rule]:
        return [ChallengeReward()]

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        with gk.store.engine.connect() as conn:
            return badges.defined(conn)

    @hookimpl(wrapper=True)
    def guildkit_definitions_version(self, gk: GuildKit, engine: sa.Engine) -> Generator[None, Any, int | None]:
        # Both numbers only grow, so their sum changes whenever either does.
        other: int | None = yield
        mine = badges.read_version(engine)
        return other if mine is None else (other or 0) + mine

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(UPKEEP, _upkeep, "Open weekly challenges' next week, settle ended ones, reward what is due.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        return [PeriodicJob(UPKEEP, timedelta(minutes=5))]


plugin = ChallengesFeature()
