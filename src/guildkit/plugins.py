"""Building the plugin manager, and calling hooks so that a failing plugin is contained.

One :class:`pluggy.PluginManager` per :class:`~guildkit.GuildKit`, built in a function (never at
import time). Built-in behaviour is registered exactly like third-party code, from
:data:`DEFAULT_PLUGINS`; installed packages are found through the ``guildkit`` entry-point group,
filtered by the ``GUILDKIT_PLUGINS_ALLOW`` / ``GUILDKIT_PLUGINS_DENY`` lists.

:class:`PluginCalls` calls hook implementations one by one. A deciding hook that raises is
logged, recorded and treated as "no opinion"; a notification hook that raises is logged and
recorded, and the others are still told.
"""

from __future__ import annotations

import importlib
import logging
import math
import traceback
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from guildkit import hookspecs, signals
from guildkit.announcements import Announcement
from guildkit.definitions import PageLink
from guildkit.errors import ConfigurationError, PluginError
from guildkit.models import utcnow
from guildkit.rules.base import AwardPoints, Outcome, Rule, Veto

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.extension import GuildKit
    from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker
    from guildkit.unit import Unit

log = logging.getLogger("guildkit")

hookimpl = pluggy.HookimplMarker("guildkit")

#: guildkit's own plugins, registered into every plugin manager in this order: ``(name, module)``.
#: The core ones first; then one per feature, each of which the host may switch off by naming it
#: in ``GUILDKIT_PLUGINS_DENY``. Modules are named, never imported here: the core imports no feature.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("guildkit.builtin.manual", "guildkit.builtin.manual"),
    ("guildkit.builtin.roles", "guildkit.builtin.roles"),
    ("guildkit.community", "guildkit.community.plugin"),
    ("guildkit.participation", "guildkit.participation.plugin"),
    ("guildkit.trust", "guildkit.trust.plugin"),
    ("guildkit.guidelines", "guildkit.guidelines.plugin"),
    ("guildkit.moderation", "guildkit.moderation.plugin"),
    ("guildkit.mentorship", "guildkit.mentorship.plugin"),
    ("guildkit.events", "guildkit.events.plugin"),
    ("guildkit.analytics", "guildkit.analytics.plugin"),
    ("guildkit.admin", "guildkit.admin.plugin"),
)

#: The core's own plugins: the deny list cannot switch them off.
CORE_PLUGINS = frozenset({"guildkit.builtin.manual", "guildkit.builtin.roles"})

ENTRY_POINT_GROUP = "guildkit"


def make_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("guildkit")
    pm.add_hookspecs(hookspecs)
    for name, module in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module), name=name)
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
            from guildkit import __version__

            package, version = "guildkit", __version__
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or ())
        described.append({"name": name, "package": package, "version": version, "hooks": hooks})
    return described


