"""Erasing a member: what happens to their rows, in the core's tables and (through the
``guildkit_member_erase`` hook) in every plugin's, inside one write transaction.

Erasing *pseudonymises*: the member's row stays, so the ledger (append-only, never touched) and
every other member's history still add up, but nothing in it names the person any more. Their
host user id becomes a random tombstone (``erased:3f9c…``) wherever guildkit stored it, their
display name becomes :data:`FORMER_MEMBER` (stored in the source language and read in each
reader's: :class:`~guildkit.models.members.DisplayName`), and the free text they wrote is emptied.

An :class:`Erasure` is what the core and each plugin work with: the transaction, the member, the
tombstone, and :meth:`Erasure.scrub`, which rewrites text *about* the member (their user id, their
names, the text they wrote) in rows that belong to someone else, such as the notification that
told their mentor "Erin asked you to be their mentor". Scrubbing only touches rows tied to the
member (their activities, their cases, their mentorships …): a name is not an identifier, and
replacing "Ann" in every row of the database would rewrite other people's words.

:func:`erase_core` does the core's part (see ``docs/privacy.md`` for the list).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import (
    Activity,
    ApiToken,
    AuditRecord,
    BadgeAward,
    DistinctValue,
    HookFailure,
    Member,
    Notification,
    RoleGrant,
    table_of,
)
from guildkit.models.members import FORMER_MEMBER
from guildkit.notes import SAID

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

MEMBERS = table_of(Member)
ACTIVITIES = table_of(Activity)
NOTIFICATIONS = table_of(Notification)
DISTINCT = table_of(DistinctValue)
AUDIT = table_of(AuditRecord)
TOKENS = table_of(ApiToken)
FAILURES = table_of(HookFailure)
GRANTS = table_of(RoleGrant)
AWARDS = table_of(BadgeAward)

#: What replaces, inside someone else's text, a text the erased member wrote.
REMOVED = "[removed]"
#: Erased members' user ids start with this.
TOMBSTONE_PREFIX = "erased:"
#: Names shorter than this are not scrubbed from text: "Al" is a name, "A" is a word.
MIN_NAME_LENGTH = 2


def is_tombstone(user_id: str) -> bool:
    return user_id.startswith(TOMBSTONE_PREFIX)


@dataclass
class Erasure:
    """One member being erased, inside the erasing transaction.

    Plugins get it in ``guildkit_member_erase``: write through :attr:`conn` (or :attr:`tx`, to
    notify a member or announce a change), find the member's rows by :attr:`member_id`, and use
    :meth:`scrub` / :meth:`scrub_json` on text of other people's rows that may name them.
    """

    gk: GuildKit
    tx: Transaction
    member_id: int
    #: The host user id being erased (stored nowhere once the transaction commits).
    user_id: str
    #: What replaces it: ``erased:`` and 24 random hex digits.
    tombstone: str
    #: The names the member went by (their display name, the host's name for them).
    names: tuple[str, ...] = ()
    _patterns: list[tuple[re.Pattern[str], str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The user id as a whole token: "user-1" in "guildkit.joined:user-1", not in "user-10".
        self._patterns = [(re.compile(rf"(?<![\w-]){re.escape(self.user_id)}(?![\w-])"), self.tombstone)]
        names = sorted({n for n in self.names if len(n.strip()) >= MIN_NAME_LENGTH}, key=len, reverse=True)
        if names:
            self._patterns.append((re.compile("|".join(_whole(n) for n in names)), FORMER_MEMBER))

    @property
    def conn(self) -> sa.Connection:
        return self.tx.conn

    @property
    def now(self) -> datetime:
        return self.tx.now

    def scrub(self, text: str, *written: str) -> str:
        """``text`` with each of ``written`` (texts the member wrote) replaced by :data:`REMOVED`,
        their user id by the tombstone, and their names by :data:`FORMER_MEMBER`."""
        for piece in sorted({w for w in written if w and w.strip()}, key=len, reverse=True):
            text = re.sub(_whole(piece), REMOVED, text)
        for pattern, replacement in self._patterns:
            text = pattern.sub(replacement, text)
        return text

    def scrub_json(self, value: Any, *written: str) -> Any:
        """:meth:`scrub` applied to every string in a JSON value (keys too)."""
        if isinstance(value, str):
            return self.scrub(value, *written)
        if isinstance(value, Mapping):
            return {self.scrub(str(k), *written): self.scrub_json(v, *written) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_json(v, *written) for v in value]
        return value

    def scrub_rows(
        self, table: sa.Table, where: sa.ColumnElement[bool], columns: tuple[str, ...], *written: str
    ) -> int:
        """Run ``columns`` of the rows of ``table`` that ``where`` picks through :meth:`scrub` (JSON
        columns through :meth:`scrub_json`; ``NULL`` stays); returns how many rows changed."""
        rows = self.conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).where(where)).all()
        changed = 0
        for row in rows:
            values = {}
            for column in columns:
                old = getattr(row, column)
                if old is None:
                    continue
                new = self.scrub(old, *written) if isinstance(old, str) else self.scrub_json(old, *written)
                if new != old:
                    values[column] = new
            if values:
                self.conn.execute(table.update().where(table.c.id == row.id).values(**values))
                changed += 1
        return changed

    def scrub_notifications(self, data_key: str, ids: Iterable[int], *written: str) -> int:
        """Scrub other members' notifications whose ``data[data_key]`` is one of ``ids`` (a
        feature's notifications about a mentorship, a mediation …); returns how many changed."""
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        return self.scrub_notifications_where(NOTIFICATIONS.c.data[data_key].as_integer().in_(wanted), *written)

    def scrub_notifications_where(self, where: sa.ColumnElement[bool], *written: str) -> int:
        """Scrub the notifications of other members that ``where`` picks; returns how many changed.

        What a notification said (:class:`~guildkit.notes.Said`) keeps its message and the names
        of its values, so that each reader still reads it in their language: only the values are
        scrubbed."""
        mine = NOTIFICATIONS.c.member_id == self.member_id
        found = sa.select(NOTIFICATIONS.c.id, NOTIFICATIONS.c.text, NOTIFICATIONS.c.data)
        changed = 0
        for row in self.conn.execute(found.where(sa.not_(mine), where)).all():
            text, data = self.scrub(row.text, *written), self._scrub_note_data(row.data, *written)
            if (text, data) != (row.text, row.data):
                self.conn.execute(
                    NOTIFICATIONS.update().where(NOTIFICATIONS.c.id == row.id).values(text=text, data=data)
                )
                changed += 1
        return changed

    def _scrub_note_data(self, data: Any, *written: str) -> Any:
        said = data.get(SAID) if isinstance(data, Mapping) else None
        if not isinstance(said, Mapping) or not isinstance(said.get("values"), Mapping):
            return self.scrub_json(data, *written)
        rest = self.scrub_json({k: v for k, v in data.items() if k != SAID}, *written)
        values = {name: self.scrub_json(value, *written) for name, value in said["values"].items()}
        return {**rest, SAID: {**said, "values": values}}


