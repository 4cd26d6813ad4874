"""Sending queued deliveries: claim one atomically, POST it, record what happened.

:func:`deliver_due` is the whole loop, with no threads of its own: the periodic job
(:mod:`.jobs`) and ``flask webhooks deliver`` (cron, or a process of its own) call it, and the
job for one delivery claims that row alone (``claim_next(..., delivery_id)``).

* **Claim** — in one short write transaction, pick the oldest due row (``pending`` and due, or
  ``delivering`` whose lease ran out) and move it to ``delivering`` with
  ``UPDATE … WHERE id = :id AND status = :seen AND attempts = :seen`` (on PostgreSQL the pick is
  ``FOR UPDATE SKIP LOCKED``; SQLite's ``BEGIN IMMEDIATE`` serializes claimers). Two workers,
  threads or processes, never hold the same row; its lease (``next_attempt_at``) ends
  ``GUILDKIT_WEBHOOKS_LEASE_SECONDS`` (default ``timeout + 60``) seconds later.
* **Send** — outside any transaction, ``POST`` the JSON with a timeout, signed in the endpoint's
  scheme (:mod:`.signing`) with its current secret, and its previous one too for a while after a
  rotation. Redirects are not followed (a 3xx is a failure); proxies from the environment are
  not used.
* **Finish** — 2xx: ``succeeded``. Otherwise ``pending`` again at ``now + backoff`` (exponential,
  with jitter), or ``failed`` after the last attempt, with the status code and error kept.

Delivery is at least once: a worker that dies after sending but before recording leaves a row
that is sent again when its lease ends. Receivers de-duplicate by the delivery id
(``webhook-id``; ``Guildkit-Delivery`` for guildkit-v1 endpoints and raw deliveries).
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from guildkit import GuildKit

from . import settings as settings_module
from .settings import Settings
from .signing import DELIVERY_HEADER, EVENT_HEADER, GUILDKIT_V1, signed_headers
from .tables import DELIVERIES, ENDPOINTS, SIGNING

log = logging.getLogger("guildkit.webhooks")

USER_AGENT = "guildkit-webhooks/0.1"
#: How much of a failed response's body is kept in ``last_error``.
ERROR_BODY_CHARS = 200


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds: what to send, and where."""

    id: int
    delivery_id: str
    event: str
    payload: dict[str, Any]
    attempts: int
    url: str | None
    #: The endpoint's signing scheme, or ``None`` for a raw (unsigned) delivery.
    scheme: str | None
    #: The secrets to sign with: the current one, then the previous one during a rotation.
    secrets: tuple[str, ...] = ()
    #: Why it cannot be sent at all (its endpoint was deleted or deactivated), or ``None``.
    unsendable: str | None = None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    #: No retry can help (the endpoint is gone).
    final: bool = False


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a payload."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def backoff(attempt: int, settings: Settings) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based): ``base * 2**(attempt-1)``, capped
    at the maximum, then "equal jitter" (between half and all of it) so retries spread out."""
    delay = min(settings.backoff_max, settings.backoff_base * 2 ** (attempt - 1))
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def claim_next(gk: GuildKit, settings: Settings, delivery_id: str | None = None) -> Claimed | None:
    """Take the oldest due delivery (or the one with ``delivery_id``, if it is due) for this
    worker, or ``None`` when nothing is due."""
    now = gk.clock()
    lease_end = now + timedelta(seconds=settings.lease_seconds)

    def body(conn: sa.Connection) -> Claimed | None:
        for _ in range(20):
            pick = (
                sa.select(DELIVERIES.c.id, DELIVERIES.c.status, DELIVERIES.c.attempts)
                .where(DELIVERIES.c.status.in_(("pending", "delivering")), DELIVERIES.c.next_attempt_at <= now)
                .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
                .limit(1)
            )
            if delivery_id is not None:
                pick = pick.where(DELIVERIES.c.delivery_id == delivery_id)
            if conn.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            seen = conn.execute(pick).first()
            if seen is None:
                return None
            taken = conn.execute(
                sa.update(DELIVERIES)
                .where(
                    DELIVERIES.c.id == seen.id,
                    DELIVERIES.c.status == seen.status,
                    DELIVERIES.c.attempts == seen.attempts,
                )
                .values(status="delivering", attempts=seen.attempts + 1, next_attempt_at=lease_end)
            )
            if taken.rowcount == 1:
                return _load(conn, seen.id, now)
        return None

    claimed: Claimed | None = gk.store.run_write(body)
    return claimed


def _load(conn: sa.Connection, row_id: int, now: datetime) -> Claimed:
    row = conn.execute(
        sa.select(
            DELIVERIES,
            ENDPOINTS.c.url.label("endpoint_url"),
            ENDPOINTS.c.secret,
            ENDPOINTS.c.active,
            SIGNING.c.scheme,
            SIGNING.c.previous_secret,
            SIGNING.c.previous_secret_until,
        )
        .outerjoin(ENDPOINTS, ENDPOINTS.c.id == DELIVERIES.c.endpoint_id)
        .outerjoin(SIGNING, SIGNING.c.endpoint_id == DELIVERIES.c.endpoint_id)
        .where(DELIVERIES.c.id == row_id)
    ).one()
    if row.endpoint_id is None:
        return Claimed(row.id, row.delivery_id, row.event, row.payload, row.attempts, row.url, None)
    unsendable = None
    if row.endpoint_url is None:
        unsendable = "endpoint deleted"
    elif not row.active:
        unsendable = "endpoint deactivated"
    secrets: tuple[str, ...] = (row.secret,) if row.secret is not None else ()
    if row.previous_secret is not None and row.previous_secret_until is not None and now < row.previous_secret_until:
        secrets += (row.previous_secret,)
    return Claimed(
        row.id,
        row.delivery_id,
        row.event,
        row.payload,
        row.attempts,
        row.endpoint_url,
        # Endpoints registered by 0.1 have no signing row: they keep 0.1's scheme.
        row.scheme or GUILDKIT_V1,
        secrets,
        unsendable,
    )


def send(claimed: Claimed, timeout: float) -> Outcome:
    """POST the delivery (signed when it belongs to an endpoint). Never raises."""
    if claimed.unsendable is not None or claimed.url is None:
        return Outcome(False, error=claimed.unsendable or "no URL", final=True)
    body = body_bytes(claimed.payload)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, EVENT_HEADER: claimed.event}
    if claimed.scheme is None:
        headers[DELIVERY_HEADER] = claimed.delivery_id
    else:
        try:
            # Signed at the attempt, by the wall clock: receivers compare it with theirs.
            headers.update(signed_headers(claimed.scheme, claimed.secrets, claimed.delivery_id, body))
        except ValueError as exc:  # a secret edited into the database by hand
            return Outcome(False, error=f"cannot sign: {exc}"[:1000], final=True)
    try:
        status, text = post(claimed.url, body, headers, timeout)
    except TimeoutError:
        return Outcome(False, error=f"timeout: no response within {timeout:g}s")
    except ConnectionRefusedError:
        return Outcome(False, error="connection refused")
    except ssl.SSLError as exc:
        return Outcome(False, error=f"TLS error: {exc}"[:1000])
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:1000])
    if 200 <= status < 300:
        return Outcome(True, status_code=status)
    snippet = " ".join(text.split())[:ERROR_BODY_CHARS]
    return Outcome(False, status_code=status, error=f"HTTP {status}" + (f": {snippet}" if snippet else ""))


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """One HTTP(S) POST; returns the status and the start of the response body."""
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4096).decode("utf-8", "replace")
        return response.status, text
    finally:
        connection.close()


def finish(gk: GuildKit, settings: Settings, claimed: Claimed, outcome: Outcome) -> str:
    """Record the attempt; returns the delivery's new status."""
    now = gk.clock()
    values: dict[str, Any] = {"last_status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.ok:
        values.update(status="succeeded", finished_at=now)
    elif outcome.final or claimed.attempts >= settings.max_attempts:
        values.update(status="failed", finished_at=now)
    else:
        values.update(status="pending", next_attempt_at=now + backoff(claimed.attempts, settings))
    stmt = (
        sa.update(DELIVERIES)
        .where(
            DELIVERIES.c.id == claimed.id,
            DELIVERIES.c.status == "delivering",
            DELIVERIES.c.attempts == claimed.attempts,
        )
        .values(**values)
    )
    updated = gk.store.run_write(lambda conn: conn.execute(stmt).rowcount)
    if updated != 1:
        # Our lease ran out and another worker took the row over: its record wins.
        log.warning("guildkit webhooks: delivery %s was taken over before its result was recorded", claimed.id)
    if not outcome.ok:
        log.info("guildkit webhooks: delivery %s attempt %d failed: %s", claimed.id, claimed.attempts, outcome.error)
    return str(values["status"])


def seconds_until_due(gk: GuildKit, delivery_id: str) -> float | None:
    """When the delivery may be tried again (its retry, or the end of a worker's lease), in
    seconds from now (by ``gk.clock()``; 0 when already due); ``None`` once it succeeded or failed."""
    with gk.store.engine.connect() as conn:
        row = conn.execute(
            sa.select(DELIVERIES.c.status, DELIVERIES.c.next_attempt_at).where(DELIVERIES.c.delivery_id == delivery_id)
        ).first()
    if row is None or row.status not in ("pending", "delivering"):
        return None
    due: datetime = row.next_attempt_at
    return max(0.0, (due - gk.clock()).total_seconds())


def deliver_due(gk: GuildKit, *, limit: int | None = None) -> int:
    """Send every delivery that is due now (by ``gk.clock()``), one at a time; returns how many
    attempts were made. Call it inside an app context. Safe to run in several threads or
    processes at once: each delivery is claimed by one of them."""
    settings = settings_module.current()
    made = 0
    while limit is None or made < limit:
        claimed = claim_next(gk, settings)
        if claimed is None:
            break
        finish(gk, settings, claimed, send(claimed, settings.timeout))
        made += 1
    return made
