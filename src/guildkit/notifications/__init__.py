"""Notifications that work: members choose how they hear of each kind, and hear by email too.

``gk.notifier`` is a :class:`Notifier`; see ``docs/notifications.md``. The modules,
one concept each: :mod:`.kinds` (the kinds members choose about; plugins add theirs through
:mod:`.hookspecs`), :mod:`.preferences` (the choices, and the same rules in SQL),
:mod:`guildkit.notes` (unread notifications about one subject as one line), :mod:`.dispatch` (finding
what is owed an email, once), :mod:`.leases` (claiming and finishing, at most once),
:mod:`.sending` (the immediate emails), :mod:`.digests` (the weekly digest), :mod:`.mailer`
(SMTP or the host's sender), :mod:`.compose` (the messages and their headers),
:mod:`.addresses` (the host's addresses), :mod:`.unsubscribe` (the signed links),
:mod:`.wakeup` (queueing the send job after a recording).
"""

from guildkit.notes import Entry, group
from guildkit.notifications.hookspecs import DELIVERIES, NotificationKind
from guildkit.notifications.preferences import Choice, Preferences
from guildkit.notifications.service import Notifier

__all__ = ["DELIVERIES", "Choice", "Entry", "NotificationKind", "Notifier", "Preferences", "group"]
