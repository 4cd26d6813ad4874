"""The community guidelines (a versioned code of conduct) and who accepted which version.

A version is never changed: publishing new guidelines adds a row with the next version number
(1, 2, 3 …), so the text a member accepted is always the text stored under that version. The
newest version is the current one. An acceptance names the member and the version, once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class Guidelines(Base):
    """One published version of the guidelines: its number is its primary key."""

    __tablename__ = "guildkit_guidelines"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(sa.String(191))
    #: Markdown (CommonMark), rendered without raw HTML.
    body: Mapped[str] = mapped_column(sa.Text)
    #: What changed since the previous version ("" for the first).
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))

    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"),)


class GuidelinesAcceptance(Base):
    """A member accepted one version of the guidelines (the first time counts)."""

    __tablename__ = "guildkit_guideline_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    version: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_guidelines.version"))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("member_id", "version"),)
