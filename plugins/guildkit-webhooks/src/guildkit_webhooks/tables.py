"""The plugin's two tables, on its own ``MetaData`` (created by ``gk.create_all()`` and
``flask guildkit db upgrade`` through ``guildkit_register_tables``).

* ``guildkit_webhooks_endpoints`` — what admins registered: URL, events, secret, active.
* ``guildkit_webhooks_deliveries`` — the queue *and* the delivery log: one row per event per
  endpoint (or per raw message, such as a chat notification), moving
  ``pending → delivering → succeeded | failed`` (back to ``pending`` between retries).

``endpoint_id`` is a plain integer, not a foreign key: deleting an endpoint keeps its log.
While a row is ``delivering``, ``next_attempt_at`` is the end of the worker's lease on it: a
worker that died mid-send leaves a row another worker takes over once the lease ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from guildkit.models import UTCDateTime

metadata = sa.MetaData()

#: Delivery states, in the order a delivery moves through them.
STATUSES = ("pending", "delivering", "succeeded", "failed")

ENDPOINTS = sa.Table(
    "guildkit_webhooks_endpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("description", sa.String(500), nullable=False, default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(191), nullable=True),
)

DELIVERIES = sa.Table(
    "guildkit_webhooks_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Sent as the Guildkit-Delivery header: receivers de-duplicate retries by it.
    sa.Column("delivery_id", sa.String(36), nullable=False, unique=True),
    # The event's id (payload "id"): the same for every endpoint told of one event, and for replays.
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("endpoint_id", sa.Integer, nullable=True, index=True),
    # "webhook" for an endpoint's signed delivery; otherwise who queued a raw one ("chat:slack").
    sa.Column("source", sa.String(100), nullable=False, default="webhook"),
    # Raw deliveries are sent here; endpoint deliveries go to the endpoint's current URL.
    sa.Column("url", sa.String(2000), nullable=True),
    sa.Column("event", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.String(1000), nullable=True),
    sa.Column("replay_of", sa.Integer, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.CheckConstraint(
        "status IN ('pending', 'delivering', 'succeeded', 'failed')", name="guildkit_webhooks_deliveries_status"
    ),
    sa.Index("ix_guildkit_webhooks_deliveries_due", "status", "next_attempt_at"),
)
