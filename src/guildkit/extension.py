"""The Flask extension: :class:`GuildKit`, the one object a host app talks to.

It follows Flask's extension rules: ``GuildKit(app=None, *, db=None)`` plus ``init_app``; no
app is kept on the instance; per-app state lives in ``app.extensions["guildkit"]``. The plugin
manager belongs to the instance. The pipeline, the registry and the queries live in their own
modules; this one wires them together and validates what the host passes in.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack, overload
from zoneinfo import ZoneInfo

import click
import pluggy
import sqlalchemy as sa
from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from guildkit import audit, config, i18n, leaderboards, subjects
from guildkit.activity import (
    Accepted,
    ActivityFields,
    ActivityInput,
    ActivityResult,
    check_moment,
    inputs_from,
    user_ref,
)
from guildkit.announcements import Announcement
from guildkit.builtin.manual import AWARD, REVOKE, STATUS, AwardFields, award_payload, revoke_payload
from guildkit.definitions import ActivityTypeDef, BadgeDef, PointTypeDef, RoleDef
from guildkit.errors import (
    AsyncUnavailable,
    ConfigurationError,
    DuplicateDefinition,
    PluginError,
    ValidationError,
)
from guildkit.identity import CurrentUserLoader, UserInfo, UserLookup, flask_login_user_id
from guildkit.models import MEMBER_STATUSES, Base, HookFailure, Member, table_of, utcnow
from guildkit.pipeline import Pipeline
from guildkit.plugins import (
    PluginCalls,
    collecting_failures,
    contributions,
    deny_default_plugins,
    load_entry_points,
    make_plugin_manager,
)
from guildkit.ratelimit import RateLimiter, parse_limits
from guildkit.reading import Reading
from guildkit.registry import Registry
from guildkit.routes import Routes
from guildkit.rules.base import Rule
from guildkit.rules.builtin import Levels
from guildkit.rules.loader import load_rule_file
from guildkit.rules.ruleset import RuleSet
from guildkit.store import Store, make_store
from guildkit.text import check_text
from guildkit.tokens import Tokens
from guildkit.transaction import Transaction

if TYPE_CHECKING:
    from guildkit.branches import Branch

log = logging.getLogger("guildkit")

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Activities ``record_many`` validates and runs through the pipeline at a time (one transaction).
RECORD_CHUNK = 500


@dataclass
class GuildKitState:
    """Per-app state, kept in ``app.extensions["guildkit"]``."""

    gk: GuildKit
    store: Store
    zone: ZoneInfo
    registry: Registry | None = None
    generation: int = -1
    synced_generation: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The stored definitions version the registry was built from (``guildkit_definitions_version``).
    definitions_version: int | None = None
    #: When (``time.monotonic()``) the stored version was last compared with it.
    definitions_checked_at: float = 0.0
    #: Rebuild the registry on its next use (a console change was saved).
    definitions_stale: bool = False
    #: Per-app memo for things derived from the app once (the OpenAPI document).
    cache: dict[str, Any] = field(default_factory=dict)


class GuildKit(Reading):
    """guildkit for a Flask app.

    :param app: the app, or ``None`` to call :meth:`init_app` later (app factories).
    :param db: the host's flask-sqlalchemy ``SQLAlchemy``; guildkit's tables go in its database.
        Without it guildkit uses its own SQLite database (``GUILDKIT_DATABASE_URI``).
    :param plugins: plugin objects or modules to register right away.
    """

    def __init__(
        self, app: Flask | None = None, *, db: SQLAlchemy | None = None, plugins: Iterable[object] = ()
    ) -> None:
        self.db = db
        self.pm: pluggy.PluginManager = make_plugin_manager()
        self.calls = PluginCalls(self.pm, self)
        self.clock: Callable[[], datetime] = utcnow
        self._generation = 0
        self._defined = 0
        self._entry_points_loaded = False
        self._current_user_loader: CurrentUserLoader | None = None
        self._users = UserLookup()
        for plugin in plugins:
            self.register(plugin)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if "guildkit" in app.extensions:
            raise ConfigurationError("guildkit is already registered on this app")
        config.apply_defaults(app)
        config.check(app.config)
        if deny_default_plugins(self.pm, app.config["GUILDKIT_PLUGINS_DENY"]):
            self._generation += 1
        if app.config["GUILDKIT_LOAD_ENTRY_POINTS"] and not self._entry_points_loaded:
            self._entry_points_loaded = True
            load_entry_points(self.pm, app.config["GUILDKIT_PLUGINS_ALLOW"], app.config["GUILDKIT_PLUGINS_DENY"])
            self.pm.check_pending()  # a misspelled hook in an installed plugin fails start-up, loudly
            self._generation += 1
        config.apply_defaults(app, self.config_defaults())
        state = GuildKitState(self, make_store(app, self.db), ZoneInfo(app.config["GUILDKIT_TIMEZONE"]))
        app.extensions["guildkit"] = state
        rules_file = app.config["GUILDKIT_RULES_FILE"]
        if rules_file:
            self._register_rules_file(str(rules_file))
        app.teardown_appcontext(lambda exc: state.store.remove_session())
        i18n.install(app)
        from guildkit.cli import make_cli

        group = make_cli()
        for command in self._contributed("guildkit_register_commands", "a click command", click.Command):
            group.add_command(command)
        app.cli.add_command(group)
        self.pm.hook.guildkit_init_app.call_historic(kwargs={"gk": self, "app": app})

    def config_defaults(self) -> dict[str, Any]:
        """Every config key the core and the registered plugins define, with its default."""
        defaults = dict(config.DEFAULTS)
        origin = dict.fromkeys(defaults, "guildkit")
        for plugin, contributed in contributions(self.pm, "guildkit_register_config", gk=self):
            for key, value in (contributed or {}).items():
                if key in defaults:
                    raise DuplicateDefinition("config key", key, origin[key], plugin)
                defaults[key], origin[key] = value, plugin
        return defaults

    def _contributed(self, hook: str, kind: str, cls: type[T]) -> list[T]:
        found: list[T] = []
        for plugin, contributed in contributions(self.pm, hook, gk=self):
            for item in contributed or ():
                if not isinstance(item, cls):
                    raise PluginError(f"{plugin} returned {item!r} from {hook}, not {kind}")
                found.append(item)
        return found

    def _register_rules_file(self, path: str) -> None:
        name = f"guildkit.rules_file:{path}"
        if self.pm.get_plugin(name) is None:
            self.register(load_rule_file(path), name=name)

    # -- plugins and definitions -----------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin (a module or object with ``@hookimpl`` functions). Returns its name."""
        registered = self.pm.register(plugin, name=name)
        if registered is None:
            raise ConfigurationError(f"plugin {name or plugin!r} is blocked or already registered")
        self.pm.check_pending()
        self._generation += 1
        return registered

    def define(
        self,
        *,
        point_types: Iterable[PointTypeDef] = (),
        badges: Iterable[BadgeDef] = (),
        roles: Iterable[RoleDef] = (),
        rules: Iterable[Rule | Levels] = (),
        activity_types: Iterable[ActivityTypeDef] = (),
    ) -> None:
        """Register definitions from Python without writing a plugin class."""
        self._defined += 1
        ruleset = RuleSet(list(point_types), list(badges), list(roles), list(rules), list(activity_types))
        self.register(ruleset, name=f"guildkit.define:{self._defined}")

    @property
    def state(self) -> GuildKitState:
        try:
            state: GuildKitState = current_app.extensions["guildkit"]
        except KeyError:
            raise ConfigurationError("guildkit is not initialised on this app: call gk.init_app(app)") from None
        if state.gk is not self:
            raise ConfigurationError("this app is set up with a different GuildKit instance")
        return state

    @property
    def registry(self) -> Registry:
        """Every definition, built from the plugins on first use (and after each ``register``).

        Rebuilt, too, when the admin console's definitions changed, in this process or (checked
        at most every ``GUILDKIT_DEFINITIONS_CHECK_SECONDS``) in another one.
        """
        state = self.state
        registry = state.registry
        if registry is None or state.generation != self._generation or self._definitions_changed(state):
            with state.lock:
                if state.registry is None or state.generation != self._generation or state.definitions_stale:
                    # Read the version first: a change saved during the build triggers another.
                    state.definitions_version = self._definitions_version(state)
                    state.definitions_checked_at = time.monotonic()
                    state.definitions_stale = False
                    state.registry = Registry.build(self.pm, self)
                    state.generation = self._generation
                    state.synced_generation = -1  # new definitions: write them to the tables
                registry = state.registry
        return registry

    def _definitions_changed(self, state: GuildKitState) -> bool:
        if state.definitions_stale:
            return True
        now = time.monotonic()
        if now - state.definitions_checked_at < current_app.config["GUILDKIT_DEFINITIONS_CHECK_SECONDS"]:
            return False
        state.definitions_checked_at = now
        state.definitions_stale = self._definitions_version(state) != state.definitions_version
        return state.definitions_stale

    def _definitions_version(self, state: GuildKitState) -> int | None:
        with collecting_failures() as failures:
            version: int | None = self.pm.hook.guildkit_definitions_version(gk=self, engine=state.store.engine)
        if failures:
            self.record_failures(failures)
        return version

    def reload_definitions(self) -> Registry:
        """Rebuild the registry now and sync it to the tables (after a console change)."""
        self.state.definitions_stale = True
        return self._sync()

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def session(self) -> Session:
        """A session on guildkit's database, for reads."""
        return self.state.store.session

    def create_all(self) -> None:
        """Create the tables directly and sync definitions (tests and demos; use migrations in production)."""
        self.store.create_all()
        self.create_plugin_tables()
        self._sync(force=True)

    def create_plugin_tables(self, *, migrated: bool = False) -> None:
        """Create the missing tables of features and plugins (``guildkit_register_tables``).

        ``migrated``: the migrations just ran, so tables that a migration history owns
        (``guildkit_register_migrations``) are theirs to make, not this method's.
        """
        owned = {name for branch in self.migration_branches() for name in branch.tables} if migrated else set()
        tables: list[sa.Table] = []
        for contributed in self.pm.hook.guildkit_register_tables(gk=self):
            for item in contributed or ():
                if isinstance(item, sa.MetaData):
                    item.create_all(self.store.engine)
                elif item.name not in owned:
                    tables.append(item)
        if tables:
            Base.metadata.create_all(self.store.engine, tables=tables)

    def migration_branches(self) -> list[Branch]:
        """The migration histories of the registered plugins (``guildkit_register_migrations``)."""
        from guildkit.branches import Branch

        return self._contributed("guildkit_register_migrations", "a migrate.Branch", Branch)

    def routes(self) -> list[Routes]:
        """Every plugin's routes (``guildkit_register_routes``), in order of registration."""
        return self._contributed("guildkit_register_routes", "a Routes", Routes)

    def _sync(self, force: bool = False) -> Registry:
        registry = self.registry
        state = self.state
        if force or state.synced_generation != state.generation:
            excluded = current_app.config["GUILDKIT_LEADERBOARD_EXCLUDED_ROLES"]

            def sync(conn: sa.Connection) -> None:
                registry.sync(conn)
                leaderboards.exclude_roles(conn, excluded)  # after the roles exist

            self.store.run_write(sync)
            state.synced_generation = state.generation
        return registry

    def _pipeline(self) -> Pipeline:
        registry = self._sync()  # first: it says so when guildkit is not set up on this app
        limits = parse_limits(current_app.config["GUILDKIT_RATE_LIMITS"])
        limiter = RateLimiter(limits) if limits else None
        return Pipeline(registry, self.calls, self.state.zone, limiter=limiter)

    @contextlib.contextmanager
    def clock_at(self, moment: datetime) -> Iterator[None]:
        """Run as if it were ``moment``: for scripts that seed or import history outside tests.

        Everything guildkit stamps (activities without ``occurred_at``, ledger rows, awards,
        notifications) and every "now" it compares with (caps, periods, sanctions) use
        ``gk.clock``, a callable returning an aware UTC datetime; this sets it for the block and
        puts back the previous one. The clock belongs to the GuildKit instance, so it is seen by
        every thread: use it in scripts and CLI commands, not in a serving process.
        """
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            raise ValidationError("moment must be a timezone-aware datetime", field="moment")
        previous, self.clock = self.clock, lambda: moment
        try:
            yield
        finally:
            self.clock = previous

    def transaction(self, body: Callable[[Transaction], T]) -> T:
        """Run ``body(tx)`` in one write transaction, then tell plugins what it announced.

        Features with their own tables (mentorship, events) change them and record the
        activities the rules reward in the same transaction (see :mod:`guildkit.transaction`).
        """
        pipeline = self._pipeline()

        def run(conn: sa.Connection) -> tuple[T, Transaction]:
            tx = Transaction(conn, pipeline, self.clock())
            return body(tx), tx

        result, tx = self.store.run_write(run)
        self._announce(tx.announcements, tx.failures)
        return result  # type: ignore[no-any-return]

    # -- services features offer ---------------------------------------------------------

    @functools.cached_property
    def tokens(self) -> Tokens:
        """API tokens: create (shown once), list, revoke, all audited (:mod:`guildkit.tokens`)."""
        return Tokens(self)

    def permissions(self) -> dict[str, str]:
        """Every permission the core and the registered features check, with what it allows."""
        found: dict[str, str] = {}
        for _, contributed in contributions(self.pm, "guildkit_register_permissions", gk=self):
            for name, allows in (contributed or {}).items():
                found.setdefault(name, allows)
        return found

    def audit_log(self, **filters: Unpack[audit.AuditFilters]) -> list[audit.AuditEntry]:
        """Staff actions (console, moderation, tokens), newest first (filters: :class:`~.audit.AuditFilters`)."""
        return audit.read(self.session, **filters)

    def __getattr__(self, name: str) -> Any:
        """A service a plugin offers as ``gk.<name>`` (``guildkit_register_services``): ``gk.mentorship``,
        ``gk.events``, ``gk.can`` …, made on first use and kept."""
        if name.startswith("_") or name in ("pm", "db", "calls", "clock"):
            raise AttributeError(name)
        factory = self.services().get(name)
        if factory is None:
            raise AttributeError(
                f"GuildKit has no {name!r}: no registered plugin offers it (is its feature in GUILDKIT_PLUGINS_DENY?)"
            )
        service = factory(self)
        self.__dict__[name] = service
        return service

    def services(self) -> dict[str, Callable[[GuildKit], object]]:
        """The services registered plugins offer, by attribute name."""
        found: dict[str, Callable[[GuildKit], object]] = {}
        origin: dict[str, str] = {}
        for plugin, contributed in contributions(self.pm, "guildkit_register_services", gk=self):
            for name, factory in (contributed or {}).items():
                if name in found or hasattr(type(self), name):
                    raise DuplicateDefinition("service", name, origin.get(name, "GuildKit"), plugin)
                found[name], origin[name] = factory, plugin
        return found

    # -- recording -------------------------------------------------------------------------

    @overload
    def record(
        self, type: str, *, key: str, wait: Literal[True] = True, **fields: Unpack[ActivityFields]
    ) -> ActivityResult: ...
    @overload
    def record(self, type: str, *, key: str, wait: Literal[False], **fields: Unpack[ActivityFields]) -> Accepted: ...
    def record(
        self, type: str, *, key: str, wait: bool = True, **fields: Unpack[ActivityFields]
    ) -> ActivityResult | Accepted:
        """Record that ``actor`` did ``type`` (to ``target``'s ``subject``), exactly once per ``key``.

        ``fields`` are ``actor`` and ``target`` (host user ids), ``subject`` (what it was about,
        ``answer:42``), ``payload`` (a JSON mapping) and ``occurred_at`` (default: now).

        Stores the activity, runs the rules subscribed to its type and writes their points,
        badges and roles in one transaction; then tells plugins and signal receivers.
        The same ``key`` again returns the first result (``duplicate=True``) and changes
        nothing; the same key with different content raises
        :class:`~guildkit.errors.IdempotencyConflict`.

        ``wait=False`` validates the same way, stores the activity in one insert and returns an
        :class:`~guildkit.Accepted` (``pending``; or where an earlier delivery of the key stands);
        a job records it soon after (docs/ingest.md). It needs the ``guildkit.ingest`` feature:
        without it, :class:`~guildkit.errors.AsyncUnavailable`.
        """
        item = ActivityInput.build(type, key=key, now=self.clock(), **fields)
        if wait:
            return self._record([item])[0]
        accepted: Accepted | None = self.pm.hook.guildkit_accept_activity(gk=self, activity=item)
        if accepted is None:
            raise AsyncUnavailable()
        return accepted

    def record_many(self, activities: Iterable[Mapping[str, Any]]) -> list[ActivityResult]:
        """Record a batch in one transaction. Each item has :meth:`record`'s arguments as keys.

        Either all are stored or, when one is invalid, none are (the error names its index).
        A large batch is validated and recorded in chunks of :data:`RECORD_CHUNK`, all in the
        one transaction, so memory holds one chunk's work at a time besides the results.
        """
        # A list, not a generator read once: the write may run again after a deadlock.
        raws = list(activities)
        limit = current_app.config["GUILDKIT_BATCH_LIMIT"]
        if len(raws) > limit:
            raise ValidationError(f"at most {limit} activities per batch (GUILDKIT_BATCH_LIMIT)", field="activities")
        if not raws:
            return []
        now = self.clock()
        pipeline = self._pipeline()

        def body(conn: sa.Connection) -> tuple[list[ActivityResult], list[Announcement], list[dict[str, Any]]]:
            results: list[ActivityResult] = []
            notes: list[Announcement] = []
            failures: list[dict[str, Any]] = []
            for start in range(0, len(raws), RECORD_CHUNK):
                items = inputs_from(raws[start : start + RECORD_CHUNK], start, now)  # an invalid one rolls back all
                done, told, failed = pipeline.record(conn, items, now)
                results += done
                notes += told
                failures += failed
            return results, notes, failures

        results, notes, failures = self.store.run_write(body)
        self._announce(notes, failures)
        return results  # type: ignore[no-any-return]

    def _record(self, items: list[ActivityInput]) -> list[ActivityResult]:
        pipeline = self._pipeline()
        now = self.clock()
        results, notes, failures = self.store.run_write(lambda conn: pipeline.record(conn, items, now))
        self._announce(notes, failures)
        return results  # type: ignore[no-any-return]

    def retract(self, key: str, *, reason: str = "", occurred_at: datetime | None = None) -> ActivityResult:
        """Reverse everything the activity ``key`` earned, as new ledger rows and revocations.

        Retracting twice is harmless: the second call returns the first retraction's result
        with ``duplicate=True``. ``occurred_at`` (default: now) dates the reversal, for
        imported history.
        """
        check_text(key, "key", one_line=True)
        check_text(reason, "reason", max_length=2000, empty=True)
        now = self.clock()
        when = now if occurred_at is None else check_moment(occurred_at, "occurred_at", now)
        pipeline = self._pipeline()
        result, notes, failures = self.store.run_write(lambda conn: pipeline.retract(conn, key, reason, when))
        self._announce(notes, failures)
        return result  # type: ignore[no-any-return]

    def award(
        self,
        user_id: str | int,
        *,
        reason: str,
        by: str | int | None = None,
        key: str | None = None,
        **what: Unpack[AwardFields],
    ) -> ActivityResult:
        """Award ``points`` (of ``point_type``), a ``badge`` (at ``level``) and/or a ``role`` by hand,
        with a reason (retract with its key)."""
        payload = award_payload(self.registry, reason, **what)
        return self.record(AWARD, key=key or f"{AWARD}:{uuid.uuid4()}", actor=by, target=user_id, payload=payload)

    def revoke(
        self,
        user_id: str | int,
        *,
        reason: str,
        badge: str | None = None,
        level: int | None = None,
        role: str | None = None,
        by: str | int | None = None,
        key: str | None = None,
    ) -> ActivityResult:
        """Take a badge (one level, or all) and/or a role away by hand, with a reason.

        To take points back, retract the activity that gave them (see :meth:`retract`).
        """
        payload = revoke_payload(self.registry, reason, badge, level, role)
        return self.record(REVOKE, key=key or f"{REVOKE}:{uuid.uuid4()}", actor=by, target=user_id, payload=payload)

    def set_status(
        self, user_id: str | int, status: str, *, reason: str, by: str | int | None = None, key: str | None = None
    ) -> ActivityResult:
        """Set a member's status (``active``, ``suspended``, ``banned``, ``deleted``), with a reason.

        Members who are not active earn nothing. The change is an activity of type
        ``guildkit.status``: recorded with who made it and why, and told to the member.
        """
        check_text(reason, "reason", max_length=2000)
        if not isinstance(status, str) or status not in MEMBER_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(MEMBER_STATUSES)}", field="status")
        self.member(user_id)
        payload = {"status": status, "reason": reason}
        return self.record(STATUS, key=key or f"{STATUS}:{uuid.uuid4()}", actor=by, target=user_id, payload=payload)

    def join(self, user_id: str | int, *, name: str | None = None, occurred_at: datetime | None = None) -> Member:
        """Make ``user_id`` a member (members otherwise join on their first activity).

        ``name`` (or, without it, the name from ``@gk.user_info_loader``) is stored as the
        member's display name, which the member directory searches. ``occurred_at`` (default:
        now) is when they joined, for imported history.
        """
        user = user_ref(user_id)
        now = self.clock()
        joined_at = now if occurred_at is None else check_moment(occurred_at, "occurred_at", now)
        if name is None and (self._users.one or self._users.many) is not None:
            name = self.user_info(user).name
        if name is not None:
            check_text(name, "name", one_line=True)

        def body(tx: Transaction) -> None:
            # The name is stored before the join is announced, so receivers can greet by name.
            member_id = tx.members(user, active=False, at=joined_at)[user]
            if name is not None:
                members = table_of(Member)
                tx.conn.execute(members.update().where(members.c.id == member_id).values(display_name=name))
            tx.record("guildkit.joined", key=f"guildkit.joined:{user}", actor=user, occurred_at=joined_at)

        self.transaction(body)
        member = self.member(user)
        self.session.refresh(member)  # written on guildkit's own connection: reload what was cached
        return member

    def _announce(self, notes: list[Announcement], failures: list[dict[str, Any]]) -> None:
        failures = failures + self.calls.notify(notes)
        if failures:
            self.record_failures(failures)

    def record_failures(self, failures: list[dict[str, Any]]) -> None:
        """Store hook failures in their own transaction; losing them must not fail the caller."""
        try:
            self.store.run_write(lambda conn: conn.execute(sa.insert(HookFailure), failures))
        except sa.exc.SQLAlchemyError:
            log.exception("guildkit: could not store hook failures")

    # -- identity --------------------------------------------------------------------------

    def current_user_loader(self, loader: F) -> F:
        """Decorator: register the callback returning the current host user's id (or ``None``)."""
        self._current_user_loader = loader
        return loader

    def user_info_loader(self, loader: F) -> F:
        """Decorator: register the callback that tells guildkit how to show a host user.

        It gets the user id (``str``) and returns a :class:`~guildkit.UserInfo`, a mapping with
        the same keys (``name``, and optionally ``avatar_url`` and ``profile_url``), or ``None``
        for a user the host does not know. Anything else raises
        :class:`~guildkit.errors.ConfigurationError` naming the loader.
        """
        self._users.one = loader
        return loader

    def user_infos_loader(self, loader: F) -> F:
        """Decorator: like :meth:`user_info_loader`, for many users in one call (one query).

        It gets a list of user ids (``str``) and returns a dict of user id to
        :class:`~guildkit.UserInfo` (or a mapping with its keys), leaving out users it does not
        know. Registered, it is used for every lookup, of one user or many.
        """
        self._users.many = loader
        return loader

    def subject_loader(self, loader: F) -> F:
        """Decorator: register the callback that titles activity subjects (:mod:`guildkit.subjects`).

        It gets a list of subject keys (``"answer:384"``) and returns, for those it knows, a
        :class:`~guildkit.Subject` (or ``{"title": …, "url": …}``); pages, notifications and
        emails show the title, linked, instead of the key.
        """
        subjects.register_loader(self, loader)
        return loader

    def current_user_id(self) -> str | None:
        """The signed-in host user's id, from ``@gk.current_user_loader`` or Flask-Login."""
        if self._current_user_loader is not None:
            user_id = self._current_user_loader()
            return None if user_id is None else str(user_id)
        return flask_login_user_id()

    def user_info(self, user_id: str | int) -> UserInfo:
        """How to show ``user_id``: what the host's loader says, else ``User <id>``."""
        user = user_ref(user_id)
        return self._users.infos([user])[user]

    def user_infos(self, user_ids: Iterable[str | int]) -> dict[str, UserInfo]:
        """:meth:`user_info` for many users, in one call of the host's batch loader if it has one."""
        return self._users.infos(user_ref(user_id) for user_id in user_ids)
