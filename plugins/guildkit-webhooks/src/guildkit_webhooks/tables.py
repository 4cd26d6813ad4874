"""The plugin's tables, on its own ``MetaData`` (created by ``gk.create_all()`` and
``flask guildkit db upgrade`` through ``guildkit_register_tables``).

* ``guildkit_webhooks_endpoints`` — what admins registered: URL, events, secret, active.
* ``guildkit_webhooks_signing`` — how an endpoint's deliveries are signed: its scheme, and the
  secret it had before its last rotation while that is still honoured. Added in 0.2 as a table
  of its own because the plugin's tables are created, never migrated (``guildkit_register_tables``):
  on a 0.1 database it is simply created, empty, by the next ``db upgrade``. An endpoint with no
  row here was registered by 0.1 and keeps signing with 0.1's scheme, ``guildkit-v1``; every
  endpoint registered since gets a row (``standard-webhooks`` unless asked otherwise).
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

SIGNING = sa.Table(
    "guildkit_webhooks_signing",
    metadata,
    # The endpoint's id; deleted with the endpoint.
    sa.Column("endpoint_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("scheme", sa.String(40), nullable=False),
    # After a rotation, deliveries are signed with this secret too until previous_secret_until.
    sa.Column("previous_secret", sa.String(200), nullable=True),
    sa.Column("previous_secret_until", UTCDateTime, nullable=True),
    sa.CheckConstraint("scheme IN ('standard-webhooks', 'guildkit-v1')", name="guildkit_webhooks_signing_scheme"),
)

DELIVERIES = sa.Table(
    "guildkit_webhooks_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Sent as webhook-id (Guildkit-Delivery for guildkit-v1 and raw deliveries): receivers
    # de-duplicate retries by it.
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
