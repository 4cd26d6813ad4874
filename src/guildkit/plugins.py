"""Building the plugin manager, and calling hooks so that a failing plugin is contained.

One :class:`pluggy.PluginManager` per :class:`~guildkit.GuildKit`, built in a function (never at
import time). Built-in behaviour is registered exactly like third-party code, from
:data:`DEFAULT_PLUGINS`; installed packages are found through the ``guildkit`` entry-point group,
filtered by the ``GUILDKIT_PLUGINS_ALLOW`` / ``GUILDKIT_PLUGINS_DENY`` lists.

Hooks are called through pluggy (``pm.hook.…``). :class:`PluginManager` guards each hook
implementation as it is registered: a deciding hook that raises (or returns what its spec's
:func:`~guildkit.contracts.returns` check refuses) is logged, recorded and treated as "no
opinion"; a notification hook that raises is logged and recorded, and the others are still told.
:class:`PluginCalls` holds the calls the core makes.
"""

from __future__ import annotations

import functools
import importlib
import logging
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy
import sqlalchemy as sa

from guildkit import hookspecs, signals
from guildkit.announcements import Announcement
from guildkit.contracts import Check
from guildkit.definitions import PageLink
from guildkit.errors import ConfigurationError, PluginError
from guildkit.models import Member, table_of, utcnow
from guildkit.rules.base import AwardPoints, Outcome, Rule, Veto
from guildkit.version import __version__

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction
    from guildkit.unit import StreakGap, Unit

log = logging.getLogger("guildkit")


#: guildkit's own plugins, registered into every plugin manager in this order: ``(name, module)``.
#: The core ones first; then one per feature, each of which the host may switch off by naming it
#: in ``GUILDKIT_PLUGINS_DENY``. Modules are named, never imported here: the core imports no feature.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("guildkit.builtin.manual", "guildkit.builtin.manual"),
    ("guildkit.builtin.roles", "guildkit.builtin.roles"),
    ("guildkit.builtin.rule_changes", "guildkit.builtin.rule_changes"),
    ("guildkit.builtin.expiry", "guildkit.builtin.expiry"),
    ("guildkit.builtin.words", "guildkit.builtin.words"),
    ("guildkit.jobs", "guildkit.jobs.plugin"),
    ("guildkit.retention", "guildkit.retention.plugin"),
    ("guildkit.community", "guildkit.community.plugin"),
    ("guildkit.participation", "guildkit.participation.plugin"),
    ("guildkit.trust", "guildkit.trust.plugin"),
    ("guildkit.mentorship", "guildkit.mentorship.plugin"),
    ("guildkit.events", "guildkit.events.plugin"),
    ("guildkit.guidelines", "guildkit.guidelines.plugin"),
    ("guildkit.moderation", "guildkit.moderation.plugin"),
    ("guildkit.analytics", "guildkit.analytics.plugin"),
    ("guildkit.admin", "guildkit.admin.plugin"),
    ("guildkit.ingest", "guildkit.ingest.plugin"),
    ("guildkit.history", "guildkit.history.plugin"),
    ("guildkit.seasons", "guildkit.seasons.plugin"),
    ("guildkit.groups", "guildkit.groups.plugin"),
    ("guildkit.kudos", "guildkit.kudos.plugin"),
    ("guildkit.nominations", "guildkit.nominations.plugin"),
    ("guildkit.challenges", "guildkit.challenges.plugin"),
    ("guildkit.objectives", "guildkit.objectives.plugin"),
    ("guildkit.titles", "guildkit.titles.plugin"),
    ("guildkit.streaks", "guildkit.streaks.plugin"),
    ("guildkit.notifications", "guildkit.notifications.plugin"),
)

#: The core's own plugins (manual awards, staff roles, background jobs, the retention policy, the
#: core pages and API): the deny list cannot switch them off.
CORE_PLUGINS = frozenset(
    {
        "guildkit.builtin.manual",
        "guildkit.builtin.roles",
        "guildkit.builtin.rule_changes",
        "guildkit.builtin.expiry",
        "guildkit.builtin.words",
        "guildkit.jobs",
        "guildkit.retention",
        "guildkit.community",
    }
)

ENTRY_POINT_GROUP = "guildkit"


