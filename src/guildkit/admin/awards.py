"""Manual awards and revocations of points, badges and roles, with a required reason: the
``guildkit.award`` / ``guildkit.revoke`` activities, so they land in the ledger with it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Unpack

import sqlalchemy as sa

from guildkit import queries
from guildkit.admin import console
from guildkit.admin.base import ConsoleJob
from guildkit.builtin.manual import AWARD, REVOKE, AwardFields, Refusals, check_award, check_revoke
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
        refusals = Refusals()  # every bad field at once, the member too
        refusals.check("user_id", lambda: self.gk.member(user))
        payload = check_award(refusals, self.gk.registry, reason, **what)
        badge = payload["badge"]
        if badge is not None and refusals.passed("badge") and self._archived(badge):
            refusals.add("badge", _("this badge is archived: it cannot be awarded"))
        refusals.raise_if_any()
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
        refusals = Refusals()  # every bad field at once, the member too
        member = refusals.check("user_id", lambda: self.gk.member(user))
        payload = check_revoke(refusals, self.gk.registry, reason, badge, level, role)
        # What the member holds is asked once the member and the badge (or role) are known.
        if member is not None and badge is not None and refusals.passed("badge", "level"):
            held = self.gk.session.scalar(
                sa.select(sa.func.count())
                .select_from(BadgeAward)
                .where(
                    BadgeAward.member_id == member.id, BadgeAward.badge_slug == badge, BadgeAward.revoked_at.is_(None)
                )
                .where(sa.true() if level is None else BadgeAward.level == level)
            )
            if not held:
                refusals.add("badge", _("the member does not hold this badge"))
        if (
            member is not None
            and role is not None
            and refusals.passed("role")
            and role not in queries.role_slugs(self.gk.session, member.id)
        ):
            refusals.add("role", _("the member does not hold this role"))
        refusals.raise_if_any()
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
