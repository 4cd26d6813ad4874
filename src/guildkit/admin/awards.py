"""Manual awards and revocations of points, badges and roles, with a required reason: the
``guildkit.award`` / ``guildkit.revoke`` activities, so they land in the ledger with it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Unpack

import sqlalchemy as sa

from guildkit import queries
from guildkit.admin import console
from guildkit.admin.base import ConsoleJob
from guildkit.builtin.manual import AWARD, REVOKE, AwardFields, award_payload, revoke_payload
from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import BadgeAward

if TYPE_CHECKING:
    from guildkit.activity import ActivityResult
    from guildkit.transaction import Transaction

BADGES = console.BADGES


class ManualAwards(ConsoleJob):
    def award(
        self,
        by: str | int | None,
        user_id: str | int,
        *,
        reason: str,
        via: str | None = None,
        **what: Unpack[AwardFields],
    ) -> ActivityResult:
        """Award ``points`` (negative: take some away), a ``badge`` level and/or a ``role`` to a
        member, with a reason; a ``guildkit.award`` activity, so the ledger rows carry the reason."""
        actor = self._admin(by, via)
        user = str(user_id)
        self.gk.member(user)
        payload = award_payload(self.gk.registry, reason, **what)
        badge = what.get("badge")
        if badge is not None and self._archived(badge):
            raise ValidationError(_("this badge is archived: it cannot be awarded"), field="badge")
        only_role = what.get("role") is not None and what.get("points") is None and badge is None
        return self._manual(AWARD, "role.grant" if only_role else "award", by, actor, user, payload)

    def revoke(
        self,
        by: str | int | None,
        user_id: str | int,
        *,
        reason: str,
        badge: str | None = None,
        level: int | None = None,
        role: str | None = None,
        via: str | None = None,
    ) -> ActivityResult:
        """Take a badge (one level, or all) and/or a role the member holds away, with a reason."""
        actor = self._admin(by, via)
        user = str(user_id)
        member = self.gk.member(user)
        registry = self.gk.registry
        payload = revoke_payload(registry, reason, badge, level, role)
        if badge is not None:
            if level is not None and not (isinstance(level, int) and 1 <= level <= len(registry.badges[badge].levels)):
                raise ValidationError(
                    _(
                        "level must be one of this badge's levels, 1 to %(most)s",
                        most=len(registry.badges[badge].levels),
                    ),
                    field="level",
                )
            held = self.gk.session.scalar(
                sa.select(sa.func.count())
                .select_from(BadgeAward)
                .where(
                    BadgeAward.member_id == member.id, BadgeAward.badge_slug == badge, BadgeAward.revoked_at.is_(None)
                )
                .where(sa.true() if level is None else BadgeAward.level == level)
            )
            if not held:
                raise ValidationError(_("the member does not hold this badge"), field="badge")
        if role is not None and role not in queries.role_slugs(self.gk.session, member.id):
            raise ValidationError(_("the member does not hold this role"), field="role")
        return self._manual(REVOKE, "role.revoke" if badge is None else "revoke", by, actor, user, payload)

    def _manual(
        self, type: str, action: str, by: str | int | None, actor: str | None, user: str, payload: dict[str, Any]
    ) -> ActivityResult:
        key = f"{type}:{uuid.uuid4()}"
        who = None if by is None else str(by)

        def write(tx: Transaction) -> ActivityResult:
            result = tx.record(type, key=key, actor=who, target=user, payload=payload)
            details = {k: v for k, v in payload.items() if k != "reason" and v is not None}
            self._audit(tx, actor, action, f"member:{user}", payload["reason"], {**details, "activity_key": key})
            return result

        return self.gk.transaction(write)

    def _archived(self, slug: str) -> bool:
        return bool(self.gk.session.scalar(sa.select(BADGES.c.archived).where(BADGES.c.slug == slug)))
