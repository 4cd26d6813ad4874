"""Collapsing badge notifications that cancel out before the member reads them.

When a retraction lands between two deliveries (a vote withdrawn and cast again, a redelivered
batch), a badge can go awarded → taken back → awarded within seconds. The ledger and the awards
keep every step: that is history. The member's inbox need not: "You earned Supporter", "Supporter
was taken back", "You earned Supporter" says less than one line, or nothing. So, in the
transaction that writes them:

* an ``awarded`` and a ``revoked`` notification for the same member, badge and level cancel out,
  whether both are new or one of them is stored and still unread;
* once the member has read a notification it stays, and the next change is told as usual.

Hooks and signals still hear every change: they are facts for plugins, not an inbox.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from guildkit.models import Notification, table_of
from guildkit.store import Prepared, execute_many, fetch, in_list

NOTIFICATIONS = table_of(Notification)
OPPOSITE = {"badge_awarded": "badge_revoked", "badge_revoked": "badge_awarded"}

# On the write path (a badge told in a record()): prepared once, run on the bare cursor.
SELECT_UNREAD = Prepared(
    lambda d: (
        sa.select(NOTIFICATIONS.c.id, NOTIFICATIONS.c.member_id, NOTIFICATIONS.c.kind, NOTIFICATIONS.c.data)
        .where(
            in_list(NOTIFICATIONS.c.member_id, "members", d),
            in_list(NOTIFICATIONS.c.kind, "kinds", d),
            NOTIFICATIONS.c.read_at.is_(None),
        )
        .order_by(NOTIFICATIONS.c.id.desc())
    )
)
DELETE_ONE = Prepared(lambda _: NOTIFICATIONS.delete().where(NOTIFICATIONS.c.id == sa.bindparam("note_id")))


def _key(member_id: int, data: Any) -> tuple[int, object, object] | None:
    if isinstance(data, str | bytes):  # SQLite's driver gives JSON as text
        data = json.loads(data)
    if not isinstance(data, dict):
        return None
    return (member_id, data.get("badge"), data.get("level"))


def collapse(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notification rows still worth writing; unread stored ones they cancel are deleted."""
    kept: list[dict[str, Any] | None] = []
    pending: dict[tuple[tuple[int, object, object], str], list[int]] = {}  # (key, kind) -> indexes in kept
    for row in rows:
        kind = row["kind"]
        key = _key(row["member_id"], row.get("data")) if kind in OPPOSITE else None
        if key is not None and pending.get((key, OPPOSITE[kind])):
            kept[pending[(key, OPPOSITE[kind])].pop()] = None  # both new: neither is written
            continue
        if key is not None:
            pending.setdefault((key, kind), []).append(len(kept))
        kept.append(row)
    survivors = [row for row in kept if row is not None]
    wanted = {(row["member_id"], row["kind"]) for row in survivors if row["kind"] in OPPOSITE}
    if not wanted:
        return survivors
    # Only the kinds these rows could cancel: an award looks for unread revocations, which are rare.
    stored = fetch(
        conn,
        SELECT_UNREAD,
        {"members": sorted({m for m, _ in wanted}), "kinds": sorted({OPPOSITE[k] for _, k in wanted})},
    )
    unread: dict[tuple[tuple[int, object, object] | None, str], list[int]] = {}
    for note_id, member_id, kind, data in stored:
        unread.setdefault((_key(member_id, data), kind), []).append(note_id)
    cancelled: list[int] = []
    result = []
    for row in survivors:
        if row["kind"] in OPPOSITE:
            opposite = unread.get((_key(row["member_id"], row.get("data")), OPPOSITE[row["kind"]]))
            if opposite:
                cancelled.append(opposite.pop(0))  # the newest unread one it undoes
                continue
        result.append(row)
    execute_many(conn, DELETE_ONE, [{"note_id": note_id} for note_id in cancelled])
    return result
