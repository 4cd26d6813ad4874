"""Members (the host's users, as the community knows them), roles and role grants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.i18n import N_, translated
from guildkit.models import scores
from guildkit.models.base import Base, utcnow

MEMBER_STATUSES = ("active", "suspended", "banned", "deleted")
#: The display name an erased member is stored by (in the source language; read in the reader's).
FORMER_MEMBER = N_("A former member")


class DisplayName(sa.TypeDecorator[str]):
    """A member's display name: the erased member's :data:`FORMER_MEMBER` is read in the
    reader's language, wherever a name is read (pages, the API, notifications, emails); every
    other name as stored."""

    impl = sa.String
    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return translated(value) if value == FORMER_MEMBER else value


class Member(Base):
    """A host user who takes part in the community. ``user_id`` is the host's own id, as text."""

    __tablename__ = "guildkit_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(191), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    display_name: Mapped[str | None] = mapped_column(DisplayName(191))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The member asked to be left off leaderboards (``gk.privacy.set_leaderboard_opt_out``).
    leaderboard_opt_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: How many live grants of leaderboard-excluded roles the member holds; kept by triggers
    #: (:mod:`guildkit.models.scores`): above 0, the member is off the leaderboards.
    excluded_roles: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The member's language and time zone for guildkit's pages and emails (``None``: the host's).
    locale: Mapped[str | None] = mapped_column(sa.String(35))
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.CheckConstraint("status IN ('active', 'suspended', 'banned', 'deleted')", name="status"),)

    def __repr__(self) -> str:
        return f"<Member {self.id} user={self.user_id!r} {self.status}>"


class Role(Base):
    """A named set of permissions, such as ``moderator``. Defined by plugins or admins."""

    __tablename__ = "guildkit_roles"

    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    permissions: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(sa.String(100), default="code")
    #: Its holders are off the leaderboards (``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES``, synced at start).
    leaderboard_excluded: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class RoleGrant(Base):
    """A role held by a member. Revoking sets ``revoked_at``; the row itself stays as history."""

    __tablename__ = "guildkit_role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    role_slug: Mapped[str] = mapped_column(sa.ForeignKey("guildkit_roles.slug"))
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))
    rule: Mapped[str] = mapped_column(sa.String(191))
    #: ``event`` (belongs to its activity), ``threshold`` (held while a metric holds) or ``manual``.
    mode: Mapped[str] = mapped_column(sa.String(16), default="event")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))

    __table_args__ = (
        # One live grant per member and role; history rows (revoked) may repeat.
        sa.Index(
            "uq_guildkit_role_grants_live",
            "member_id",
            "role_slug",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )


sa.event.listen(RoleGrant.__table__, "after_create", scores.install_exclusions)
