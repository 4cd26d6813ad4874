"""Shared helpers of the events tests: an event a day ahead, and notifications of a member."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.events import EventView
from guildkit.models import Member, Notification


def make_event(gk: GuildKit, by: str = "org", **overrides: Any) -> EventView:
    """An in-person event starting a day after the clock's now, two hours long."""
    now = gk.clock()
    fields: dict[str, Any] = {
        "title": "Board games night",
        "starts_at": now + timedelta(days=1),
        "ends_at": now + timedelta(days=1, hours=2),
        "timezone": "Europe/Paris",
        "location": "The library, room 2",
    }
    fields.update(overrides)
    return gk.events.create(by, **fields)


def notes(gk: GuildKit, user_id: str) -> list[tuple[str, str]]:
    rows = gk.session.execute(
        sa.select(Notification.kind, Notification.text)
        .join(Member, Member.id == Notification.member_id)
        .where(Member.user_id == user_id)
        .order_by(Notification.id)
    )
    return [(kind, text) for kind, text in rows]