class PluginCalls:
    """Calls hooks implementation by implementation, containing failures."""

    def __init__(self, pm: pluggy.PluginManager, gk: GuildKit) -> None:
        self.pm = pm
        self.gk = gk

    def _impls(self, hook_name: str) -> list[pluggy.HookImpl]:
        caller = getattr(self.pm.hook, hook_name)
        # pluggy calls implementations last-registered first, tryfirst before trylast.
        return [i for i in reversed(caller.get_hookimpls()) if not (i.wrapper or i.hookwrapper)]

    def _first(self, unit: Unit, activity: ActivityView, hook_name: str, kwargs: dict[str, Any]) -> tuple[str, Any]:
        """The first non-``None`` result and the name of the plugin that gave it."""
        for impl in self._impls(hook_name):
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                unit.failures.append(failure(impl.plugin_name, hook_name, exc, activity.key))
                continue
            if result is not None:
                return impl.plugin_name, result
        return "", None

    def compute_points(self, unit: Unit, activity: ActivityView, rule: str, award: AwardPoints) -> int:
        kwargs = {"activity": activity, "rule": rule, "award": award}
        plugin, result = self._first(unit, activity, "guildkit_compute_points", kwargs)
        if result is None:
            return award.amount
        if not isinstance(result, int) or isinstance(result, bool):
            unit.failures.append(
                failure(plugin, "guildkit_compute_points", TypeError(f"returned {result!r}, not an int"), activity.key)
            )
            return award.amount
        return result

    def review(self, unit: Unit, activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | Veto | None:
        """The outcome to apply (possibly replaced), or a :class:`Veto`."""
        kwargs = {"activity": activity, "rule": rule, "outcome": outcome}
        plugin, result = self._first(unit, activity, "guildkit_review_award", kwargs)
        if result is None:
            return outcome
        if isinstance(result, Veto):
            log.info("guildkit: %s on %s vetoed by %s: %s", rule, activity.key, plugin, result.reason)
            return result
        if type(result) is not type(outcome):
            unit.failures.append(
                failure(
                    plugin, "guildkit_review_award", TypeError(f"replaced {outcome!r} with {result!r}"), activity.key
                )
            )
            return outcome
        return result

    def mentor_score(
        self, seeker: MentorSeeker, candidate: MentorCandidate, score: MentorScore
    ) -> tuple[MentorScore, list[dict[str, Any]]]:
        """The score to rank ``candidate`` by (a plugin's, or guildkit's ``score``), and any failures.

        Outside any transaction, so failures are returned for the caller to store.
        """
        from guildkit.mentorship.matching import MentorScore

        hook = "guildkit_mentor_score"
        kwargs = {"gk": self.gk, "seeker": seeker, "candidate": candidate, "score": score}
        failures = []
        for impl in self._impls(hook):
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                failures.append(failure(impl.plugin_name, hook, exc, None))
                continue
            if result is None:
                continue
            if not isinstance(result, MentorScore) or not _finite(result.total):
                problem = TypeError(f"returned {result!r}, not a MentorScore with a finite total")
                failures.append(failure(impl.plugin_name, hook, problem, None))
                return score, failures
            return result, failures
        return score, failures

    def page_links(self, page: str, subject: dict[str, Any], viewer: str | None) -> list[PageLink]:
        """Every plugin's links for a page; a plugin that fails (or returns junk) is recorded and left out."""
        hook = "guildkit_page_links"
        kwargs = {"gk": self.gk, "page": page, "subject": subject, "viewer": viewer}
        links: list[PageLink] = []
        failures = []
        for impl in reversed(self._impls(hook)):  # in order of registration
            try:
                returned: Any = impl.function(*[kwargs[arg] for arg in impl.argnames])
                found = list(returned or ())
                good = [link for link in found if isinstance(link, PageLink)]
                if len(good) != len(found):
                    raise TypeError(f"returned {found!r}, not PageLink objects")
            except Exception as exc:
                failures.append(failure(impl.plugin_name, hook, exc, None))
                continue
            links += good
        if failures:
            self.gk.record_failures(failures)
        return links

    def can(self, user_id: str, privilege: str, granted: bool) -> bool:
        """A plugin's answer to "may ``user_id`` use ``privilege``?", or ``granted`` (failures recorded)."""
        hook = "guildkit_can"
        kwargs = {"gk": self.gk, "user_id": user_id, "privilege": privilege, "granted": granted}
        failures = []
        answer = granted
        for impl in self._impls(hook):
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
                if result is not None and not isinstance(result, bool):
                    raise TypeError(f"returned {result!r}, not a bool or None")
            except Exception as exc:
                failures.append(failure(impl.plugin_name, hook, exc, None))
                continue
            if result is not None:
                answer = result
                break
        if failures:
            self.gk.record_failures(failures)
        return answer

    def rule_failed(self, unit: Unit, rule: Rule, activity: ActivityView, exc: Exception) -> None:
        unit.failures.append(failure(f"rule:{rule.name}", "evaluate", exc, activity.key))

    def notify(self, notifications: Iterable[Announcement]) -> list[dict[str, Any]]:
        """Tell hooks, then signal receivers, about each committed event. Returns failures."""
        failures = []
        for note in notifications:
            hook_name = f"guildkit_{note.name}"
            kwargs = {"gk": self.gk, **note.kwargs}
            key = _activity_key(note)
            for impl in self._impls(hook_name):
                try:
                    impl.function(*[kwargs[arg] for arg in impl.argnames])
                except Exception as exc:
                    failures.append(failure(impl.plugin_name, hook_name, exc, key))
            signal = signals.BY_NAME[note.name]
            for receiver in signal.receivers_for(self.gk):
                try:
                    receiver(self.gk, **note.kwargs)
                except Exception as exc:
                    failures.append(failure(_receiver_name(receiver), f"signal:{note.name}", exc, key))
        return failures


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _activity_key(note: Announcement) -> str | None:
    key = note.kwargs.get("activity_key")
    if key is None and "activity" in note.kwargs:
        key = getattr(note.kwargs["activity"], "key", None)
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
