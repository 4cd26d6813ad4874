"""Managing endpoints and reading the delivery log: the functions behind the JSON API and the CLI.

Everything returns plain JSON-ready dicts. Invalid input raises guildkit's
:class:`~guildkit.ValidationError` naming the field; a missing row raises
:class:`UnknownEndpoint` or :class:`UnknownDelivery` (both :class:`~guildkit.NotFound`). An
endpoint's secret is returned by :func:`create_endpoint` (and a rotation) only; raw deliveries'
URLs (chat webhooks are secrets themselves) are shown without their path.

An endpoint's ``signing`` scheme lives in the ``guildkit_webhooks_signing`` table (see
:mod:`.tables`): written with the endpoint, read back with it, deleted with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from guildkit import GuildKit, NotFound, ValidationError

from . import settings as settings_module
from .events import EVENTS
from .outbox import ALL_EVENTS, check_url, isoformat
from .signing import (
    GUILDKIT_V1,
    MIN_SECRET_LENGTH,
    SCHEMES,
    SECRET_PREFIX,
    STANDARD_WEBHOOKS,
    generate_secret,
    key_of,
)
from .tables import DELIVERIES, ENDPOINTS, SIGNING, STATUSES

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


def check_signing(signing: object) -> str:
    if signing not in SCHEMES:
        raise ValidationError(f"signing must be one of {', '.join(SCHEMES)}", field="signing")
    return str(signing)


def check_secret(secret: object, signing: str = STANDARD_WEBHOOKS) -> str:
    """A secret the ``signing`` scheme can use: ``whsec_`` and the base64 of 24-64 random bytes
    for Standard Webhooks, 32-200 characters for guildkit-v1."""
    if not isinstance(secret, str) or len(secret) > 200 or secret != secret.strip():
        raise ValidationError(
            "secret must be a string of at most 200 characters without surrounding spaces "
            "(leave it out to have one generated)",
            field="secret",
        )
    if signing == STANDARD_WEBHOOKS:
        try:
            if not secret.startswith(SECRET_PREFIX):
                raise ValueError(f"a Standard Webhooks secret starts with {SECRET_PREFIX!r}")
            key_of(secret)
        except ValueError as exc:
            raise ValidationError(f"secret: {exc} (leave it out or send null for a new one)", field="secret") from None
    elif len(secret) < MIN_SECRET_LENGTH:
        raise ValidationError(f"secret must be at least {MIN_SECRET_LENGTH} characters", field="secret")
    return secret


def check_description(description: object) -> str:
    if not isinstance(description, str) or len(description) > 500:
        raise ValidationError("description must be a string of at most 500 characters", field="description")
    return description


def check_active(active: object) -> bool:
    if not isinstance(active, bool):
        raise ValidationError("active must be true or false", field="active")
    return active


def _endpoints() -> sa.Select[Any]:
    """Endpoints with their signing scheme (0.1's endpoints have no signing row: guildkit-v1)."""
    return sa.select(ENDPOINTS, SIGNING.c.scheme, SIGNING.c.previous_secret_until).outerjoin(
        SIGNING, SIGNING.c.endpoint_id == ENDPOINTS.c.id
    )


def endpoint_json(row: Any, now: datetime, *, secret: bool = False) -> dict[str, Any]:
    overlap_ends = row.previous_secret_until
    data = {
        "id": row.id,
        "url": row.url,
        "events": list(row.events),
        "active": row.active,
        "description": row.description,
        "signing": row.scheme or GUILDKIT_V1,
        # While set, deliveries are signed with the secret before the last rotation too.
        "previous_secret_until": isoformat(overlap_ends) if overlap_ends is not None and overlap_ends > now else None,
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
    signing: object = STANDARD_WEBHOOKS,
    created_by: str | None = None,
) -> dict[str, Any]:
    """Register an endpoint, signed with ``signing`` (Standard Webhooks unless ``"guildkit-v1"``
    is asked for). The result carries ``secret``: show it once, it is not shown again."""
    scheme = check_signing(signing)
    values = {
        "url": check_url(url),
        "events": check_events(events),
        "secret": generate_secret(scheme) if secret is None else check_secret(secret, scheme),
        "description": check_description(description),
        "active": check_active(active),
        "created_at": gk.clock(),
        "created_by": created_by,
    }

    def insert(conn: sa.Connection) -> int:
        new_id: int = conn.execute(sa.insert(ENDPOINTS).values(**values).returning(ENDPOINTS.c.id)).scalar_one()
        conn.execute(sa.insert(SIGNING).values(endpoint_id=new_id, scheme=scheme))
        return new_id

    return get_endpoint(gk, gk.store.run_write(insert), secret=True)


def get_endpoint(gk: GuildKit, endpoint_id: int, *, secret: bool = False) -> dict[str, Any]:
    with gk.store.engine.connect() as conn:
        row = conn.execute(_endpoints().where(ENDPOINTS.c.id == endpoint_id)).first()
    if row is None:
        raise UnknownEndpoint(endpoint_id)
    return endpoint_json(row, gk.clock(), secret=secret)


def list_endpoints(gk: GuildKit) -> list[dict[str, Any]]:
    now = gk.clock()
    with gk.store.engine.connect() as conn:
        return [endpoint_json(row, now) for row in conn.execute(_endpoints().order_by(ENDPOINTS.c.id))]


#: What :func:`update_endpoint` may change, and how each is checked (``secret`` and ``signing``
#: are checked together, against each other).
UPDATABLE: dict[str, Callable[[Any], Any]] = {
    "url": check_url,
    "events": check_events,
    "description": check_description,
    "active": check_active,
}


def update_endpoint(gk: GuildKit, endpoint_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some of ``url``, ``events``, ``description``, ``active``, ``signing`` and
    ``secret`` (a rotation: the new secret is returned, once; ``"secret": null`` generates one).

    After a rotation that keeps the scheme, deliveries are signed with the old secret too for
    ``GUILDKIT_WEBHOOKS_ROTATION_OVERLAP`` seconds, so the receiver can switch at its own pace.
    Changing ``signing`` needs a secret that suits the new scheme: the current one if it does,
    else a new one in the same request (``"secret": null``).
    """
    unknown = sorted(set(changes) - {*UPDATABLE, "secret", "signing"})
    if unknown:
        raise ValidationError(f"cannot change {', '.join(unknown)}", field=unknown[0])
    values = {name: UPDATABLE[name](value) for name, value in changes.items() if name in UPDATABLE}
    wanted_scheme = check_signing(changes["signing"]) if "signing" in changes else None
    overlap = timedelta(seconds=settings_module.current().rotation_overlap)
    now = gk.clock()

    def update(conn: sa.Connection) -> bool:
        row = conn.execute(_endpoints().where(ENDPOINTS.c.id == endpoint_id)).first()
        if row is None:
            raise UnknownEndpoint(endpoint_id)
        old_scheme = row.scheme or GUILDKIT_V1
        scheme = wanted_scheme or old_scheme
        if "secret" in changes:
            secret = generate_secret(scheme) if changes["secret"] is None else check_secret(changes["secret"], scheme)
        else:
            secret = row.secret
            if scheme != old_scheme:
                check_secret(secret, scheme)  # fails naming "secret": send "secret": null along
        rotated = bool(secret != row.secret)
        if rotated:
            values["secret"] = secret
        if values:
            conn.execute(sa.update(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id).values(**values))
        if rotated or scheme != old_scheme:
            keep_old = rotated and scheme == old_scheme and overlap > timedelta(0)
            _save_signing(
                conn,
                endpoint_id,
                scheme=scheme,
                previous_secret=row.secret if keep_old else None,
                previous_secret_until=now + overlap if keep_old else None,
            )
        return rotated

    rotated = gk.store.run_write(update)
    return get_endpoint(gk, endpoint_id, secret=rotated or "secret" in changes)


def _save_signing(conn: sa.Connection, endpoint_id: int, **values: Any) -> None:
    """Insert or replace an endpoint's signing row (0.1's endpoints get their first one here)."""
    done = conn.execute(sa.update(SIGNING).where(SIGNING.c.endpoint_id == endpoint_id).values(**values)).rowcount
    if done == 0:
        conn.execute(sa.insert(SIGNING).values(endpoint_id=endpoint_id, **values))


def delete_endpoint(gk: GuildKit, endpoint_id: int) -> None:
    """Remove an endpoint. Its log stays; its pending deliveries fail as "endpoint deleted"."""

    def delete(conn: sa.Connection) -> int:
        conn.execute(sa.delete(SIGNING).where(SIGNING.c.endpoint_id == endpoint_id))
        return int(conn.execute(sa.delete(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id)).rowcount)

    if gk.store.run_write(delete) != 1:
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
