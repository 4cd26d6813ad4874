"""Rule-set versions: the effective rules as plain data, their content hash, and what changed.

A *snapshot* is everything that decides what members earn — point types, badges, roles, rules
and level scales, from code, rule files and the console alike — as JSON-ready data with a
stable order. Two registries with equal snapshots give the same outcomes for the same history,
so the snapshot's SHA-256 (:func:`content_hash`) names a version: the same rules built in
another process, or in another order, hash the same. :func:`diff` says what changed between two
snapshots, item by item and field by field, for the console and ``flask guildkit rules diff``.

Built-in rules and definitions are dataclasses, captured field by field. A plugin's own rule
class is captured by its class, triggers and ``describe()``; a change to its code that changes
none of those is not seen. A callable (``when=``) is captured by its name only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel.speaklater import LazyString

from guildkit.definitions import source
from guildkit.i18n import N_, gettext
from guildkit.models import RuleVersion, table_of
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.definitions import BadgeDef
    from guildkit.registry import Registry

VERSIONS = table_of(RuleVersion)

#: The kinds of definitions a snapshot holds, in the order they are shown.
KINDS = ("point_types", "badges", "roles", "rules", "levels")

Snapshot = dict[str, dict[str, Any]]


def snapshot(registry: Registry) -> Snapshot:
    """The effective rules of ``registry`` as plain, ordered data."""
    return {
        "point_types": {slug: plain(d) for slug, d in sorted(registry.point_types.items())},
        "badges": {slug: _badge(d) for slug, d in sorted(registry.badges.items())},
        "roles": {slug: plain(d) for slug, d in sorted(registry.roles.items())},
        "rules": {name: _rule(rule) for name, rule in sorted(registry.rules.items())},
        "levels": {name: plain(scale) for name, scale in sorted(registry.levels.items())},
    }


def content_hash(snap: Snapshot) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces), as hex."""
    return hashlib.sha256(canonical(snap).encode()).hexdigest()


def canonical(snap: Snapshot) -> str:
    return json.dumps(snap, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _badge(badge: BadgeDef) -> dict[str, Any]:
    # Fields added since versions were first stored are left out while unset, so an upgrade
    # alone never makes a new version.
    return {k: v for k, v in plain(badge).items() if not (k == "criteria" and v is None)}


def _rule(rule: Any) -> dict[str, Any]:
    captured = plain(rule) if dataclasses.is_dataclass(rule) else {"class": _type_name(rule)}
    captured["triggers"] = sorted(rule.triggers)
    captured["describe"] = rule.describe()
    return captured


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: a dataclass as its type and fields, sets sorted, tuples as
    lists, callables by name, lazy translations as written; anything else by ``repr``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, LazyString):  # words as written: the same rules hash the same in any language
        return source(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"class": _type_name(value), **fields}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, frozenset | set):
        return sorted((plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if callable(value):
        return f"callable {getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def _type_name(value: Any) -> str:
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


# -- what changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One definition added, removed or changed between two snapshots."""

    kind: str
    name: str
    #: ``added``, ``removed`` or ``changed``
    change: str
    #: For ``changed``: each field that differs, as (before, after).
    fields: Mapping[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "change": self.change,
            "fields": {name: {"before": a, "after": b} for name, (a, b) in self.fields.items()},
        }


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """What changed from ``before`` to ``after``, by kind (in :data:`KINDS` order), then name."""
    changes: list[Change] = []
    for kind in KINDS:
        old, new = before.get(kind, {}), after.get(kind, {})
        for name in sorted(old.keys() | new.keys()):
            if name not in new:
                changes.append(Change(kind, name, "removed"))
            elif name not in old:
                changes.append(Change(kind, name, "added"))
            elif old[name] != new[name]:
                changes.append(Change(kind, name, "changed", _field_changes(old[name], new[name])))
    return changes


def _field_changes(old: Any, new: Any) -> dict[str, tuple[Any, Any]]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return {"": (old, new)}
    return {
        key: (old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key) and key != "describe"
    } or {"describe": (old.get("describe"), new.get("describe"))}


# -- stored versions ---------------------------------------------------------------------------


def record(conn: sa.Connection, snap: Snapshot, now: datetime) -> int:
    """Store ``snap`` as a version unless it is known, note that it was seen ``now``, and return
    its version number. One statement; concurrent starts of the same rules make one version."""
    statement = upsert(conn.dialect.name, VERSIONS, ("content_hash",), ("last_seen_at",), ("id",))
    row = conn.execute(
        statement,
        {"content_hash": content_hash(snap), "snapshot": snap, "first_seen_at": now, "last_seen_at": now},
    ).one()
    return int(row.id)


def stored(conn: sa.Connection) -> list[sa.Row[Any]]:
    """Every stored version (``id``, ``content_hash``, ``snapshot``, ``first_seen_at``,
    ``last_seen_at``), oldest first."""
    return list(conn.execute(sa.select(VERSIONS).order_by(VERSIONS.c.id)).all())


def history(conn: sa.Connection) -> list[tuple[sa.Row[Any], list[Change]]]:
    """Every stored version, oldest first, with what it changed from the one before (the first:
    nothing)."""
    rows = stored(conn)
    return [
        (row, diff(previous.snapshot, row.snapshot) if previous is not None else [])
        for previous, row in zip([None, *rows], rows, strict=False)
    ]


def in_force(registry: Registry, rows: list[sa.Row[Any]]) -> int | None:
    """The number of the stored version ``registry`` runs, by content (``None``: not stored yet,
    until a process with these rules syncs them). Unlike ``registry.version``, known without a sync."""
    wanted = content_hash(snapshot(registry))
    return next((row.id for row in rows if row.content_hash == wanted), None)


#: Each kind of change in words, by kind and change (``%(name)s``: the definition's name).
CHANGE_WORDS = {
    ("point_types", "added"): N_("point type %(name)s added"),
    ("point_types", "removed"): N_("point type %(name)s removed"),
    ("point_types", "changed"): N_("point type %(name)s changed"),
    ("badges", "added"): N_("badge %(name)s added"),
    ("badges", "removed"): N_("badge %(name)s removed"),
    ("badges", "changed"): N_("badge %(name)s changed"),
    ("roles", "added"): N_("role %(name)s added"),
    ("roles", "removed"): N_("role %(name)s removed"),
    ("roles", "changed"): N_("role %(name)s changed"),
    ("rules", "added"): N_("rule %(name)s added"),
    ("rules", "removed"): N_("rule %(name)s removed"),
    ("rules", "changed"): N_("rule %(name)s changed"),
    ("levels", "added"): N_("level scale %(name)s added"),
    ("levels", "removed"): N_("level scale %(name)s removed"),
    ("levels", "changed"): N_("level scale %(name)s changed"),
}


def describe_change(change: Change) -> str:
    """One line for people, in the reader's language: ``rule answerer changed: thresholds [5, 15] → [3, 15]``
    (the fields by their names, the values as stored)."""
    words = CHANGE_WORDS.get((change.kind, change.change))
    head = gettext(words, name=change.name) if words else f"{change.kind} {change.name} {change.change}"
    if not change.fields:
        return head
    parts = [f"{name or 'value'} {_short(a)} → {_short(b)}" for name, (a, b) in change.fields.items()]
    return gettext("%(change)s: %(fields)s", change=head, fields="; ".join(parts))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "…"
