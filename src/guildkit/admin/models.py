"""Tables behind the admin console: badges and roles made there, and the
definitions version that tells every worker process when to rebuild its registry.

Console badges and roles are *definitions*: the built-in plugin ``guildkit.admin.console``
reads them into the registry like any plugin's, and the registry syncs them into
``guildkit_badges`` / ``guildkit_roles`` where awards refer to them by slug.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

#: How a console badge is earned: a threshold on a count or a balance, once per activity, or by hand.
CRITERIA = ("count", "points", "each", "manual")


class ConsoleBadge(Base):
    """A badge made in the admin console, with its declarative criterion and its image."""

    __tablename__ = "guildkit_console_badges"

    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(100), default="general")
    #: One tier per level (``["bronze", "silver", "gold"]``).
    tiers: Mapped[list[Any]] = mapped_column(default=list)
    secret: Mapped[bool] = mapped_column(default=False)
    #: One of :data:`CRITERIA`.
    criterion: Mapped[str] = mapped_column(sa.String(16), default="manual")
    #: The activity type counted (``count``) or rewarded (``each``).
    activity_type: Mapped[str | None] = mapped_column(sa.String(100))
    #: Whose count, or who gets the badge: ``actor`` or ``target``.
    subject_role: Mapped[str] = mapped_column(sa.String(8), default="actor")
    #: The point type whose balance is compared (``points``).
    point_type: Mapped[str | None] = mapped_column(sa.String(100))
    #: One threshold per level (``count`` and ``points``).
    thresholds: Mapped[list[Any]] = mapped_column(default=list)
    #: An uploaded image (PNG, WebP or SVG), checked when uploaded; ``None``: a generated SVG.
    image_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    image_type: Mapped[str | None] = mapped_column(sa.String(32))
    #: Archived badges award nothing new; awards already made stay.
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("criterion IN ('count', 'points', 'each', 'manual')", name="criterion"),
        sa.CheckConstraint("subject_role IN ('actor', 'target')", name="subject_role"),
    )


class ConsoleRole(Base):
    """A role made in the admin console: a name and permissions from the known list."""

    __tablename__ = "guildkit_console_roles"

    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    permissions: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DefinitionsVersion(Base):
    """One row (``id = 1``) whose ``version`` goes up with every change to console definitions.

    Each process remembers the version its registry was built from and compares it (cheaply,
    at most every ``GUILDKIT_DEFINITIONS_CHECK_SECONDS``) to rebuild after another process's edit.
    """

    __tablename__ = "guildkit_definitions_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


class RulePreview(Base):
    """A stored dry run of a rule change (``gk.rules.preview``), so the console can page through it."""

    __tablename__ = "guildkit_rule_previews"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What was previewed, in words ("the rule file below", "badge Answerer as saved").
    subject: Mapped[str] = mapped_column(sa.String(191))
    #: The proposed rules as the admin gave them (rule-file text), if any.
    proposal: Mapped[str] = mapped_column(sa.Text, default="")
    removed: Mapped[list[Any]] = mapped_column(default=list)
    #: The rule-set version in force when the preview ran.
    version: Mapped[int | None]
    activities: Mapped[int] = mapped_column(default=0)
    counters_only: Mapped[int] = mapped_column(default=0)
    totals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str | None] = mapped_column(sa.String(191))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RulePreviewMember(Base):
    """One member a stored preview found affected, in the preview's order."""

    __tablename__ = "guildkit_rule_preview_members"

    preview_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_rule_previews.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(sa.String(191))
    change: Mapped[dict[str, Any]] = mapped_column(default=dict)
