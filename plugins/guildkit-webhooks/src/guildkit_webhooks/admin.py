"""Managing endpoints and reading the delivery log: the functions behind the JSON API and the CLI.

Everything returns plain JSON-ready dicts. Invalid input raises guildkit's
:class:`~guildkit.ValidationError` naming the field; a missing row raises
:class:`UnknownEndpoint` or :class:`UnknownDelivery` (both :class:`~guildkit.NotFound`). An
endpoint's secret is returned by :func:`create_endpoint` (and a rotation) only; raw deliveries'
URLs (chat webhooks are secrets themselves) are shown without their path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from guildkit import GuildKit, NotFound, ValidationError

from .events import EVENTS
from .outbox import ALL_EVENTS, check_url, isoformat
from .signing import MIN_SECRET_LENGTH, generate_secret
from .tables import DELIVERIES, ENDPOINTS, STATUSES

MAX_PAGE = 100


class UnknownEndpoint(NotFound):
    code = "unknown_endpoint"

    def __init__(self, endpoint_id: object) -> None:
        super().__init__(f"no webhook endpoint with id {endpoint_id!r}", endpoint_id=endpoint_id)


class UnknownDelivery(NotFound):
    code = "unknown_delivery"

    def __init__(self, row_id: object) -> None:
        super().__init__(f"no webhook delivery with id {row_id!r}", delivery=row_id)


def check_events(events: object) -> list[str]:
    if isinstance(events, str) or not isinstance(events, Iterable):
        raise ValidationError("events must be a list of event names", field="events")
    names = list(events)
    unknown = [name for name in names if name != ALL_EVENTS and name not in EVENTS]
    if not names or unknown:
        raise ValidationError(
            f"events must be some of {', '.join(EVENTS)} (or '*' for all)"
            + (f"; unknown: {', '.join(map(repr, unknown))}" if unknown else ""),
            field="events",
        )
    return sorted(set(names))


def check_secret(secret: object) -> str:
    if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= 200 or secret != secret.strip():
        raise ValidationError(
            f"secret must be {MIN_SECRET_LENGTH}-200 characters without surrounding spaces "
            "(leave it out to have one generated)",
            field="secret",
        )
    return secret


def check_description(description: object) -> str:
    if not isinstance(description, str) or len(description) > 500:
        raise ValidationError("description must be a string of at most 500 characters", field="description")
    return description


def check_active(active: object) -> bool:
    if not isinstance(active, bool):
        raise ValidationError("active must be true or false", field="active")
    return active


def endpoint_json(row: Any, *, secret: bool = False) -> dict[str, Any]:
    data = {
        "id": row.id,
        "url": row.url,
        "events": list(row.events),
        "active": row.active,
        "description": row.description,
        "created_at": isoformat(row.created_at),
        "created_by": row.created_by,
    }
    if secret:
        data["secret"] = row.secret
    return data


def create_endpoint(
    gk: GuildKit,
    url: object,
    events: object,
    *,
    secret: object = None,
    description: object = "",
    active: object = True,
    created_by: str | None = None,
) -> dict[str, Any]:
    """Register an endpoint. The result carries ``secret``: show it once, it is not shown again."""
    values = {
        "url": check_url(url),
        "events": check_events(events),
        "secret": generate_secret() if secret is None else check_secret(secret),
        "description": check_description(description),
        "active": check_active(active),
        "created_at": gk.clock(),
        "created_by": created_by,
    }
    new_id = gk.store.run_write(
        lambda conn: conn.execute(sa.insert(ENDPOINTS).values(**values)).inserted_primary_key[0]
    )
    return get_endpoint(gk, int(new_id), secret=True)


def get_endpoint(gk: GuildKit, endpoint_id: int, *, secret: bool = False) -> dict[str, Any]:
    with gk.store.engine.connect() as conn:
        row = conn.execute(sa.select(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id)).first()
    if row is None:
        raise UnknownEndpoint(endpoint_id)
    return endpoint_json(row, secret=secret)


def list_endpoints(gk: GuildKit) -> list[dict[str, Any]]:
    with gk.store.engine.connect() as conn:
        return [endpoint_json(row) for row in conn.execute(sa.select(ENDPOINTS).order_by(ENDPOINTS.c.id))]


#: What :func:`update_endpoint` may change, and how each is checked.
UPDATABLE: dict[str, Callable[[Any], Any]] = {
    "url": check_url,
    "events": check_events,
    "description": check_description,
    "active": check_active,
    "secret": check_secret,
}


def update_endpoint(gk: GuildKit, endpoint_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some of ``url``, ``events``, ``description``, ``active`` and ``secret`` (a rotation:
    the new secret is returned, once). ``"secret": null`` generates a new one."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationError(f"cannot change {', '.join(unknown)}", field=unknown[0])
    values = {
        name: generate_secret() if name == "secret" and value is None else UPDATABLE[name](value)
        for name, value in changes.items()
    }
    if values:
        done = gk.store.run_write(
            lambda conn: (
                conn.execute(sa.update(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id).values(**values)).rowcount
            )
        )
        if done != 1:
            raise UnknownEndpoint(endpoint_id)
    return get_endpoint(gk, endpoint_id, secret="secret" in values)


def delete_endpoint(gk: GuildKit, endpoint_id: int) -> None:
    """Remove an endpoint. Its log stays; its pending deliveries fail as "endpoint deleted"."""
    done = gk.store.run_write(
        lambda conn: conn.execute(sa.delete(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id)).rowcount
    )
    if done != 1:
        raise UnknownEndpoint(endpoint_id)


def _shown_url(row: Any) -> str | None:
    if row.endpoint_id is not None or row.url is None:
        return row.url  # type: ignore[no-any-return]
    parts = urlsplit(row.url)
    return f"{parts.scheme}://{parts.netloc}/…"


def delivery_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "delivery_id": row.delivery_id,
        "event_id": row.event_id,
        "endpoint_id": row.endpoint_id,
        "source": row.source,
        "url": _shown_url(row),
        "event": row.event,
        "payload": row.payload,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": isoformat(row.next_attempt_at) if row.status in ("pending", "delivering") else None,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "replay_of": row.replay_of,
        "created_at": isoformat(row.created_at),
        "finished_at": isoformat(row.finished_at) if row.finished_at else None,
    }


def get_delivery(gk: GuildKit, row_id: int) -> dict[str, Any]:
    """One delivery (``_url`` holds the full URL, for a replay; drop it before showing)."""
    with gk.store.engine.connect() as conn:
        row = conn.execute(sa.select(DELIVERIES).where(DELIVERIES.c.id == row_id)).first()
    if row is None:
        raise UnknownDelivery(row_id)
    return {**delivery_json(row), "_url": row.url}


def list_deliveries(
    gk: GuildKit,
    *,
    endpoint_id: int | None = None,
    status: str | None = None,
    source: str | None = None,
    limit: int = 20,
    before: int | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """Deliveries newest first, and the ``before`` for the next page (``None`` on the last)."""
    if status is not None and status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}", field="status")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be an integer from 1 to {MAX_PAGE}", field="limit")
    query = sa.select(DELIVERIES).order_by(DELIVERIES.c.id.desc()).limit(limit + 1)
    if endpoint_id is not None:
        query = query.where(DELIVERIES.c.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(DELIVERIES.c.status == status)
    if source is not None:
        query = query.where(DELIVERIES.c.source == source)
    if before is not None:
        query = query.where(DELIVERIES.c.id < before)
    with gk.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    items = [delivery_json(row) for row in rows[:limit]]
    return items, (items[-1]["id"] if len(rows) > limit else None)