def _whole(text: str) -> str:
    """A pattern for ``text`` as whole words: "Ann" matches in "Ann said", not in "Annual"."""
    before = r"(?<!\w)" if re.match(r"\w", text) else ""
    after = r"(?!\w)" if re.search(r"\w$", text) else ""
    return f"{before}{re.escape(text)}{after}"


def tombstone_fingerprint(key: str) -> str:
    """An erased activity's fingerprint: derived from its new key, never from its old content
    (a hash of the old content, with the user id in it, could be matched against guesses)."""
    return hashlib.sha256(f"{TOMBSTONE_PREFIX}{key}".encode()).hexdigest()


def erase_core(erasure: Erasure) -> None:
    """The core's part: activities, counters' distinct values, notifications, roles, badges'
    reasons, the audit log, API tokens, hook failures, and last the member row itself."""
    conn, member, user_id, tombstone = erasure.conn, erasure.member_id, erasure.user_id, erasure.tombstone
    _erase_failures(erasure)  # first: they are found by the activities' keys as they are now
    subjects = _erase_activities(erasure)
    _rewrite_distinct(conn, {user_id: tombstone, **subjects})
    conn.execute(NOTIFICATIONS.delete().where(NOTIFICATIONS.c.member_id == member))
    linked = sa.select(ACTIVITIES.c.id).where(_theirs(member)).scalar_subquery()
    erasure.scrub_notifications_where(NOTIFICATIONS.c.activity_id.in_(linked))
    _scrub_reasons(erasure)
    _erase_audit(erasure)
    conn.execute(TOKENS.update().where(TOKENS.c.created_by == user_id).values(created_by=tombstone))
    conn.execute(
        MEMBERS.update()
        .where(MEMBERS.c.id == member)
        .values(user_id=tombstone, display_name=FORMER_MEMBER, status="deleted", leaderboard_opt_out=True)
    )


