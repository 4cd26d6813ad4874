"""A feature's plugin, declared: say what the feature has, and :class:`Feature` implements the
hooks that hand it to the core.

Each of guildkit's features (``guildkit/<feature>/plugin.py``) is a subclass with its parts set
as class attributes; a plugin author can do the same for a feature of their own. A hook is
implemented only for the parts that are set, so ``flask guildkit plugins`` lists what a feature
really contributes. What a feature does beyond these (a deciding hook, an earning gate) it
writes as ordinary ``@hookimpl`` methods on its subclass.

Parts are named as ``"module:attribute"`` strings and imported on first use, so registering a
feature stays cheap and its web views load only when a blueprint is made. The folder's usual
modules need no naming: ``hookspecs.py``, ``config.py`` (``DEFAULTS`` and ``check``),
``privacy.py`` (``export`` and ``erase``: a member's data rights), and the ``api`` and ``pages``
routes of ``api.py`` and ``pages.py`` are found by convention.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

import pluggy
import sqlalchemy as sa
from flask import has_request_context, request, url_for

from guildkit import queries
from guildkit.branches import Branch, feature_branch
from guildkit.definitions import ActivityTypeDef, PageLink, Subject, Text, shown
from guildkit.markers import hookimpl
from guildkit.models import Member, table_of

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.routes import Routes


def load(path: str) -> Any:
    """The object ``"package.module:name"`` names."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class NavLink:
    """A link in every page's navigation, to the endpoint ``endpoint`` of the pages blueprint
    (``".find_mentor"``), current below it and below ``also`` (endpoints too); shown to everyone,
    or only to active members with ``permission``. ``label``: a lazy translation (``lazy_gettext``).
    ``staff``: a tool for the people who run the community (moderation, analytics, the console),
    listed in the account area's "Staff" menu (page ``"staff"``) rather than the members' row."""

    label: Text
    endpoint: str
    also: tuple[str, ...] = ()
    permission: str | None = None
    staff: bool = False

    def visible_to(self, gk: GuildKit, viewer: str | None) -> bool:
        if self.permission is None:
            return True
        if viewer is None:
            return False
        allowed = _allowed(gk, viewer)
        return self.permission in allowed or "admin" in allowed

    def link(self) -> PageLink:
        return PageLink(shown(self.label), url_for(self.endpoint), also_current=tuple(url_for(e) for e in self.also))


def _allowed(gk: GuildKit, viewer: str) -> frozenset[str]:
    """What ``viewer`` may do (nothing unless an active member), worked out once per request: every
    feature's link asks, and a page has a dozen. Kept in the request's environ, as the caller is."""
    kept: dict[str, frozenset[str]] = request.environ.setdefault(_ALLOWED, {}) if has_request_context() else {}
    if viewer not in kept:
        member = queries.find_member(gk.session, viewer)
        kept[viewer] = queries.held_permissions(gk.session, gk.registry, member)
    return kept[viewer]


_ALLOWED = "guildkit.nav_allowed"


