"""guildkit-webhooks: signed webhooks for guildkit's events, sent after commit by a background
worker with retries, and a delivery log admins can read and replay.

Register the package as a plugin (its entry point ``webhooks`` does that when installed). The
hook implementations live in :mod:`.events` (what is sent) and :mod:`.plugin` (set-up); both
are re-exported here because guildkit registers this module.

Receivers check signatures with :func:`verify_signature`; other plugins queue raw JSON
messages through the same worker with :func:`enqueue_raw` / :func:`insert_raw_delivery`.
"""

from .admin import UnknownDelivery, UnknownEndpoint
from .delivery import deliver_due
from .events import (
    EVENTS,
    guildkit_badge_awarded,
    guildkit_badge_revoked,
    guildkit_event_changed,
    guildkit_level_changed,
    guildkit_member_joined,
    guildkit_mentorship_changed,
    guildkit_points_changed,
    guildkit_role_granted,
    guildkit_role_revoked,
    guildkit_rsvp_changed,
)
from .outbox import enqueue_event, enqueue_raw, insert_raw_delivery, wake_worker
from .plugin import guildkit_init_app, guildkit_register_tables
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, SignatureError, sign, verify_signature
from .worker import stop_worker

__version__ = "0.1.0"

__all__ = [
    "DELIVERY_HEADER",
    "EVENTS",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "SignatureError",
    "UnknownDelivery",
    "UnknownEndpoint",
    "__version__",
    "deliver_due",
    "enqueue_event",
    "enqueue_raw",
    "guildkit_badge_awarded",
    "guildkit_badge_revoked",
    "guildkit_event_changed",
    "guildkit_init_app",
    "guildkit_level_changed",
    "guildkit_member_joined",
    "guildkit_mentorship_changed",
    "guildkit_points_changed",
    "guildkit_register_tables",
    "guildkit_role_granted",
    "guildkit_role_revoked",
    "guildkit_rsvp_changed",
    "insert_raw_delivery",
    "sign",
    "stop_worker",
    "verify_signature",
    "wake_worker",
]
