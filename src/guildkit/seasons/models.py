"""Seasons and their standings.

A season is a named, half-open range ``[starts_at, ends_at)`` ranking one point type. Its
standings (``guildkit_season_standings``) hold each member's points of that type earned in the
range, kept by :mod:`guildkit.seasons.standings` from the ledger: ``ledger_id`` is the highest
ledger id taken in (``None``: not built yet). Closing a season freezes its rows and writes each
listed member's final ``rank``; ``awarded_at`` says the season badges went out.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class Season(Base):
    """A named date range with its own leaderboard and, optionally, a badge for its top N."""

    __tablename__ = "guildkit_seasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    point_type: Mapped[str] = mapped_column(sa.String(100))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: The members ranked this high or better (ties with the Nth included) get ``badge``.
    top_n: Mapped[int | None]
    badge: Mapped[str | None] = mapped_column(sa.String(100))
    #: ``badge`` again when the season defines it ("Top 10 of Spring 2027") rather than naming
    #: one the registry has: unique, so two seasons never define the same badge.
    defined_badge: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: One more with every change: their sum is the seasons' definitions version.
    revision: Mapped[int] = mapped_column(default=1)
    #: The highest ledger id in the standings (``None``: never built).
    ledger_id: Mapped[int | None] = mapped_column(sa.BigInteger())
    refreshed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: When the season badges were awarded (``None`` while due, or with no badge).
    awarded_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("top_n IS NULL OR top_n > 0", name="top_n_positive"),
        sa.CheckConstraint("(top_n IS NULL) = (badge IS NULL)", name="top_n_with_badge"),
        sa.CheckConstraint("defined_badge IS NULL OR defined_badge = badge", name="defined_badge_is_badge"),
        sa.Index("ix_guildkit_seasons_starts_at", "starts_at", "id"),
    )


class SeasonStanding(Base):
    """A member's points in a season; ``rank`` is written when the season closes (listed members only)."""

    __tablename__ = "guildkit_season_standings"

    season_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_seasons.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    points: Mapped[int] = mapped_column(sa.BigInteger(), default=0)
    rank: Mapped[int | None]

    __table_args__ = (
        # A board reads "top N of a season" through this index, and a rank counts down it.
        sa.Index("ix_guildkit_season_standings_rank", "season_id", sa.desc("points"), "member_id"),
    )
