"""A member's language and time zone: ``gk.preferences``.

Each is ``None`` until the member picks one, and then means "the host's": the locale the host's
Flask-Babel selector gives (else the browser's), the host's time zone (else ``GUILDKIT_TIMEZONE``).
:mod:`guildkit.i18n` applies the choice to guildkit's pages and to the emails a member is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import i18n
from guildkit.activity import user_ref
from guildkit.erasure import is_tombstone
from guildkit.errors import Conflict, ValidationError, check_fields
from guildkit.models import Member, table_of

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

MEMBERS = table_of(Member)
#: Leave a setting as it is (``None`` clears it back to the host's).
UNCHANGED: Any = object()


@dataclass(frozen=True)
class MemberPreferences:
    #: A locale guildkit ships (:func:`guildkit.i18n.locales`), or ``None``: the host's.
    locale: str | None = None
    #: An IANA time zone (``"Europe/Berlin"``), or ``None``: the host's.
    time_zone: str | None = None


class Preferences:
    """``gk.preferences``, offered by the community feature."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def get(self, user_id: str | int) -> MemberPreferences:
        """The member's choices (both ``None`` for a host user who is not a member)."""
        row = self.gk.session.execute(
            sa.select(Member.locale, Member.time_zone).where(Member.user_id == user_ref(user_id))
        ).first()
        return MemberPreferences() if row is None else MemberPreferences(row.locale, row.time_zone)

    def set(self, user_id: str | int, *, locale: Any = UNCHANGED, time_zone: Any = UNCHANGED) -> MemberPreferences:
        """Store the member's language and/or time zone; ``None`` goes back to the host's.

        Both are checked before anything is written (:class:`~guildkit.errors.ValidationError`
        naming the field). A host user who is not a member yet becomes one.
        """
        checks: dict[str, Callable[[], str | None]] = {}
        if locale is not UNCHANGED:
            checks["locale"] = lambda: None if locale is None else i18n.check_locale(_text(locale, "locale"))
        if time_zone is not UNCHANGED:
            checks["time_zone"] = lambda: (
                None if time_zone is None else i18n.check_time_zone(_text(time_zone, "time_zone"))
            )
        user = user_ref(user_id)
        values = check_fields(checks)  # every bad field named at once, before anything is written
        if not values:
            return self.get(user)  # nothing to change: no member is made for it
        if is_tombstone(user):
            raise Conflict("an erased member has no settings", user_id=user)

        def body(tx: Transaction) -> None:
            member_id = tx.members(user, active=False)[user]
            if values:
                tx.conn.execute(MEMBERS.update().where(MEMBERS.c.id == member_id).values(**values))

        self.gk.transaction(body)
        self.gk.session.expire_all()  # the read session may hold the member row from before
        return self.get(user)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text or null", field=field)
    return value
