"""guildkit-webhooks: signed webhooks for guildkit's events, sent after commit by background jobs
(``gk.jobs``: threads in the web process, or Celery workers) with retries, and a delivery log
admins can read and replay.

Register the package as a plugin (its entry point ``webhooks`` does that when installed). The
hook implementations live in :mod:`.events` (what is sent), :mod:`.plugin` (set-up),
:mod:`.jobs` (the delivery jobs) and :mod:`.privacy` (a member's export and erasure); all are
re-exported here because guildkit registers this module.

Deliveries are signed the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), or with 0.1's ``Guildkit-Signature`` for endpoints that use it; receivers
check either with :func:`verify_signature`. Other plugins queue raw JSON messages through the
same jobs with :func:`enqueue_raw` / :func:`insert_raw_delivery`.
"""

from .admin import UnknownDelivery, UnknownEndpoint
from .delivery import deliver_due
from .events import (
    EVENTS,
    guildkit_badge_awarded,
    guildkit_badge_revoked,
    guildkit_challenge_completed,
    guildkit_event_changed,
    guildkit_group_goal_reached,
    guildkit_group_joined,
    guildkit_kudos_given,
    guildkit_level_changed,
    guildkit_member_joined,
    guildkit_mentorship_changed,
    guildkit_nomination_decided,
    guildkit_objective_decided,
    guildkit_points_changed,
    guildkit_role_granted,
    guildkit_role_revoked,
    guildkit_rsvp_changed,
)
from .jobs import DELIVER, DELIVER_DUE, guildkit_register_jobs, guildkit_register_periodic_jobs
from .outbox import enqueue_event, enqueue_raw, insert_raw_delivery, wake_worker
from .plugin import guildkit_init_app, guildkit_register_tables
from .privacy import guildkit_member_erase, guildkit_member_export
from .signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    GUILDKIT_V1,
    SIGNATURE_HEADER,
    STANDARD_WEBHOOKS,
    WEBHOOK_ID_HEADER,
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    SignatureError,
    sign,
    sign_standard,
    verify_guildkit_v1,
    verify_signature,
    verify_standard_webhooks,
)

__version__ = "0.1.0"

__all__ = [
    "DELIVER",
    "DELIVERY_HEADER",
    "DELIVER_DUE",
    "EVENTS",
    "EVENT_HEADER",
    "GUILDKIT_V1",
    "SIGNATURE_HEADER",
    "STANDARD_WEBHOOKS",
    "WEBHOOK_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_TIMESTAMP_HEADER",
    "SignatureError",
    "UnknownDelivery",
    "UnknownEndpoint",
    "__version__",
    "deliver_due",
    "enqueue_event",
    "enqueue_raw",
    "guildkit_badge_awarded",
    "guildkit_badge_revoked",
    "guildkit_challenge_completed",
    "guildkit_event_changed",
    "guildkit_group_goal_reached",
    "guildkit_group_joined",
    "guildkit_init_app",
    "guildkit_kudos_given",
    "guildkit_level_changed",
    "guildkit_member_erase",
    "guildkit_member_export",
    "guildkit_member_joined",
    "guildkit_mentorship_changed",
    "guildkit_nomination_decided",
    "guildkit_objective_decided",
    "guildkit_points_changed",
    "guildkit_register_jobs",
    "guildkit_register_periodic_jobs",
    "guildkit_register_tables",
    "guildkit_role_granted",
    "guildkit_role_revoked",
    "guildkit_rsvp_changed",
    "insert_raw_delivery",
    "sign",
    "sign_standard",
    "verify_guildkit_v1",
    "verify_signature",
    "verify_standard_webhooks",
    "wake_worker",
]
