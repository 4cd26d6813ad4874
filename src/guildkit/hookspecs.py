"""The reference for every guildkit hook.

Plugins implement these with :data:`guildkit.hookimpl`. Three families:

* **Contributing** (``guildkit_register_*``) — called once per app when guildkit builds its
  registry, inside that app's context (so ``flask.current_app.config`` is the app's: a plugin may
  contribute per app). Return an iterable of definitions (or ``None``). Results from all plugins
  are merged; the same slug or rule name from two plugins is a
  :class:`~guildkit.errors.DuplicateDefinition`.
* **Deciding** (verbs, ``firstresult=True``) — called inside the recording transaction, may change
  the outcome. They must be fast and must not write to the database. An exception here is
  logged, recorded in ``guildkit_hook_failures`` and treated as "no opinion".
* **Being told** (``guildkit_*ed``) — called after the transaction has committed, in order of
  registration. An exception is logged and recorded; it never undoes an award, never stops the
  other plugins from being told, and never reaches the host's request.

The matching blinker signals (:mod:`guildkit.signals`) fire right after the "being told" hooks
with the same arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import sqlalchemy as sa
    from flask import Flask

    from guildkit.activity import ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
    from guildkit.announcements import (
        CaseResolved,
        EventChange,
        GuidelinesPublished,
        LevelChange,
        MemberJoined,
        MentorshipChange,
        RsvpChange,
        TrustLevelChange,
    )
    from guildkit.definitions import BadgeDef, PageLink, PointTypeDef, RoleDef
    from guildkit.extension import GuildKit
    from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker
    from guildkit.routes import Routes
    from guildkit.rules.base import AwardPoints, Outcome, Rule, Veto
    from guildkit.rules.builtin import Levels

hookspec = pluggy.HookspecMarker("guildkit")

# --------------------------------------------------------------------------------------------
# Setting up
# --------------------------------------------------------------------------------------------


@hookspec(historic=True)
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    """guildkit was set up on ``app``: add your config defaults, CLI commands and routes.

    Called from :meth:`GuildKit.init_app` after guildkit's own config is in place. The hook is
    *historic*: a plugin registered later (``gk.register(...)``) is called at once for every app
    the ``GuildKit`` was already set up on. Use ``app.config.setdefault`` for your ``GUILDKIT_*``
    keys, ``app.cli.add_command`` for commands and ``app.register_blueprint`` for routes of your
    own (a webhook receiver, a verification URL). An exception here fails ``init_app``: a plugin
    that cannot set itself up should say so at start-up. Flask refuses new routes once an app has
    served its first request, so register plugins that add routes before that.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param app: the Flask app being set up.
    """


@hookspec
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.MetaData | sa.Table] | None:
    """Contribute the tables a plugin keeps in guildkit's database.

    Return ``sqlalchemy.Table`` objects (guildkit's own features declare theirs on guildkit's
    ``Base`` so that they can refer to its tables) or a ``MetaData`` of your own, with names
    starting ``guildkit_<plugin>_``. ``gk.create_all()`` and ``flask guildkit db upgrade``
    create the ones that are missing (plugins' tables are created, not migrated: add columns in
    a new table, or migrate them yourself). Write to them in ``gk.transaction(...)`` so that
    your rows commit with guildkit's. A feature switched off has no tables.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of ``sqlalchemy.Table`` or ``sqlalchemy.MetaData``, or ``None``.
    """


@hookspec
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes] | None:
    """Contribute pages and JSON API endpoints to the blueprint ``make_blueprint()`` makes.

    Declare views on a :class:`guildkit.routes.Routes` (``Routes("api")`` or
    ``Routes("pages", template_folder=...)``) with the decorators a Flask blueprint has, and
    return it: each blueprint made for an app installs the routes of the plugins registered on
    that app's ``GuildKit``, with the same endpoint names as guildkit's own
    (``guildkit.pages.<view>``, ``guildkit.api.<view>``). API views declared with
    :func:`guildkit.web.endpoint.endpoint` appear in the OpenAPI document.

    :param gk: the :class:`~guildkit.GuildKit` whose blueprint is being registered.
    :return: an iterable of :class:`~guildkit.routes.Routes`, or ``None``.
    """


# --------------------------------------------------------------------------------------------
# Contributing definitions
# --------------------------------------------------------------------------------------------


@hookspec
def guildkit_register_point_types(gk: GuildKit) -> Iterable[PointTypeDef] | None:
    """Contribute point types (such as ``reputation`` or ``xp``).

    :param gk: the :class:`~guildkit.GuildKit` building its registry.
    :return: an iterable of :class:`~guildkit.PointTypeDef`, or ``None``.
    """


@hookspec
def guildkit_register_badges(gk: GuildKit) -> Iterable[BadgeDef] | None:
    """Contribute badge definitions.

    A badge is only a definition; a rule (``guildkit_register_rules``) decides who earns it.

    :param gk: the :class:`~guildkit.GuildKit` building its registry.
    :return: an iterable of :class:`~guildkit.BadgeDef`, or ``None``.
    """


@hookspec
def guildkit_register_roles(gk: GuildKit) -> Iterable[RoleDef] | None:
    """Contribute roles and the permissions each carries.

    :param gk: the :class:`~guildkit.GuildKit` building its registry.
    :return: an iterable of :class:`~guildkit.RoleDef`, or ``None``.
    """


@hookspec
def guildkit_register_rules(gk: GuildKit) -> Iterable[Rule | Levels] | None:
    """Contribute rules that turn activities into points, badges and roles.

    Any object satisfying :class:`guildkit.rules.Rule` works; the built-in
    :class:`~guildkit.PointsRule`, :class:`~guildkit.BadgeRule`,
    :class:`~guildkit.EventBadgeRule` and :class:`~guildkit.RoleRule` cover most needs.
    :class:`~guildkit.Levels` objects may be returned here too: they turn a point type's balance
    into levels. Rule names must be unique across all plugins.

    :param gk: the :class:`~guildkit.GuildKit` building its registry.
    :return: an iterable of rules (and ``Levels``), or ``None``.
    """


@hookspec
def guildkit_page_links(
    gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
) -> Iterable[PageLink] | None:
    """Contribute links to one of guildkit's pages, such as "Download as an Open Badge".

    Called while the page renders: be fast and don't write. A plugin that raises is logged and
    recorded, and the page renders without its links. The pages and their ``subject``:

    * ``"badge"`` — ``{"badge": slug, "held_levels": [levels the viewer holds]}``
    * ``"member"`` — ``{"user_id": the member shown}``
    * ``"nav"`` — ``{}``: every page's navigation (the admin console adds "Admin" for admins)

    :param gk: the :class:`~guildkit.GuildKit`.
    :param page: which page is rendering.
    :param subject: what it shows (above).
    :param viewer: the signed-in host user id, or ``None``.
    :return: an iterable of :class:`~guildkit.PageLink`, or ``None``.
    """


# --------------------------------------------------------------------------------------------
# Deciding (inside the transaction; first non-None result wins)
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def guildkit_compute_points(activity: ActivityView, rule: str, award: AwardPoints) -> int | None:
    """Compute how many points ``award`` should give, before caps and floors apply.

    Called for every points outcome. Use it for points that depend on the payload (a bounty's
    amount) or on your own data. Stops at the first non-``None`` result.

    :param activity: the activity being recorded.
    :param rule: the name of the rule that proposed the award.
    :param award: the proposed :class:`~guildkit.rules.AwardPoints`.
    :return: the number of points to give instead (may be 0 or negative), or ``None`` to keep
        the rule's amount.
    """


@hookspec(firstresult=True)
def guildkit_review_award(activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | Veto | None:
    """Veto or adjust an outcome before it is applied: the anti-abuse point.

    Called for every outcome a rule returns (points, badge, role). Stops at the first
    non-``None`` result.

    :param activity: the activity being recorded.
    :param rule: the name of the rule that proposed ``outcome``.
    :param outcome: the proposed outcome (an ``AwardPoints``, ``AwardBadge``, ``GrantRole``,
        ``HoldBadge`` or ``HoldRole``).
    :return: ``None`` to let it stand, a :class:`~guildkit.Veto` to drop it (the reason is
        logged), or a replacement outcome of the same kind.
    """


@hookspec(firstresult=True)
def guildkit_mentor_score(
    gk: GuildKit, seeker: MentorSeeker, candidate: MentorCandidate, score: MentorScore
) -> MentorScore | None:
    """Replace or adjust how well a mentor suits a mentee, when suggesting mentors.

    Called once per candidate mentor (outside any write transaction) after guildkit computed
    its own score (see ``docs/mentorship.md``). Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param seeker: what the mentee is looking for: topics, language, time zone, goals.
    :param candidate: the mentor's profile, free capacity and completion record.
    :param score: guildkit's score, with the reasons shown to the mentee.
    :return: a :class:`~guildkit.mentorship.MentorScore` to use instead (adjust with
        ``dataclasses.replace(score, ...)``), or ``None`` to keep guildkit's.
    """


@hookspec(firstresult=True)
def guildkit_can(gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
    """Decide whether a member has a privilege, after guildkit worked out its own answer.

    Called by :meth:`GuildKit.can` (outside any write transaction) for active members, with
    ``granted`` the answer from ``GUILDKIT_PRIVILEGES`` (or ``True`` for staff with ``admin``).
    Use it to deny a privilege to a muted member, or to grant one from your own data. Never called
    for suspended, banned or deleted members: they have no privileges. Be fast and don't write.
    A plugin that raises (or returns something other than a bool) is recorded and the built-in
    answer stands. Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param user_id: the host user id asked about.
    :param privilege: the privilege's name, a key of ``GUILDKIT_PRIVILEGES``.
    :param granted: guildkit's own answer.
    :return: ``True`` to grant, ``False`` to deny, or ``None`` to keep ``granted``.
    """


# --------------------------------------------------------------------------------------------
# Being told (after commit)
# --------------------------------------------------------------------------------------------


@hookspec
def guildkit_activity_recorded(gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
    """An activity was recorded for the first time and everything it earned is committed.

    Not called for a duplicate delivery of the same key.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param activity: the stored activity.
    :param result: what it earned.
    """


@hookspec
def guildkit_activity_retracted(gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
    """An activity was retracted and what it earned has been reversed (and committed).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param activity: the retracted activity.
    :param result: the reversals (negative points, revoked badges and roles).
    """


@hookspec
def guildkit_member_joined(gk: GuildKit, member: MemberJoined) -> None:
    """A host user became a community member (on their first activity or by ``gk.join``).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param member: the new member's ``user_id`` and ``member_id``.
    """


@hookspec
def guildkit_points_changed(gk: GuildKit, change: PointsChange, activity_key: str) -> None:
    """A member's balance changed (a ledger row was written).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, point type, amount, new balance, rule and reason.
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_badge_awarded(gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
    """A member earned a badge level.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, badge slug, level and rule.
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_badge_revoked(gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
    """A member lost a badge level (a retraction, or a manual revocation).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, badge slug, level and rule (``granted`` is ``False``).
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_role_granted(gk: GuildKit, change: RoleChange, activity_key: str) -> None:
    """A member was granted a role.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, role slug and rule.
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_role_revoked(gk: GuildKit, change: RoleChange, activity_key: str) -> None:
    """A member lost a role.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, role slug and rule (``granted`` is ``False``).
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_level_changed(gk: GuildKit, change: LevelChange, activity_key: str) -> None:
    """A member's level for a point type went up or down.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: user, point type, old and new level, and the new level's name.
    :param activity_key: the key of the activity that caused it.
    """


@hookspec
def guildkit_mentorship_changed(gk: GuildKit, change: MentorshipChange) -> None:
    """A mentorship changed state (requested, accepted, declined, expired, withdrawn, active...).

    The states are described in ``docs/mentorship.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the mentorship, mentor and mentee, old and new state, who and why.
    """


@hookspec
def guildkit_event_changed(gk: GuildKit, change: EventChange) -> None:
    """A community event was created, updated or cancelled.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the event, what happened to it and who did it.
    """


@hookspec
def guildkit_rsvp_changed(gk: GuildKit, change: RsvpChange) -> None:
    """A member's RSVP changed (including a move off the waitlist), or they were checked in.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the event, the member, the old and new status, and who made the change.
    """


@hookspec
def guildkit_trust_level_changed(gk: GuildKit, change: TrustLevelChange) -> None:
    """A member's trust level went up or down (by evaluation, or set by staff).

    The change is also an activity of type ``guildkit.trust_level`` and a notification to the
    member. Levels and their criteria are described in ``docs/trust.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the member, the old and new level, the new level's name, who set it and why.
    """


@hookspec
def guildkit_guidelines_published(gk: GuildKit, guidelines: GuidelinesPublished) -> None:
    """An admin (or host code) published a new version of the community guidelines.

    Members are not notified one by one: guildkit's pages show a one-line notice to each member
    who has not accepted the new version. Send your own announcement (an email, a post) here.
    Versions and acceptance are described in ``docs/guidelines.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param guidelines: the new version's number, title and summary of changes, and who published it.
    """


@hookspec
def guildkit_case_resolved(gk: GuildKit, case: CaseResolved) -> None:
    """A moderation case was resolved, and its effects are committed.

    Told for every resolution: each ``gk.moderation.resolve`` action (``dismiss``, ``warn``,
    ``mute``, ``suspend``, ``ban``, ``revoke_badge``, ``retract``) and a mediation's agreed
    outcome (action ``mediate``). Not told for an appeal's decision: an appeal does not reopen or
    resolve a case. Use it to remove or restore the reported content in your app, or to tell the
    reporters. Cases and actions are described in ``docs/moderation.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param case: the case, its subject and reported member, the action, the reason, who resolved
        it and whether the member's content was hidden while it was open.
    """
