"""The reference for every core guildkit hook.

Plugins implement these with :data:`guildkit.hookimpl`. Five families:

* **Setting up** (``guildkit_init_app``, ``guildkit_add_hookspecs``) — called when guildkit is
  set up on an app, or when the plugin registers. An exception here fails start-up.
* **Contributing** (``guildkit_register_*``) — called when guildkit builds what plugins
  contribute, inside the app's context (so ``flask.current_app.config`` is the app's: a plugin
  may contribute per app). Return an iterable of definitions (or ``None``). Results from all
  plugins are merged; the same slug or rule name from two plugins is a
  :class:`~guildkit.errors.DuplicateDefinition`.
* **Deciding** (verbs, most ``firstresult=True``) — called while guildkit works, inside the
  recording transaction for the ones about awards; may change the outcome. They must be fast and
  must not write to the database. An exception (or a result the hook's contract refuses) is
  logged, recorded in ``guildkit_hook_failures`` and treated as "no opinion". The two that
  accept an activity for later (``guildkit_accept_activity``, ``guildkit_lookup_accepted``) are
  the exception: they store and read, and their errors are the caller's; so is
  ``guildkit_activities_applied``, which writes a plugin's own counts in the recording transaction,
  and ``guildkit_streak_gap_bridged``, which may spend a plugin's own freezes in it.
* **Being told** (``guildkit_*ed``) — called after the transaction has committed. An exception
  is logged and recorded; it never undoes an award, never stops the other plugins from being
  told, and never reaches the host's request.
* **Data rights** (``guildkit_member_export``, ``guildkit_member_erase``) — called by
  ``gk.privacy`` when a member downloads their data or is erased. Not contained: a plugin that
  fails makes the export or the erasure fail as a whole, with a
  :class:`~guildkit.errors.PrivacyHookFailed` naming it (and the failure is recorded).

Every hook is called through pluggy, so hook wrappers (``@hookimpl(wrapper=True)``) and
pluggy's tracing see each call (a per-award deciding hook that nobody implements is not called
at all: that keeps the recording path lean). The matching blinker signals (:mod:`guildkit.signals`) fire
right after the "being told" hooks with the same arguments.

guildkit's features add hooks of their own (``guildkit_add_hookspecs``), documented with them:
see ``docs/hooks.md`` for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from guildkit.contracts import (
    a_bool,
    an_image,
    an_int,
    export_sections,
    flair,
    kind_names,
    page_links,
    returns,
    same_kind_of_outcome,
    subjects,
    template_names,
)
from guildkit.markers import hookspec

if TYPE_CHECKING:
    from datetime import date

    import click
    import sqlalchemy as sa
    from flask import Flask

    from guildkit.activity import (
        Accepted,
        ActivityInput,
        ActivityResult,
        ActivityView,
        BadgeChange,
        PointsChange,
        RoleChange,
    )
    from guildkit.announcements import LevelChange, MemberJoined
    from guildkit.branches import Branch
    from guildkit.definitions import ActivityTypeDef, BadgeDef, Flair, PageLink, PointTypeDef, RoleDef, Subject
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.jobs import Job, PeriodicJob
    from guildkit.models import Member
    from guildkit.registry import Registry
    from guildkit.routes import Routes
    from guildkit.rules.base import AwardPoints, Outcome, Rule, Veto
    from guildkit.rules.builtin import Levels
    from guildkit.transaction import Transaction


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


@hookspec(historic=True)
def guildkit_add_hookspecs(pm: pluggy.PluginManager) -> None:
    """Add the hooks a plugin defines for other plugins: ``pm.add_hookspecs(my_hookspecs)``.

    Called once when the plugin registers (the hook is *historic*), before any other plugin is
    checked against the specs. guildkit's features declare their own hooks this way
    (``guildkit_mentorship_changed`` and the rest); a plugin that implements a hook of a feature
    the host may switch off marks it ``@hookimpl(optionalhook=True)``.

    :param pm: the plugin manager of the :class:`~guildkit.GuildKit`.
    """


@hookspec
def guildkit_register_config(gk: GuildKit) -> Mapping[str, Any] | None:
    """Contribute ``GUILDKIT_*`` config keys with their defaults.

    Applied with ``app.config.setdefault`` in :meth:`GuildKit.init_app`, before any
    ``guildkit_init_app`` implementation runs, so every plugin sees every default (a dict or list
    default is copied for each app). Check the values in ``guildkit_init_app`` and raise
    :class:`~guildkit.errors.ConfigurationError` for a bad one. Document each key you add.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: a mapping of config keys to defaults, or ``None``.
    """


@hookspec
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]] | None:
    """Contribute services reached as attributes of the ``GuildKit``: ``gk.<name>``.

    Each value is a factory called with the ``GuildKit`` the first time ``gk.<name>`` is read;
    the object it returns is kept for the life of the instance. guildkit's features offer their
    Python API this way (``gk.mentorship``, ``gk.events``, ``gk.can`` …), so a feature switched
    off has no attribute, and features reach each other through these services only. Names must
    be unique and must not shadow an attribute of ``GuildKit``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: a mapping of attribute names to factories, or ``None``.
    """


@hookspec
def guildkit_register_permissions(gk: GuildKit) -> Mapping[str, str] | None:
    """Contribute the permissions a feature checks, each with what it allows.

    Roles carry permissions, API tokens are scoped to them, and the admin console offers them
    when an admin makes a role or a token. ``admin`` implies every other one. The core declares
    ``activities.write``, ``members.read_private``, ``members.manage``, ``roles.manage`` and
    ``awards.manage``; a feature declares its own (``analytics.view``) and checks them with
    ``caller.can(...)``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: a mapping of permission names to what they allow, or ``None``.
    """


@hookspec
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command] | None:
    """Contribute commands (or groups) to the app's ``flask guildkit`` group.

    Called in :meth:`GuildKit.init_app`; each app has its own group. Make groups with
    ``flask.cli.AppGroup`` and mark single commands ``@flask.cli.with_appcontext`` so that they
    run in the app's context; reach the ``GuildKit`` there with
    :func:`guildkit.current.current_guildkit`.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of ``click.Command``, or ``None``.
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
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch] | None:
    """Contribute a migration history of your own: the Alembic scripts for your tables.

    Return :func:`guildkit.migrate.feature_branch` (a name, the folder of revision scripts, the
    tables it owns). ``flask guildkit db upgrade`` (:func:`guildkit.migrate.upgrade`) runs each
    branch to its head after the core's, with its own version table
    (``guildkit_<name>_alembic_version``); revisions are named ``<name>_0001``, ``<name>_0002`` ….
    guildkit's features keep their tables this way; a plugin whose tables never change may use
    ``guildkit_register_tables`` alone.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of :class:`guildkit.migrate.Branch`, or ``None``.
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
# Background jobs (contributions, gathered in the app's context)
# --------------------------------------------------------------------------------------------


@hookspec
def guildkit_register_jobs(gk: GuildKit) -> Iterable[Job] | None:
    """Contribute background jobs: named functions that ``gk.jobs.enqueue(name, **arguments)`` runs.

    A :class:`~guildkit.jobs.Job` is ``Job(name, run, description, max_retries=3)``; ``run(gk,
    **arguments)`` is called in the app's context on whichever backend the host chose
    (``GUILDKIT_JOBS_BACKEND``: inline, a thread, a Celery worker), so it must not rely on the
    request or the process that queued it. The name (``myplugin.sync``, lower-case dotted words
    starting with your plugin's) is the Celery task's name too; the same name from two plugins is
    a :class:`~guildkit.errors.DuplicateDefinition`. Arguments are JSON: pass ids and read the
    rows again, never ORM objects. Write jobs to be idempotent and safe to retry: a run can be
    repeated (a retry after an exception, a message redelivered after a worker died) and can stop
    at any line, so keep what is left to do in the database (an outbox row, a "done" marker) and
    let a second run find nothing to do. Gathered once per app for the registered plugins.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of :class:`~guildkit.jobs.Job`, or ``None``.
    """


@hookspec
def guildkit_register_periodic_jobs(gk: GuildKit) -> Iterable[PeriodicJob] | None:
    """Contribute a schedule: registered jobs to run every so often (sweeps, rollups, digests).

    A :class:`~guildkit.jobs.PeriodicJob` is ``PeriodicJob(job name, every=timedelta(...),
    arguments={...})``; the job may be any plugin's. Celery beat sends them on the ``celery``
    backend (a run that cannot start within its period is dropped, so a backlog never piles up);
    the in-process backends never run them on their own, and hosts without Celery run ``flask
    guildkit jobs run NAME`` from cron. Called in the app's context, so the period may come from
    your config; the host changes any period, or switches a job off, with
    ``GUILDKIT_JOBS_SCHEDULE``. Naming a job no plugin registers fails with a
    :class:`~guildkit.errors.ConfigurationError`.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of :class:`~guildkit.jobs.PeriodicJob`, or ``None``.
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
def guildkit_register_activity_types(gk: GuildKit) -> Iterable[ActivityTypeDef] | None:
    """Contribute the words for activity types, so members read sentences rather than type names.

    Each gives a label, what each audience reads and what a badge asks ("Answer {n} questions").
    Pages, notifications and badge criteria use them; a type nobody describes is shown by its
    name made readable ("Answer upvoted").

    :param gk: the :class:`~guildkit.GuildKit` building its registry.
    :return: an iterable of :class:`~guildkit.ActivityTypeDef`, or ``None``.
    """


@hookspec
def guildkit_check_definitions(gk: GuildKit, registry: Registry) -> None:
    """Check the definitions as a whole, against what the plugin knows, once they are built.

    Called after every registry build (at start-up, after a console change, for a proposed rule
    change), when each definition is valid on its own: the place for checks across plugins,
    such as the trust levels' names never being a points level's name. Raise
    :class:`~guildkit.errors.ConfigurationError` to refuse the definitions, naming what to
    change; not contained: the build fails (a proposed change is refused, the rules in force stay).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param registry: the definitions built (:class:`~guildkit.registry.Registry`).
    """


@hookspec
@returns(page_links)
def guildkit_page_links(
    gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
) -> Iterable[PageLink] | None:
    """Contribute links to one of guildkit's pages, such as "Download as an Open Badge".

    Called while the page renders: be fast and don't write. A plugin that raises is logged and
    recorded, and the page renders without its links. The pages and their ``subject``:

    * ``"badge"`` — ``{"badge": slug, "held_levels": [levels the viewer holds]}``
    * ``"member"`` — ``{"user_id": the member shown}``
    * ``"nav"`` — ``{}``: every page's navigation for members (Mentoring, Events …); after the
      first ``GUILDKIT_NAV_LINKS`` links, the rest go in its "More" menu
    * ``"staff"`` — ``{}``: the tools of those who run the community, in the account area's
      "Staff" menu (the admin console adds "Admin" for admins)

    :param gk: the :class:`~guildkit.GuildKit`.
    :param page: which page is rendering.
    :param subject: what it shows (above).
    :param viewer: the signed-in host user id, or ``None``.
    :return: an iterable of :class:`~guildkit.PageLink`, or ``None``.
    """


@hookspec
@returns(template_names)
def guildkit_template_includes(gk: GuildKit, slot: str) -> Iterable[str] | None:
    """Contribute templates that guildkit's pages include at a named place.

    Called while a page renders; the included template sees the page's context. Be fast and
    don't write. The slots:

    * ``"notices"`` — every page, above its content: one-line notices for the signed-in person
      (new guidelines to accept, an open survey).
    * ``"member"`` — a member's profile, after their badges (the trust level section).
    * ``"analytics"`` — the analytics dashboard, after its headline numbers (the community
      objectives); shown to those who may see the analytics.
    * ``"settings"`` — the signed-in member's settings page, after their language and time zone:
      a small form of the feature's own, posting to its own route (the title, the group flair).

    :param gk: the :class:`~guildkit.GuildKit`.
    :param slot: where the templates go (above).
    :return: an iterable of template names, or ``None``.
    """


# --------------------------------------------------------------------------------------------
# Deciding (inside the transaction for awards; the first non-None result wins unless said otherwise)
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
@returns(an_int)
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
@returns(same_kind_of_outcome)
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


@hookspec
def guildkit_earning_withheld(gk: GuildKit, conn: sa.Connection, member_ids: frozenset[int]) -> Iterable[int] | None:
    """Of these members, name those who may not earn anything in this recording transaction.

    Called once per recording transaction, inside it, with every member the transaction's
    activities touch (``conn`` is the transaction's connection: read with it, never write).
    A member named by any plugin earns nothing from the transaction's activities (but still
    loses what a retraction takes back). The guidelines feature names members who have not
    accepted the current version when ``GUILDKIT_REQUIRE_GUIDELINES`` is on. Be fast: one query
    for the whole batch.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param conn: the recording transaction's connection.
    :param member_ids: guildkit member ids (not host user ids).
    :return: the member ids who may not earn, or ``None``.
    """


@hookspec(firstresult=True)
@returns(a_bool)
def guildkit_streak_gap_bridged(
    gk: GuildKit,
    conn: sa.Connection,
    member_id: int,
    activity_type: str,
    role: str,
    first_missed: date,
    last_missed: date,
    recount: bool,
    announce: Callable[..., None],
) -> bool | None:
    """Say whether missed days keep a member's streak going (a freeze, a declared absence).

    Called by the :class:`~guildkit.metrics.Streak` metric, inside the recording transaction
    (``conn`` is its connection, holding the member's lock), when the member's next active day
    for ``activity_type`` (as ``role``) comes after a gap: the days ``first_missed`` to
    ``last_missed`` (both included, in the member's own time zone) had no such activity. A
    bridged gap keeps the streak's current run going (the missed days are not counted in it);
    otherwise the run starts again at 1. With no implementation the gap breaks the streak.

    ``recount`` is true when guildkit recounts the member's streak from their active days (an
    activity retracted, or one recorded for an earlier day), and for every gap of a rule-change
    replay (then ``conn`` is a read-only connection to the live database, ``member_id`` the
    member's id there, and ``announce`` tells no one): answer from what you decided before (the
    days you covered) and spend nothing. When it is false you may write your own rows with
    ``conn`` (spend a freeze and remember the days it covered); they commit or roll back with the
    activity. Call ``announce(name, **kwargs)`` to have ``guildkit_<name>`` told after the commit.
    Stops at the first non-``None`` result. Be fast: it runs only on a gap, but in the write path.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param conn: the recording transaction's connection.
    :param member_id: the guildkit member id whose streak it is.
    :param activity_type: the activity type the streak counts.
    :param role: ``"actor"`` or ``"target"``: the member's part in those activities.
    :param first_missed: the first day without an activity.
    :param last_missed: the last day without one (the day before the new active day).
    :param recount: recounting: decide from what you decided before, spend nothing.
    :param announce: ``announce(name, **kwargs)``: tell ``guildkit_<name>`` after the commit.
    :return: ``True`` when the gap is bridged, ``False`` or ``None`` when it breaks the streak.
    """


@hookspec
def guildkit_activities_applied(gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
    """Activities were stored and their rules applied: count them in your own tables, in the same transaction.

    Called once per pass of the recording pipeline (one ``gk.record``, one ``tx.record``, one
    chunk of ``gk.record_many``), inside the recording transaction, after the rules' writes and
    before the commit, with the activities stored for the first time (a replayed key is not
    among them). Not called when history is imported quietly (docs/import.md). Write with
    ``tx.conn``: your rows commit or roll back with the activities, so a count kept here is
    exactly the activities recorded, and stays cheap as history grows when each activity moves
    a counter (``UPDATE … SET n = n + :k``) rather than a recount. ``tx.record`` (an award it
    earns), ``tx.tell`` and ``tx.announce`` work as in ``gk.transaction``; what ``tx.record``
    records here comes back through this hook in its own call. Be fast: one statement for the
    whole batch where you can, and none for activity types you do not count.

    Not contained, unlike the other deciding hooks: an exception rolls the whole recording back
    and reaches the caller, because a count that silently missed an activity would stay wrong.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param tx: the recording :class:`~guildkit.transaction.Transaction` (``conn``, ``now``,
        ``registry``: the definitions it records under, ``counter``: a counter's value as this
        pass left it, at no query, ``record``, ``tell``, ``announce``).
    :param activities: the activities this pass stored, in the order they were given.
    """


@hookspec
@returns(subjects)
def guildkit_resolve_subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """Titles and links for activity subjects, such as ``"event:12"`` → "Spring meetup".

    Called while a page, a notification or an email is made, once for all the keys it shows
    (at most once per key per request: answers are cached for the request). Return what you
    know and leave out the rest; every plugin is asked and the first answer for a key wins,
    after the host's ``@gk.subject_loader``. Be fast and don't write. A plugin that raises is
    logged and recorded, and the keys it would have named are shown in general words
    ("an answer").

    :param gk: the :class:`~guildkit.GuildKit`.
    :param keys: subject keys, each ``"<kind>:<id>"`` as activities were recorded with.
    :return: a mapping of key to :class:`~guildkit.Subject`, or ``None``.
    """


@hookspec
@returns(flair)
def guildkit_member_flair(gk: GuildKit, user_ids: Sequence[str]) -> Mapping[str, Flair] | None:
    """What to show next to members' names: a title they chose, a group they chose.

    Called while a page (the directory, a leaderboard, a profile, a badge's holders, a group…),
    the API's member endpoints or the host's ``gk_flair()`` show names, once for all the members
    shown (at most once per member per request: answers are cached for the request). Answer
    with one statement for the whole batch, never one per member. Return a :class:`~guildkit.definitions.Flair`
    for the members you have something for and leave out the rest; the first answer of each kind
    (``"title"``, ``"group"``) for a member wins. Be fast and don't write. A plugin that raises
    is logged and recorded, and the names show without what it would have added.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param user_ids: the host user ids of the members shown.
    :return: a mapping of user id to :class:`~guildkit.definitions.Flair`, or ``None``.
    """


@hookspec
@returns(kind_names)
def guildkit_hidden_notification_kinds(gk: GuildKit, member_id: int) -> Iterable[str] | None:
    """The kinds of in-app notification a member chose not to see.

    Called whenever guildkit lists or counts a member's notifications (the notifications page,
    the unread count in the navigation, ``gk.notifications()``, the API); the notifications
    feature answers it from the member's preferences. Be fast and don't write. The kinds every
    plugin names are left out; a plugin that raises hides nothing.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param member_id: the member's row id (``guildkit_members.id``).
    :return: kind names, or ``None``.
    """


@hookspec(firstresult=True)
@returns(an_image)
def guildkit_badge_image(gk: GuildKit, slug: str) -> tuple[bytes, str] | None:
    """The image uploaded for a badge, to show instead of the one guildkit draws.

    Called when ``/badge-images/<slug>`` is requested (pages show badges through ``<img>``
    there), after guildkit checked the badge may be shown. The admin console answers it for the
    images admins upload. Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param slug: the badge.
    :return: ``(bytes, content type)`` (PNG, WebP or a checked SVG), or ``None`` to draw one.
    """


@hookspec(firstresult=True)
@returns(an_int)
def guildkit_definitions_version(gk: GuildKit, engine: sa.Engine) -> int | None:
    """A number that changes whenever definitions stored in the database change.

    ``gk.registry`` compares it at most every ``GUILDKIT_DEFINITIONS_CHECK_SECONDS`` and rebuilds
    when it moved, so an edit made in one process reaches every other. The admin console
    answers it for its badges and roles. Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param engine: guildkit's database (read it; never write).
    :return: the stored version, or ``None`` when the plugin stores no definitions.
    """


@hookspec(firstresult=True)
def guildkit_accept_activity(gk: GuildKit, activity: ActivityInput) -> Accepted | None:
    """Store a validated activity durably, to be recorded later (``gk.record(..., wait=False)``).

    Called by :meth:`GuildKit.record` with ``wait=False`` and by ``POST /activities`` with
    ``Prefer: respond-async``, after the input was validated exactly as for a synchronous
    call. The ``guildkit.ingest`` feature answers it: one insert into its inbox, drained by a
    job through the same pipeline as ``gk.record_many``. A key already accepted with the same
    content is a no-op that returns where it stands; a key already recorded returns the
    stored result (``status="recorded"``). Stops at the first non-``None`` result.

    Not contained, unlike the other deciding hooks: the implementation's errors are the
    caller's (an :class:`~guildkit.errors.IdempotencyConflict` for the same key with other
    content, a database error), because a failure to store must never look like success.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param activity: the validated :class:`~guildkit.activity.ActivityInput`; ``occurred_at``
        is already set (the moment of the call, unless the caller gave one).
    :return: an :class:`~guildkit.Accepted` (``pending``, ``recorded`` or ``failed``), or
        ``None`` when the plugin does not accept activities for later.
    """


@hookspec(firstresult=True)
def guildkit_lookup_accepted(gk: GuildKit, key: str) -> Accepted | None:
    """Where an activity accepted for later (and not recorded yet) stands, by its key.

    Called by ``GET /activities/{key}`` before it looks for the key among recorded activities,
    so that an activity recorded between the two looks is still found. Answer for keys you
    hold and have not recorded (``pending`` or ``failed``); return ``None`` for the others.
    Stops at the first non-``None`` result. Not contained, like
    :func:`guildkit_accept_activity`.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param key: the activity's idempotency key.
    :return: an :class:`~guildkit.Accepted`, or ``None`` when the plugin holds no such key.
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


# --------------------------------------------------------------------------------------------
# Data rights (inside gk.privacy's calls; a failure fails the export or the erasure)
# --------------------------------------------------------------------------------------------


@hookspec
@returns(export_sections)
def guildkit_member_export(gk: GuildKit, member: Member, conn: sa.Connection) -> Mapping[str, Any] | None:
    """Contribute what the plugin holds about a member to their data export.

    Called by ``gk.privacy.export(user_id)`` (the member's "Download my data", ``flask guildkit
    member export``), inside one read transaction: read with ``conn``, never write. Return your
    sections keyed by a name of your own (guildkit's features use their names: ``{"mentorship":
    {...}}``); they appear under the export's ``plugins`` key. Datetimes and dates become ISO
    8601 strings; anything else must be JSON already. Export what the member gave you and what
    you hold about them, not other members' identities. An exception, or a result that is not
    such a mapping, fails the whole export with :class:`~guildkit.errors.PrivacyHookFailed`:
    an incomplete export is never handed out as a complete one.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param member: the member (``member.id``, ``member.user_id``), as stored.
    :param conn: the export's read connection.
    :return: a mapping of section names to JSON values, or ``None`` when you hold nothing.
    """


@hookspec
def guildkit_member_erase(gk: GuildKit, erasure: Erasure) -> None:
    """Erase what the plugin holds about a member, inside the erasing transaction.

    Called by ``gk.privacy.erase(user_id, confirm=True)`` before the core rewrites its own
    tables, so the member's rows still carry their user id. Write with ``erasure.conn`` (or
    ``erasure.tx``): empty the free text they wrote, replace their host user id where you
    stored it with ``erasure.tombstone``, and run text of other people's rows that may name
    them through ``erasure.scrub(...)``. Keep rows other members' history needs. Change only
    the database: the transaction may be retried. An exception rolls the whole erasure back
    (nothing is erased) and raises :class:`~guildkit.errors.PrivacyHookFailed` naming your
    plugin, so a member is never left half erased.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param erasure: the :class:`~guildkit.erasure.Erasure`: ``tx``, ``conn``, ``member_id``,
        ``user_id``, ``tombstone``, ``names``, ``scrub``, ``scrub_json``, ``scrub_notifications``
        and ``scrub_notifications_where``.
    """