def make_plugin_manager() -> PluginManager:
    pm = PluginManager("guildkit")
    pm.add_hookspecs(hookspecs)
    # Historic: each plugin adds its own hook specs as it registers, before it is checked.
    pm.hook.guildkit_add_hookspecs.call_historic(kwargs={"pm": pm})
    for name, module_name in DEFAULT_PLUGINS:
        module = importlib.import_module(module_name)
        # A feature's plugin is its module's ``plugin`` object (a guildkit.feature.Feature).
        pm.register(getattr(module, "plugin", module), name=name)
    return pm


def deny_default_plugins(pm: pluggy.PluginManager, deny: Iterable[str]) -> list[str]:
    """Unregister (and block) the first-party features named in ``deny``; returns their names."""
    denied = []
    for name in deny:
        if name in CORE_PLUGINS:
            raise ConfigurationError(f"GUILDKIT_PLUGINS_DENY: {name!r} is part of guildkit's core")
        if name in dict(DEFAULT_PLUGINS) and pm.get_plugin(name) is not None:
            pm.unregister(name=name)
            pm.set_blocked(name)
            denied.append(name)
    return denied


def load_entry_points(pm: pluggy.PluginManager, allow: Iterable[str] | None, deny: Iterable[str]) -> list[str]:
    """Register installed plugins from the ``guildkit`` entry-point group; returns their names."""
    allowed = None if allow is None else set(allow)
    denied = set(deny)
    loaded = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if (allowed is not None and ep.name not in allowed) or ep.name in denied:
            continue
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
        pm.register(plugin, name=ep.name)
        loaded.append(ep.name)
    return loaded


