"""Mentor profiles: offering to mentor (who may, per the ``GUILDKIT_MENTOR_*`` config), updating, opting out.

:func:`offer` is a transaction body: it checks eligibility against the stored membership,
balances and badges, then creates or updates the profile. Eligibility is checked whenever the
profile is (or stays) open; opting out (``open=False``) is always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guildkit.errors import NotAllowed
from guildkit.i18n import format_number, ngettext
from guildkit.i18n import gettext as _
from guildkit.mentorship.views import PROFILES
from guildkit.models import Badge, BadgeAward, Balance, Member, table_of
from guildkit.transaction import Transaction

MEMBERS = table_of(Member)
BALANCES = table_of(Balance)
AWARDS = table_of(BadgeAward)
BADGES = table_of(Badge)


@dataclass(frozen=True)
class Eligibility:
    """The ``GUILDKIT_MENTOR_*`` settings: tenure, points and a badge (all optional)."""

    min_days: int = 0
    min_points: tuple[tuple[str, int], ...] = ()
    badge: str | None = None

    @classmethod
    def from_config(cls, config: Any) -> Eligibility:
        return cls(
            min_days=config["GUILDKIT_MENTOR_MIN_DAYS"],
            min_points=tuple(sorted(config["GUILDKIT_MENTOR_MIN_POINTS"].items())),
            badge=config["GUILDKIT_MENTOR_BADGE"],
        )

    def missing(self, conn: sa.Connection, member_id: int | None, now: datetime) -> list[str]:
        """What the member (``None``: someone not yet a member) still needs, in words
        ("30 days of membership (you have 3)"); empty if eligible."""
        needs = []
        if self.min_days:
            joined = now
            if member_id is not None:
                joined = conn.execute(sa.select(MEMBERS.c.joined_at).where(MEMBERS.c.id == member_id)).scalar_one()
            if now - joined < timedelta(days=self.min_days):
                needs.append(
                    ngettext(
                        "%(count)s day of membership (you have %(have)s)",
                        "%(count)s days of membership (you have %(have)s)",
                        self.min_days,
                        count=format_number(self.min_days),
                        have=format_number(max(0, (now - joined).days)),
                    )
                )
        if self.min_points:
            held = dict(
                conn.execute(
                    sa.select(BALANCES.c.point_type, BALANCES.c.balance).where(BALANCES.c.member_id == member_id)
                ).all()
            )
            for point_type, least in self.min_points:
                if held.get(point_type, 0) < least:
                    needs.append(
                        _(
                            "%(count)s %(points)s (you have %(have)s)",
                            count=format_number(least),
                            points=point_type,
                            have=format_number(held.get(point_type, 0)),
                        )
                    )
        if self.badge:
            holds = conn.execute(
                sa.select(AWARDS.c.id)
                .where(AWARDS.c.member_id == member_id, AWARDS.c.badge_slug == self.badge)
                .where(AWARDS.c.revoked_at.is_(None))
                .limit(1)
            ).first()
            if holds is None:
                name = conn.execute(sa.select(BADGES.c.name).where(BADGES.c.slug == self.badge)).scalar()
                needs.append(_("the %(badge)s badge", badge=name or self.badge))
        return needs


@dataclass(frozen=True)
class ProfileInput:
    """A validated offer (see :mod:`.checks`)."""

    topics: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    availability: str
    capacity: int
    pitch: str
    open: bool


def offer(tx: Transaction, user_id: str, given: ProfileInput, eligibility: Eligibility) -> None:
    """Create or update ``user_id``'s mentor profile (a transaction body)."""
    member_id = tx.members(user_id)[user_id]
    if given.open:
        needs = eligibility.missing(tx.conn, member_id, tx.now)
        if needs:
            raise NotAllowed(_("to offer mentoring you need %(needs)s", needs="; ".join(needs)), missing=needs)
    values = {
        "topics": list(given.topics),
        "languages": list(given.languages),
        "timezone": given.timezone,
        "availability": given.availability,
        "capacity": given.capacity,
        "pitch": given.pitch,
        "open": given.open,
        "updated_at": tx.now,
    }
    profile_id = tx.conn.execute(sa.select(PROFILES.c.id).where(PROFILES.c.member_id == member_id)).scalar()
    if profile_id is None:
        tx.conn.execute(sa.insert(PROFILES).values(member_id=member_id, taken=0, created_at=tx.now, **values))
        return
    tx.lock(PROFILES, profile_id)
    tx.conn.execute(sa.update(PROFILES).where(PROFILES.c.id == profile_id).values(**values))