class Feature:
    """The plugin of one feature; subclass it and set what the feature has."""

    #: The feature's folder name: its migration branch is named after it.
    name: ClassVar[str]
    #: Where the feature's files live (its ``migrations`` folder among them): ``Path(__file__).parent``.
    folder: ClassVar[Path]
    #: The module declaring the feature's own hooks (``guildkit_add_hookspecs``).
    hookspecs: ModuleType | None = None
    #: A module with ``DEFAULTS`` (its ``GUILDKIT_*`` keys) and ``check(config)``.
    config: ModuleType | None = None
    #: A module with ``export(gk, member, conn)`` (the feature's section of a member's data
    #: export) and/or ``erase(gk, erasure)`` (its part of erasing a member).
    privacy: ModuleType | None = None
    #: The feature's tables, as models: created with the feature, migrated in its own branch.
    models: ClassVar[tuple[type[Any], ...]] = ()
    #: ``"module:attribute"`` of each :class:`~guildkit.routes.Routes` (API and pages).
    routes: ClassVar[tuple[str, ...]] = ()
    #: ``gk.<name>`` -> ``"module:attribute"`` of a factory called with the ``GuildKit``.
    services: ClassVar[Mapping[str, str]] = {}
    #: ``"module:attribute"`` of the feature's click commands (``flask guildkit …``).
    commands: ClassVar[str | None] = None
    #: The permissions the feature checks, with what each allows.
    permissions: ClassVar[Mapping[str, str]] = {}
    #: Its link in the navigation.
    nav: ClassVar[NavLink | None] = None
    #: Templates it includes in pages' slots (``{"notices": "guildkit/…/_notice.html"}``).
    includes: ClassVar[Mapping[str, str]] = {}
    #: ``"module:attribute"`` of its analytics measures (``guildkit_register_analytics_measures``).
    measures: ClassVar[str | None] = None
    #: A module with ``ACTIVITY_TYPES`` (the words for the activity types the feature records)
    #: and optionally ``subjects(gk, keys)`` (titles and links for its subjects, ``"event:12"``).
    words: ModuleType | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._find_by_convention()
        parts: dict[str, tuple[object, Callable[..., Any]]] = {
            "guildkit_add_hookspecs": (cls.hookspecs, Feature._add_hookspecs),
            "guildkit_register_config": (cls.config, Feature._register_config),
            "guildkit_register_tables": (cls.models, Feature._register_tables),
            "guildkit_register_migrations": (cls.models, Feature._register_migrations),
            "guildkit_register_routes": (cls.routes, Feature._register_routes),
            "guildkit_register_services": (cls.services, Feature._register_services),
            "guildkit_register_commands": (cls.commands, Feature._register_commands),
            "guildkit_register_permissions": (cls.permissions, Feature._register_permissions),
            "guildkit_page_links": (cls.nav, Feature._page_links),
            "guildkit_template_includes": (cls.includes, Feature._template_includes),
            "guildkit_register_analytics_measures": (cls.measures, Feature._register_measures),
            "guildkit_register_activity_types": (cls.words, Feature._register_activity_types),
            "guildkit_resolve_subjects": (cls.words and hasattr(cls.words, "subjects"), Feature._resolve_subjects),
            "guildkit_member_export": (cls.privacy and hasattr(cls.privacy, "export"), Feature._member_export),
            "guildkit_member_erase": (cls.privacy and hasattr(cls.privacy, "erase"), Feature._member_erase),
        }
        for hook, (part, implementation) in parts.items():
            if part and hook not in cls.__dict__:
                # Analytics may be off while a feature that feeds it is on.
                optional = hook == "guildkit_register_analytics_measures"
                setattr(cls, hook, hookimpl(optionalhook=optional)(_copy(implementation, hook)))

    @classmethod
    def _find_by_convention(cls) -> None:
        """The folder, ``hookspecs``, ``config`` and routes of the package the subclass lives in."""
        package = cls.__module__.rpartition(".")[0]
        if "folder" not in cls.__dict__:
            cls.folder = Path(importlib.import_module(package).__file__ or ".").parent
        for part in ("hookspecs", "config", "privacy", "words"):
            if part not in cls.__dict__ and (cls.folder / f"{part}.py").exists():
                setattr(cls, part, importlib.import_module(f"{package}.{part}"))
        if "routes" not in cls.__dict__:
            cls.routes = tuple(
                f"{package}.{name}:{name}" for name in ("api", "pages") if (cls.folder / f"{name}.py").exists()
            )

    def _add_hookspecs(self, pm: pluggy.PluginManager) -> None:
        assert self.hookspecs is not None
        pm.add_hookspecs(self.hookspecs)

    def _register_config(self, gk: GuildKit) -> Mapping[str, Any]:
        assert self.config is not None
        defaults: Mapping[str, Any] = self.config.DEFAULTS
        return defaults

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        if self.config is not None:
            self.config.check(app.config)

    def tables(self) -> list[sa.Table]:
        return [table_of(model) for model in self.models]

    def _register_tables(self, gk: GuildKit) -> Iterable[sa.Table]:
        return self.tables()

    def _register_migrations(self, gk: GuildKit) -> Iterable[Branch]:
        # The feature's history, beside the core's: guildkit_<name>_alembic_version.
        return [feature_branch(self.name, self.folder / "migrations", self.tables())]

    def _register_routes(self, gk: GuildKit) -> Iterable[Routes]:
        return [load(path) for path in self.routes]

    def _register_services(self, gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
        return {name: _lazy(path) for name, path in self.services.items()}

    def _register_commands(self, gk: GuildKit) -> Iterable[Any]:
        assert self.commands is not None
        commands: Iterable[Any] = load(self.commands)
        return commands

    def _register_permissions(self, gk: GuildKit) -> Mapping[str, str]:
        return self.permissions

    def _page_links(self, gk: GuildKit, page: str, viewer: str | None) -> list[PageLink] | None:
        if self.nav is None or page != ("staff" if self.nav.staff else "nav") or not self.nav.visible_to(gk, viewer):
            return None
        return [self.nav.link()]

    def _template_includes(self, gk: GuildKit, slot: str) -> list[str] | None:
        return [self.includes[slot]] if slot in self.includes else None

    def _register_measures(self, gk: GuildKit) -> Iterable[tuple[str, str, Callable[..., Any]]]:
        assert self.measures is not None
        measures: Iterable[tuple[str, str, Callable[..., Any]]] = load(self.measures)
        return measures

    def _register_activity_types(self, gk: GuildKit) -> Iterable[ActivityTypeDef]:
        assert self.words is not None
        found: Iterable[ActivityTypeDef] = self.words.ACTIVITY_TYPES
        return found

    def _resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
        assert self.words is not None
        found: Mapping[str, Subject] | None = self.words.subjects(gk, keys)
        return found

    def _member_export(self, gk: GuildKit, member: Member, conn: sa.Connection) -> Mapping[str, Any] | None:
        assert self.privacy is not None
        section = self.privacy.export(gk, member, conn)
        return None if section is None else {self.name: section}

    def _member_erase(self, gk: GuildKit, erasure: Erasure) -> None:
        assert self.privacy is not None
        self.privacy.erase(gk, erasure)


def _copy(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``function`` under the hook's name (its own object: pluggy's marker goes on it)."""

    def implementation(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    implementation.__name__ = implementation.__qualname__ = name
    implementation.__wrapped__ = function  # type: ignore[attr-defined] # pluggy reads the arguments here
    return implementation


def _lazy(path: str) -> Callable[[GuildKit], object]:
    return lambda gk: load(path)(gk)
