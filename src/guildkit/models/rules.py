"""Rule-set versions: every distinct set of effective rules this database has run under."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class RuleVersion(Base):
    """One rule set, by content (see :mod:`guildkit.rules.versions`). ``id`` is its version
    number (v1, v2 …), in the order the versions were first seen; a rule set seen again (a
    change undone) keeps its first number."""

    __tablename__ = "guildkit_rule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the snapshot's canonical JSON, as hex.
    content_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last time a process started (or rebuilt its registry) with these rules.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
