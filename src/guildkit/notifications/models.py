"""The notifications feature's tables: members' choices, and the emails owed and sent.

* ``guildkit_notification_preferences``: a member's choice per kind (``off``, ``app``, ``email``,
  ``digest``); a kind with no row has its default. The row of kind ``*`` (delivery ``app``) says
  the member wants no email at all, whatever the kinds say (the "unsubscribe from all" link).
* ``guildkit_notification_deliveries``: one row per notification owed an email or a place in a
  digest; ``notification_id`` is unique, so a notification is queued once however many jobs find
  it. Its ``state`` moves ``pending`` → ``sending`` (claimed, for a lease) → ``sent``, or
  ``skipped`` (read meanwhile, no address, the member changed their mind) or ``failed``. No
  foreign key to the notification: the core deletes notifications that cancel out, and erasure
  deletes a member's, and a job then finds the row gone and skips it.
* ``guildkit_notification_digests``: one row per member and week (unique): a digest is sent at
  most once; its deliveries point at it.
* ``guildkit_notification_watermarks``: how far the dispatcher has looked through
  ``guildkit_notifications`` (by id), so it never reads the whole table again.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

#: Every kind's email at once: the member's "no email at all".
ALL_KINDS = "*"
STATES = ("pending", "sending", "sent", "skipped", "failed")
_STATES_SQL = "state IN ('pending', 'sending', 'sent', 'skipped', 'failed')"


class NotificationPreference(Base):
    """How a member hears of one kind of notification."""

    __tablename__ = "guildkit_notification_preferences"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    #: A kind, or ``*`` for "no email at all".
    kind: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    delivery: Mapped[str] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("delivery IN ('off', 'app', 'email', 'digest')", name="delivery"),
        sa.CheckConstraint("kind <> '*' OR delivery = 'app'", name="all_kinds_in_app"),
    )


class NotificationDelivery(Base):
    """A notification owed an email (``channel`` ``email``) or a line in a digest (``digest``)."""

    __tablename__ = "guildkit_notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(unique=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    kind: Mapped[str] = mapped_column(sa.String(50))
    channel: Mapped[str] = mapped_column(sa.String(10))
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: When it may be tried (again); while ``sending``, when the worker's lease ends.
    next_attempt_at: Mapped[datetime]
    #: When the notification was made (a digest takes those made before its week ended).
    noted_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_notification_digests.id"))
    #: Why it was skipped or failed (the last error while it is retried).
    error: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("channel IN ('email', 'digest')", name="channel"),
        sa.CheckConstraint(_STATES_SQL, name="state"),
        sa.Index("ix_guildkit_notification_deliveries_due", "channel", "state", "next_attempt_at"),
        sa.Index("ix_guildkit_notification_deliveries_member", "member_id", "channel", "state"),
        sa.Index("ix_guildkit_notification_deliveries_digest", "digest_id"),
    )


class NotificationDigest(Base):
    """One member's weekly digest: the week starts on ``week`` (a Monday, in the community's zone)."""

    __tablename__ = "guildkit_notification_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    week: Mapped[date]
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.UniqueConstraint("member_id", "week"),
        sa.CheckConstraint(_STATES_SQL, name="state"),
        sa.Index("ix_guildkit_notification_digests_due", "state", "next_attempt_at"),
    )


class NotificationWatermark(Base):
    """Every notification with an id up to ``last_id`` has been looked at (one row: ``dispatch``)."""

    __tablename__ = "guildkit_notification_watermarks"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