def describe_plugins(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Name, version and implemented hooks of every registered plugin (for ``flask guildkit plugins``)."""
    versions = {
        ep.name: (dist.metadata["Name"], dist.version)
        for dist, ep in ((ep.dist, ep) for ep in entry_points(group=ENTRY_POINT_GROUP))
        if dist is not None
    }
    described = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: str(pair[0])):
        if plugin is None:
            continue
        package, version = versions.get(name, (None, None))
        if version is None and name.startswith("guildkit."):
            package, version = "guildkit", __version__
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or ())
        described.append({"name": name, "package": package, "version": version, "hooks": hooks})
    return described


#: Hooks whose implementations are not contained: setting up must fail loudly at start-up, and
#: accepting an activity for later stores it (a failure to store must reach the caller, never
#: look like "no plugin accepts activities").
UNCONTAINED = frozenset(
    {
        "guildkit_init_app",
        "guildkit_add_hookspecs",
        "guildkit_accept_activity",
        "guildkit_lookup_accepted",
        "guildkit_check_definitions",
        "guildkit_activities_applied",
    }
)

#: The failures of contained hook implementations, for whoever is calling hooks right now.
_FAILURES: ContextVar[list[dict[str, Any]] | None] = ContextVar("guildkit_hook_failures", default=None)
#: ``(plugin name, result)`` of each contributing (``guildkit_register_*``) implementation.
_CONTRIBUTIONS: ContextVar[list[tuple[str, Any]] | None] = ContextVar("guildkit_contributions", default=None)


@contextmanager
def collecting_failures(into: list[dict[str, Any]] | None = None) -> Iterator[list[dict[str, Any]]]:
    """Collect, into ``into`` (or a new list), the failures of the hooks called in the block."""
    failures = [] if into is None else into
    token = _FAILURES.set(failures)
    try:
        yield failures
    finally:
        _FAILURES.reset(token)


def contributions(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a ``guildkit_register_*`` hook through pluggy; each plugin's result with its name,
    in order of registration (so that definitions can name the plugin they came from)."""
    found: list[tuple[str, Any]] = []
    token = _CONTRIBUTIONS.set(found)
    try:
        getattr(pm.hook, hook_name)(**kwargs)
    finally:
        _CONTRIBUTIONS.reset(token)
    return list(reversed(found))


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, with every hook implementation contained as it is registered.

    Hooks are called the usual way (``pm.hook.guildkit_...(...)``), so hook wrappers and
    pluggy's tracing see every call. What guildkit adds is a guard around each implementation
    (not around wrappers, which own their calls): an exception, or a result that breaks the
    hook's contract (:func:`returns`), is logged, collected for the caller to store in
    ``guildkit_hook_failures``, and counts as "no opinion" (``None``), so the other plugins still
    run and the host's request never sees it. Contributing hooks are not contained: a plugin
    that cannot say what it contributes fails the registry build, naming itself.
    """

    def register(self, plugin: object, name: str | None = None) -> str | None:
        registered = super().register(plugin, name)
        if registered is None:
            return None
        for caller in self.get_hookcallers(plugin) or ():
            if caller.name in UNCONTAINED:
                continue
            check = getattr(caller.spec.function, "guildkit_returns", None) if caller.spec else None
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    # pluggy has no per-implementation hook for failures, and a wrapper around the
                    # whole call would stop the plugins after a failing one from being called: so
                    # the implementation pluggy calls is replaced, in place, by a guarded one.
                    guarded = _guard(impl.plugin_name, caller.name, impl.argnames, impl.function, check)
                    setattr(impl, "function", guarded)  # noqa: B010 - declared Final for type checkers
        return registered


def _guard(
    plugin: str, hook: str, argnames: tuple[str, ...], function: Callable[..., Any], check: Check | None
) -> Callable[..., Any]:
    contributing = hook.startswith("guildkit_register_")

    @functools.wraps(function)
    def guarded(*args: Any) -> Any:
        if contributing:
            result = function(*args)
            found = _CONTRIBUTIONS.get()
            if found is not None:
                found.append((plugin, result))
            return result
        try:
            result = function(*args)
            if result is not None and check is not None:
                check(result, dict(zip(argnames, args, strict=False)))
        except Exception as exc:
            record = failure(plugin, hook, exc, _activity_key(dict(zip(argnames, args, strict=False))))
            failures = _FAILURES.get()
            if failures is not None:
                failures.append(record)
            return None
        return result

    return guarded


class PluginCalls:
    """The deciding and announcing hooks the core calls, each through pluggy, with its failures collected."""

    def __init__(self, pm: pluggy.PluginManager, gk: GuildKit) -> None:
        self.pm = pm
        self.gk = gk

    # The deciding hooks below run per award, inside the recording transaction: with nobody
    # implementing one (the usual case), the call is skipped rather than made through pluggy.

    def compute_points(self, unit: Unit, activity: ActivityView, rule: str, award: AwardPoints) -> int:
        caller = self.pm.hook.guildkit_compute_points
        if not caller.get_hookimpls():
            return award.amount
        with collecting_failures(unit.failures):
            result = caller(activity=activity, rule=rule, award=award)
        return award.amount if result is None else int(result)

    def review(self, unit: Unit, activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | Veto | None:
        """The outcome to apply (possibly replaced), or a :class:`Veto`."""
        caller = self.pm.hook.guildkit_review_award
        if not caller.get_hookimpls():
            return outcome
        with collecting_failures(unit.failures):
            result = caller(activity=activity, rule=rule, outcome=outcome)
        if result is None:
            return outcome
        if isinstance(result, Veto):
            log.info("guildkit: %s on %s vetoed: %s", rule, activity.key, result.reason)
        return result  # type: ignore[no-any-return]

    def earning_withheld(self, unit: Unit, member_ids: Iterable[int]) -> frozenset[int]:
        """The members plugins withhold earning from in this transaction (one call per transaction)."""
        ids = frozenset(member_ids)
        if not ids:
            return frozenset()
        with collecting_failures(unit.failures):
            answers = self.pm.hook.guildkit_earning_withheld(gk=self.gk, conn=unit.conn, member_ids=ids)
        return frozenset(member for answer in answers for member in answer)

    def streak_gap(self, unit: Unit) -> StreakGap | None:
        """What a :class:`~guildkit.metrics.Streak` asks about a gap in ``unit``'s transaction
        (``guildkit_streak_gap_bridged``), or ``None`` when nobody answers (a gap then breaks)."""
        return self._streak_gap(unit, unit.conn, lambda member_id: member_id, unit.notify, only_recount=False)

    def streak_gap_as_recorded(self, unit: Unit, live: sa.Connection) -> StreakGap | None:
        """:meth:`streak_gap` for a replay of the history in another database (``unit``'s): the
        gaps the live database (``live``, read only) bridged stay bridged, and nothing is spent
        (every question is a recount). Members are matched by their user ids."""
        live_ids: dict[str, int | None] = {}

        def live_id(member_id: int) -> int | None:
            user_id = unit.user_of.get(member_id)
            if user_id is None:
                return None
            if user_id not in live_ids:
                live_ids[user_id] = live.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id))
            return live_ids[user_id]

        return self._streak_gap(unit, live, live_id, _told_nobody, only_recount=True)

    def _streak_gap(
        self,
        unit: Unit,
        conn: sa.Connection,
        member_in: Callable[[int], int | None],
        announce: Callable[..., None],
        *,
        only_recount: bool,
    ) -> StreakGap | None:
        caller = self.pm.hook.guildkit_streak_gap_bridged
        if not caller.get_hookimpls():
            return None

        def bridged(member_id: int, activity_type: str, role: str, first: int, last: int, recount: bool) -> bool:
            member = member_in(member_id)
            if member is None:
                return False
            with collecting_failures(unit.failures):
                answer = caller(
                    gk=self.gk, conn=conn, member_id=member, activity_type=activity_type, role=role,
                    first_missed=date.fromordinal(first), last_missed=date.fromordinal(last),
                    recount=recount or only_recount, announce=announce,
                )  # fmt: skip
            return answer is True

        return bridged

    def activities_applied(self, tx: Transaction, activities: Sequence[ActivityView]) -> None:
        """Let plugins count the activities a pipeline pass stored, in its transaction (not
        contained: an exception rolls the recording back). Skipped when nobody implements it."""
        caller = self.pm.hook.guildkit_activities_applied
        if activities and caller.get_hookimpls():
            caller(gk=self.gk, tx=tx, activities=activities)

    def page_links(self, page: str, subject: dict[str, Any], viewer: str | None) -> list[PageLink]:
        """Every plugin's links for a page, in order of registration; failures are recorded."""
        with collecting_failures() as failures:
            found = self.pm.hook.guildkit_page_links(gk=self.gk, page=page, subject=subject, viewer=viewer)
        if failures:
            self.gk.record_failures(failures)
        return [link for links in reversed(found) for link in links]

    def template_includes(self, slot: str) -> list[str]:
        """The templates plugins add at ``slot`` of a page, in order of registration."""
        with collecting_failures() as failures:
            found = self.pm.hook.guildkit_template_includes(gk=self.gk, slot=slot)
        if failures:
            self.gk.record_failures(failures)
        return [name for names in reversed(found) for name in names]

    def hidden_notification_kinds(self, member_id: int) -> frozenset[str]:
        """The notification kinds the member switched off, as plugins say; failures are recorded."""
        caller = self.pm.hook.guildkit_hidden_notification_kinds
        if not caller.get_hookimpls():
            return frozenset()
        with collecting_failures() as failures:
            found = caller(gk=self.gk, member_id=member_id)
        if failures:
            self.gk.record_failures(failures)
        return frozenset(kind for kinds in found for kind in kinds)

    def rule_failed(self, unit: Unit, rule: Rule, activity: ActivityView, exc: Exception) -> None:
        unit.failures.append(failure(f"rule:{rule.name}", "evaluate", exc, activity.key))

    def notify(self, notifications: Iterable[Announcement]) -> list[dict[str, Any]]:
        """Tell hooks, then signal receivers, about each committed event. Returns failures."""
        with collecting_failures() as failures:
            for note in notifications:
                caller = getattr(self.pm.hook, f"guildkit_{note.name}")
                if caller.get_hookimpls():
                    caller(gk=self.gk, **note.kwargs)
                signal = signals.signal_for(note.name)
                if not signal.receivers:
                    continue
                key = _activity_key(note.kwargs)
                for receiver in signal.receivers_for(self.gk):
                    try:
                        receiver(self.gk, **note.kwargs)
                    except Exception as exc:
                        failures.append(failure(_receiver_name(receiver), f"signal:{note.name}", exc, key))
        return failures


MEMBERS = table_of(Member)


def _told_nobody(*args: Any, **kwargs: Any) -> None:
    """A replay tells no one of anything."""


def _activity_key(kwargs: dict[str, Any]) -> str | None:
    key = kwargs.get("activity_key")
    if key is None and "activity" in kwargs:
        key = getattr(kwargs["activity"], "key", None)
    return key if isinstance(key, str) else None


def _receiver_name(receiver: Callable[..., Any]) -> str:
    return f"{getattr(receiver, '__module__', '?')}.{getattr(receiver, '__qualname__', repr(receiver))}"


def failure(plugin: str, hook: str, exc: BaseException, activity_key: str | None) -> dict[str, Any]:
    log.error("guildkit: plugin %s failed in %s", plugin, hook, exc_info=exc)
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {
        "plugin": plugin[:191],
        "hook": hook[:191],
        "error": text[:4000],
        "activity_key": activity_key,
        "created_at": utcnow(),
    }
