"""Members' choices: reading them, checking and writing them, and the same rules in SQL.

A member's delivery for a kind is their row for it, else the kind's default. Their row of kind
``*`` (:data:`~guildkit.notifications.models.ALL_KINDS`) stops every email, digests included,
and leaves the in-app list as the kinds say: it is what "unsubscribe from all" writes.

Changes are checked whole before anything is written: every unknown kind, and every delivery a
kind does not offer (``off`` for a required kind), is named ``kinds.<kind>`` in one
:class:`~guildkit.errors.ValidationError`, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.errors import FieldErrors, ValidationError
from guildkit.models import table_of
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.notifications.models import ALL_KINDS, NotificationPreference
from guildkit.store import upsert

PREFERENCES = table_of(NotificationPreference)
#: The deliveries that send email (at once, or in the week's digest).
BY_EMAIL = frozenset({"email", "digest"})


@dataclass(frozen=True)
class Choice:
    """How the member hears of one kind: ``delivery``, which they ``chose`` or is the default."""

    kind: NotificationKind
    delivery: str
    chose: bool


@dataclass(frozen=True)
class Preferences:
    """A member's choices for every registered kind, in the order kinds are declared."""

    #: ``False``: the member wants no email at all (the kinds' email choices are kept for later).
    email: bool
    choices: tuple[Choice, ...]

    def delivery(self, kind: str) -> str:
        """The member's delivery for ``kind`` (``app`` for a kind nobody declared)."""
        return next((c.delivery for c in self.choices if c.kind.name == kind), "app")

    def out(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "kinds": [
                {
                    "kind": c.kind.name,
                    # In the caller's language: a kind's words may be lazy strings.
                    "label": str(c.kind.label),
                    "description": str(c.kind.description),
                    "section": str(c.kind.section),
                    "delivery": c.delivery,
                    "default": c.kind.default,
                    "chosen": c.chose,
                    "choices": list(c.kind.choices),
                }
                for c in self.choices
            ],
        }


def read(conn: sa.Connection, member_id: int | None, kinds: Mapping[str, NotificationKind]) -> Preferences:
    """The member's preferences (``member_id`` ``None``: a person who is not a member yet has the defaults)."""
    rows: dict[str, str] = {}
    if member_id is not None:
        query = sa.select(PREFERENCES.c.kind, PREFERENCES.c.delivery).where(PREFERENCES.c.member_id == member_id)
        rows = {row.kind: row.delivery for row in conn.execute(query)}
    choices = tuple(Choice(kind, rows.get(name, kind.default), name in rows) for name, kind in kinds.items())
    return Preferences(ALL_KINDS not in rows, choices)


def check(kinds: Mapping[str, NotificationKind], changes: object, email: object = None) -> dict[str, str]:
    """``changes`` (``{kind: delivery}``) checked against the registered kinds; raises naming every bad field."""
    if email is not None and not isinstance(email, bool):
        raise ValidationError("email must be true or false", field="email")
    if not isinstance(changes, Mapping):
        raise ValidationError("kinds must map kinds to deliveries", field="kinds")
    checked: dict[str, str] = {}
    found = FieldErrors()  # every refused kind named at once
    for name, delivery in changes.items():
        kind = kinds.get(name) if isinstance(name, str) else None
        if kind is None:
            found.add(f"kinds.{name}", f"there is no notification kind {name!r}")
        elif delivery not in kind.choices:
            offered = ", ".join(kind.choices)
            why = "it cannot be switched off: " if kind.required and delivery == "off" else ""
            found.add(f"kinds.{name}", f"{name}: {why}choose one of {offered}")
        else:
            checked[name] = str(delivery)
    found.raise_if_any()
    return checked


def write(conn: sa.Connection, member_id: int, changes: Mapping[str, str], email: bool | None, now: datetime) -> None:
    """Store checked changes (``email``: ``False`` stops all email, ``True`` allows it again)."""
    rows = [{"member_id": member_id, "kind": k, "delivery": d, "updated_at": now} for k, d in changes.items()]
    if email is False:
        rows.append({"member_id": member_id, "kind": ALL_KINDS, "delivery": "app", "updated_at": now})
    if rows:
        conn.execute(upsert(conn.dialect.name, PREFERENCES, ("member_id", "kind"), ("delivery", "updated_at")), rows)
    if email is True:
        conn.execute(PREFERENCES.delete().where(PREFERENCES.c.member_id == member_id, PREFERENCES.c.kind == ALL_KINDS))


def unsubscribe(
    conn: sa.Connection, member_id: int, scope: str, kinds: Mapping[str, NotificationKind], now: datetime
) -> None:
    """What an unsubscribe link does: ``all`` stops every email; ``digest`` moves every kind in
    the digest to the app only; a kind's name moves that kind to the app only."""
    if scope == "all":
        write(conn, member_id, {}, False, now)
        return
    current = read(conn, member_id, kinds)
    if scope == "digest":
        names = [c.kind.name for c in current.choices if c.delivery == "digest"]
    else:
        names = [scope] if current.delivery(scope) in BY_EMAIL else []
    write(conn, member_id, dict.fromkeys(names, "app"), None, now)


def delivery_of(kinds: Mapping[str, NotificationKind], kind: Any, chosen: Any) -> sa.ColumnElement[Any]:
    """SQL: the delivery for a notification of ``kind`` given the member's ``chosen`` row (or NULL)."""
    defaults: sa.ColumnElement[Any] = sa.literal("app")
    if kinds:
        defaults = sa.case({name: k.default for name, k in kinds.items()}, value=kind, else_="app")
    return sa.func.coalesce(chosen, defaults)


def hidden_kinds(conn: sa.Connection, member_id: int, kinds: Mapping[str, NotificationKind]) -> list[str]:
    """The kinds the member switched off (or that are off by default), to leave out of their list."""
    return sorted(c.kind.name for c in read(conn, member_id, kinds).choices if c.delivery == "off")
