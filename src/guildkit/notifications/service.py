"""``gk.notifier``: members' choices about their notifications, unsubscribing, and the email jobs.

Methods take host user ids, like the rest of guildkit's API. Reading is one query; writing
checks everything first (naming the field at fault) and then writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.activity import user_ref
from guildkit.erasure import is_tombstone
from guildkit.errors import Conflict
from guildkit.models import Member, table_of
from guildkit.notifications import digests, kinds, preferences, sending, unsubscribe
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.notifications.mailer import MailSettings
from guildkit.notifications.preferences import Preferences
from guildkit.text import check_row_id

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

MEMBERS = table_of(Member)


@dataclass(frozen=True)
class Unsubscribing:
    """What an unsubscribe link does, for its confirmation page: ``scope`` and the kind's words."""

    member_id: int
    scope: str
    #: The kind, when the link is about one that is still declared.
    kind: NotificationKind | None


class Notifier:
    """The notifications feature of one :class:`~guildkit.GuildKit` (``gk.notifier``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- kinds and choices -----------------------------------------------------------------

    def kinds(self) -> dict[str, NotificationKind]:
        """Every kind members can choose about, by name, in the order they are declared."""
        return kinds.registered(self.gk)

    @property
    def email_enabled(self) -> bool:
        """Whether the site sends email (``GUILDKIT_EMAIL_FROM`` and a way to send are set)."""
        return MailSettings.of(current_app.config).enabled

    def _member_id(self, user_id: str) -> int | None:
        return self.gk.session.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id))

    def preferences(self, user_id: str | int) -> Preferences:
        """The member's delivery for every kind (a host user who is not a member has the defaults)."""
        member_id = self._member_id(user_ref(user_id))
        with self.gk.store.engine.connect() as conn:
            return preferences.read(conn, member_id, self.kinds())

    def set_preferences(
        self, user_id: str | int, kinds: Mapping[str, str] | None = None, *, email: bool | None = None
    ) -> Preferences:
        """Change the member's deliveries (``{kind: "off" | "app" | "email" | "digest"}``; kinds
        left out keep theirs) and, with ``email``, stop all email (``False``) or allow it again.

        A host user who is not a member yet becomes one. Raises
        :class:`~guildkit.errors.ValidationError` naming ``kinds.<kind>`` (an unknown kind, or a
        delivery the kind does not offer) or ``email``; then nothing is written.
        """
        user = user_ref(user_id)
        registered = self.kinds()
        changes = preferences.check(registered, {} if kinds is None else kinds, email)
        if is_tombstone(user):
            raise Conflict("an erased member has no settings", user_id=user)

        def body(tx: Transaction) -> None:
            member_id = tx.members(user, active=False)[user]
            preferences.write(tx.conn, member_id, changes, email, tx.now)

        self.gk.transaction(body)
        return self.preferences(user)

    def hidden_kinds(self, member_id: int) -> list[str]:
        """The kinds the member (by their row's id, as pages have it) switched off: their in-app
        list leaves them out."""
        check_row_id(member_id, "member_id")
        with self.gk.store.engine.connect() as conn:
            return preferences.hidden_kinds(conn, member_id, self.kinds())

    def phrases(self) -> dict[str, str | None]:
        """Each kind's phrase for several notifications about one subject, for
        :func:`~guildkit.notifications.group`: ``group(notes, gk.notifier.phrases())``."""
        return {name: kind.many for name, kind in self.kinds().items()}

    # -- unsubscribing -----------------------------------------------------------------------

    def unsubscribe_token(self, user_id: str | int, scope: str = "all") -> str:
        """The token of a link unsubscribing the member from ``scope`` (a kind, ``digest`` or ``all``)."""
        unsubscribe.check_scope(scope)
        return unsubscribe.make(self.gk.member(user_id).id, scope)

    def check_unsubscribe(self, token: str) -> Unsubscribing:
        """What ``token`` unsubscribes; :class:`~guildkit.notifications.unsubscribe.BadToken` if forged."""
        found = unsubscribe.read(token)
        return Unsubscribing(found.member_id, found.scope, self.kinds().get(found.scope))

    def unsubscribe(self, token: str, *, everything: bool = False) -> Unsubscribing:
        """Do what ``token`` says (``everything``: stop all email instead). Idempotent."""
        found = self.check_unsubscribe(token)
        scope = "all" if everything else found.scope
        registered = self.kinds()

        def body(tx: Transaction) -> None:
            exists = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.id == found.member_id))
            if exists is not None:  # an erased member's old email: nothing left to stop
                preferences.unsubscribe(tx.conn, found.member_id, scope, registered, tx.now)

        self.gk.transaction(body)
        return Unsubscribing(found.member_id, scope, registered.get(scope))

    # -- the email jobs ----------------------------------------------------------------------

    def send_due(self) -> dict[str, Any]:
        """Queue what is due and send the immediate emails (the ``guildkit.notifications.send`` job)."""
        if not self.email_enabled:
            return {"email": False}
        report = sending.send_due(self.gk, self.kinds())
        return {"email": True, **report.out()}

    def send_digests(self) -> dict[str, Any]:
        """Send last week's digests not sent yet (the ``guildkit.notifications.digest`` job)."""
        if not self.email_enabled:
            return {"email": False}
        report = digests.send_digests(self.gk, self.kinds())
        return {"email": True, **report.out()}