def _theirs(member_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(ACTIVITIES.c.actor_id == member_id, ACTIVITIES.c.target_id == member_id)


def _erase_activities(erasure: Erasure) -> dict[str, str]:
    """Rewrite the member's activities: keys and subjects scrubbed, the payload of what they did
    emptied (what was done to them keeps its payload, scrubbed). Returns the subjects that
    changed, old to new."""
    member = erasure.member_id
    rows = erasure.conn.execute(
        sa.select(
            ACTIVITIES.c.id,
            ACTIVITIES.c.key,
            ACTIVITIES.c.actor_id,
            ACTIVITIES.c.subject,
            ACTIVITIES.c.payload,
            ACTIVITIES.c.retract_reason,
        ).where(_theirs(member))
    ).all()
    subjects: dict[str, str] = {}
    changes = []
    for row in rows:
        key = erasure.scrub(row.key)
        subject = None if row.subject is None else erasure.scrub(row.subject)
        if subject is not None and subject != row.subject:
            subjects[row.subject] = subject
        changes.append(
            {
                "a_id": row.id,
                "a_key": key,
                "a_subject": subject,
                "a_payload": {} if row.actor_id == member else erasure.scrub_json(row.payload or {}),
                "a_reason": _maybe(erasure, row.retract_reason),
                "a_fingerprint": tombstone_fingerprint(key),
            }
        )
    if changes:
        erasure.conn.execute(
            ACTIVITIES.update()
            .where(ACTIVITIES.c.id == sa.bindparam("a_id"))
            .values(
                key=sa.bindparam("a_key"),
                subject=sa.bindparam("a_subject"),
                payload=sa.bindparam("a_payload"),
                retract_reason=sa.bindparam("a_reason"),
                fingerprint=sa.bindparam("a_fingerprint"),
            ),
            changes,
        )
    return subjects


def _rewrite_distinct(conn: sa.Connection, renamed: Mapping[str, str]) -> None:
    """Distinct counters remember the user ids (and subjects) they counted: rename them, so the
    counts stay and a later retraction of one of these activities finds the value it counted."""
    for old, new in renamed.items():
        conn.execute(DISTINCT.update().where(DISTINCT.c.value == old).values(value=new))


def _scrub_reasons(erasure: Erasure) -> None:
    """Reasons on the member's own badge awards and role grants may name them (a manual award's);
    their live roles are revoked, so a tombstone carries no permission."""
    conn, member = erasure.conn, erasure.member_id
    for table in (AWARDS, GRANTS):
        erasure.scrub_rows(table, table.c.member_id == member, ("reason", "revoke_reason"))
    conn.execute(
        GRANTS.update()
        .where(GRANTS.c.member_id == member, GRANTS.c.revoked_at.is_(None))
        .values(revoked_at=erasure.now, revoke_reason="member erased")
    )


def _erase_audit(erasure: Erasure) -> None:
    """Audit rows keep what was done, by and to whom, with the tombstone for the member."""
    conn, user_id, tombstone = erasure.conn, erasure.user_id, erasure.tombstone
    target = f"member:{user_id}"
    rows = conn.execute(
        sa.select(AUDIT.c.id, AUDIT.c.actor, AUDIT.c.target, AUDIT.c.reason, AUDIT.c.details).where(
            sa.or_(AUDIT.c.member_id == erasure.member_id, AUDIT.c.actor == user_id, AUDIT.c.target == target)
        )
    ).all()
    changes = [
        {
            "l_id": row.id,
            "l_actor": tombstone if row.actor == user_id else row.actor,
            "l_target": None if row.target is None else erasure.scrub(row.target),
            "l_reason": erasure.scrub(row.reason or ""),
            "l_details": erasure.scrub_json(row.details or {}),
        }
        for row in rows
    ]
    if changes:
        conn.execute(
            AUDIT.update()
            .where(AUDIT.c.id == sa.bindparam("l_id"))
            .values(
                actor=sa.bindparam("l_actor"),
                target=sa.bindparam("l_target"),
                reason=sa.bindparam("l_reason"),
                details=sa.bindparam("l_details"),
            ),
            changes,
        )


def _erase_failures(erasure: Erasure) -> None:
    """Hook failures recorded for the member's activities: the key renamed as the activity's will
    be, the error scrubbed."""
    theirs = sa.select(ACTIVITIES.c.key).where(_theirs(erasure.member_id))
    erasure.scrub_rows(FAILURES, FAILURES.c.activity_key.in_(theirs), ("activity_key", "error"))


def _maybe(erasure: Erasure, text: str | None) -> str | None:
    return None if text is None else erasure.scrub(text)
