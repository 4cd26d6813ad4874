"""Putting deliveries in the queue: one row per event per matching endpoint, or a raw message.

Called from the "being told" hooks, i.e. after guildkit's commit and inside the host's request,
so this does no network I/O: it reads the active endpoints, and only when one wants the event
writes the rows in one short transaction, then queues a job per row (:mod:`.jobs`). With no
endpoint interested nothing is written.

:func:`enqueue_raw` (and :func:`insert_raw_delivery`, for your own transaction) queue a JSON
body for any URL, unsigned, through the same jobs, retries and log: the chat plugin sends
Slack and Discord messages this way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from guildkit import GuildKit, ValidationError

from . import jobs
from .tables import DELIVERIES, ENDPOINTS

#: Matches every event, including ones added in later versions.
ALL_EVENTS = "*"


def isoformat(moment: datetime) -> str:
    """``2026-01-05T12:00:00Z``: UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_url(url: object, field: str = "url") -> str:
    """An absolute ``http://`` or ``https://`` URL with a host and no credentials in it."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise ValidationError(f"{field} must be an http(s) URL of at most 2000 characters", field=field)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationError(f"{field} is not a valid URL: {exc}", field=field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{field} must start with http:// or https:// and name a host", field=field)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(f"{field} must not carry a user name or password", field=field)
    if any(ch.isspace() for ch in url):
        raise ValidationError(f"{field} must not contain spaces", field=field)
    return url


def payload_of(event_id: str, event: str, now: datetime, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "event": event, "created_at": isoformat(now), "data": dict(data)}


def enqueue_event(gk: GuildKit, event: str, data: Mapping[str, Any]) -> list[str]:
    """Queue ``event`` for every active endpoint subscribed to it; returns the delivery ids."""
    with gk.store.engine.connect() as conn:
        endpoints = conn.execute(
            sa.select(ENDPOINTS.c.id, ENDPOINTS.c.url, ENDPOINTS.c.events).where(ENDPOINTS.c.active.is_(True))
        ).all()
    targets = [row for row in endpoints if event in row.events or ALL_EVENTS in row.events]
    if not targets:
        return []
    now = gk.clock()
    payload = payload_of(str(uuid.uuid4()), event, now, data)
    rows = [_row(payload, event, now, endpoint_id=target.id, url=target.url, source="webhook") for target in targets]
    gk.store.run_write(lambda conn: conn.execute(sa.insert(DELIVERIES), rows))
    delivery_ids = [str(row["delivery_id"]) for row in rows]
    jobs.wake(gk, delivery_ids)
    return delivery_ids


def _row(
    payload: Mapping[str, Any],
    event: str,
    now: datetime,
    *,
    endpoint_id: int | None,
    url: str | None,
    source: str,
    event_id: str | None = None,
    replay_of: int | None = None,
) -> dict[str, Any]:
    return {
        "delivery_id": str(uuid.uuid4()),
        "event_id": event_id or str(payload.get("id") or uuid.uuid4()),
        "endpoint_id": endpoint_id,
        "source": source,
        "url": url,
        "event": event,
        "payload": dict(payload),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "replay_of": replay_of,
        "created_at": now,
    }


def insert_raw_delivery(
    conn: sa.Connection,
    *,
    url: str,
    body: Mapping[str, Any],
    event: str,
    source: str,
    now: datetime,
) -> str:
    """Queue ``body`` as an unsigned JSON POST to ``url`` inside the caller's transaction.

    Returns the delivery id. Call :func:`wake_worker` with it after the transaction commits.
    """
    check_url(url)
    if not isinstance(source, str) or not source or len(source) > 100 or source == "webhook":
        raise ValidationError("source must name who queues the message (1-100 chars, not 'webhook')", field="source")
    if not isinstance(event, str) or not event or len(event) > 100:
        raise ValidationError("event must be a string of 1-100 characters", field="event")
    row = _row(body, event, now, endpoint_id=None, url=url, source=source)
    conn.execute(sa.insert(DELIVERIES).values(**row))
    return str(row["delivery_id"])


def enqueue_raw(gk: GuildKit, url: str, body: Mapping[str, Any], *, event: str, source: str) -> str:
    """Queue ``body`` as an unsigned JSON POST to ``url`` (delivered with the same retries and
    log as webhooks, without a signature); returns the delivery id."""
    now = gk.clock()
    delivery_id: str = gk.store.run_write(
        lambda conn: insert_raw_delivery(conn, url=url, body=body, event=event, source=source, now=now)
    )
    jobs.wake(gk, [delivery_id])
    return delivery_id


def wake_worker(delivery_ids: Iterable[str] = ()) -> None:
    """Have the deliveries you queued in your own transaction sent, after it committed: a job for
    each of ``delivery_ids`` (as :func:`insert_raw_delivery` returned them), or, given none, one
    that sends everything due. In the current app's context."""
    jobs.wake(current_app.extensions["guildkit"].gk, delivery_ids)


def replay(gk: GuildKit, row_id: int) -> dict[str, Any]:
    """Queue a fresh copy of delivery ``row_id`` (a new delivery id, the same event id and body)."""
    from .admin import get_delivery

    original = get_delivery(gk, row_id)
    now = gk.clock()
    row = _row(
        original["payload"],
        original["event"],
        now,
        endpoint_id=original["endpoint_id"],
        url=original["_url"],
        source=original["source"],
        event_id=original["event_id"],
        replay_of=row_id,
    )
    new_id = gk.store.run_write(lambda conn: conn.execute(sa.insert(DELIVERIES).values(**row)).inserted_primary_key[0])
    jobs.wake(gk, [str(row["delivery_id"])])
    return get_delivery(gk, int(new_id))
