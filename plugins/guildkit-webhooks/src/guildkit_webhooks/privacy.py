"""A member's data rights in the webhooks plugin: what was sent about them, and to whom.

The delivery log keeps each payload as it was queued: guildkit's events carry host user ids
(``user_id``, ``mentor``, ``mentee``, ``by``, and inside activity keys), and raw deliveries (chat
messages queued by guildkit-chat) carry the names people go by. Endpoints keep the user id of the
admin who registered them.

* **Export** (``webhooks``): the endpoints the member registered (no URL, no secret) and the
  deliveries *about* them: which event went to which receiver (the URL's scheme and host) and
  when, without the payload, which may name other members (the event itself is in the core's
  export).
* **Erase**: the member's user id becomes the tombstone in ``created_by``; every delivery about
  them is **scrubbed in place**, whatever its status: in its payload and its last error, their
  user id becomes the tombstone and their names "A former member", and what they wrote (the
  message of kudos they gave, the reason of a nomination decision of theirs: ``WRITTEN_BY``) is
  emptied, as the features empty their own copies. Rows are never deleted: the log stays whole,
  and a delivery still pending is sent scrubbed (another member's event it belongs to, a points
  change from the member's upvote say, still reaches the receiver).

A delivery is *about* the member when its payload holds their user id as a whole token (a
``user_id`` field, a ``guildkit.joined:<id>`` key …); a raw delivery, which names people rather
than carrying ids, also when it names them as whole words. The SQL only narrows the rows to read
(a substring search of the payload's JSON text, plain and JSON-escaped); the decision is made
here, on the decoded payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from guildkit import Erasure, GuildKit, Member, hookimpl

from .events import WRITTEN_BY
from .outbox import isoformat
from .tables import DELIVERIES, ENDPOINTS

SECTION = "webhooks"
#: Names shorter than this are not looked for: "Al" is a name, "A" is a word (as in guildkit).
MIN_NAME_LENGTH = 2


def _whole(text: str) -> str:
    """``text`` as whole words: "Ann" in "Ann joined", not in "Annual"."""
    before = r"(?<!\w)" if re.match(r"\w", text) else ""
    after = r"(?!\w)" if re.search(r"\w$", text) else ""
    return f"{before}{re.escape(text)}{after}"


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class Mentions:
    """Finds the deliveries about one member."""

    user_id: str
    names: tuple[str, ...]

    @property
    def _names(self) -> list[str]:
        return sorted({n for n in self.names if len(n.strip()) >= MIN_NAME_LENGTH}, key=len, reverse=True)

    def _id_pattern(self) -> re.Pattern[str]:
        # The user id as a whole token, as guildkit's erasure matches it: "user-1", not "user-10".
        return re.compile(rf"(?<![\w-]){re.escape(self.user_id)}(?![\w-])")

    def _name_pattern(self) -> re.Pattern[str] | None:
        names = self._names
        return re.compile("|".join(_whole(n) for n in names)) if names else None

    def candidates(self) -> sa.ColumnElement[bool]:
        """Rows whose payload's JSON text contains the id or a name (plain, or JSON-escaped as
        the default serializer writes non-ASCII): a superset of the rows about the member."""
        needles = {self.user_id, *self._names}
        needles |= {json.dumps(needle)[1:-1] for needle in needles}
        text = sa.cast(DELIVERIES.c.payload, sa.Text)
        return sa.or_(*(text.contains(needle, autoescape=True) for needle in sorted(needles)))

    def about(self, rows: Iterable[Any]) -> list[Any]:
        """The rows (with ``source`` and ``payload``) that are about the member."""
        by_id, by_name = self._id_pattern(), self._name_pattern()
        found = []
        for row in rows:
            patterns = [by_id] if row.source == "webhook" or by_name is None else [by_id, by_name]
            if any(pattern.search(text) for text in _strings(row.payload) for pattern in patterns):
                found.append(row)
        return found


def _deliveries_about(conn: sa.Connection, mentions: Mentions) -> list[Any]:
    rows = conn.execute(
        sa.select(
            DELIVERIES.c.id,
            DELIVERIES.c.delivery_id,
            DELIVERIES.c.event_id,
            DELIVERIES.c.endpoint_id,
            DELIVERIES.c.source,
            DELIVERIES.c.url,
            DELIVERIES.c.event,
            DELIVERIES.c.payload,
            DELIVERIES.c.status,
            DELIVERIES.c.last_error,
            DELIVERIES.c.created_at,
            DELIVERIES.c.finished_at,
        )
        .where(mentions.candidates())
        .order_by(DELIVERIES.c.id)
    ).all()
    return mentions.about(rows)


def _recipient(url: str | None) -> str | None:
    """Who received it: the URL's scheme and host (a chat webhook's path is a secret)."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _without_their_words(row: Any, user_id: str) -> Any:
    """The payload of an event delivery ``row``, with the text ``user_id`` wrote in it emptied."""
    written = WRITTEN_BY.get(row.event)
    data = row.payload.get("data") if isinstance(row.payload, Mapping) else None
    if row.source != "webhook" or written is None or not isinstance(data, Mapping):
        return row.payload
    author, text = written
    if data.get(author) != user_id or not data.get(text):
        return row.payload
    return {**row.payload, "data": {**data, text: ""}}


@hookimpl
def guildkit_member_export(gk: GuildKit, member: Member, conn: sa.Connection) -> Mapping[str, Any] | None:
    names = tuple(n for n in (member.display_name, gk.user_info(member.user_id).name) if n)
    endpoints = conn.execute(
        sa.select(ENDPOINTS.c.id, ENDPOINTS.c.description, ENDPOINTS.c.created_at)
        .where(ENDPOINTS.c.created_by == member.user_id)
        .order_by(ENDPOINTS.c.id)
    ).all()
    deliveries = _deliveries_about(conn, Mentions(member.user_id, names))
    if not endpoints and not deliveries:
        return None
    return {
        SECTION: {
            "endpoints_registered": [
                {"id": row.id, "description": row.description, "created_at": isoformat(row.created_at)}
                for row in endpoints
            ],
            "deliveries": [
                {
                    "delivery_id": row.delivery_id,
                    "event_id": row.event_id,
                    "event": row.event,
                    "source": row.source,
                    "endpoint_id": row.endpoint_id,
                    "recipient": _recipient(row.url),
                    "status": row.status,
                    "created_at": isoformat(row.created_at),
                    "finished_at": isoformat(row.finished_at) if row.finished_at else None,
                }
                for row in deliveries
            ],
        }
    }


@hookimpl
def guildkit_member_erase(gk: GuildKit, erasure: Erasure) -> None:
    conn = erasure.conn
    conn.execute(
        sa.update(ENDPOINTS).where(ENDPOINTS.c.created_by == erasure.user_id).values(created_by=erasure.tombstone)
    )
    changes = []
    for row in _deliveries_about(conn, Mentions(erasure.user_id, erasure.names)):
        payload = erasure.scrub_json(_without_their_words(row, erasure.user_id))
        last_error = None if row.last_error is None else erasure.scrub(row.last_error)
        if payload != row.payload or last_error != row.last_error:
            changes.append({"d_id": row.id, "d_payload": payload, "d_error": last_error})
    if changes:
        conn.execute(
            sa.update(DELIVERIES)
            .where(DELIVERIES.c.id == sa.bindparam("d_id"))
            .values(payload=sa.bindparam("d_payload"), last_error=sa.bindparam("d_error")),
            changes,
        )
