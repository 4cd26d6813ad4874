"""The hook of the notifications feature and the record it carries (see docs/hooks.md).

Plugins that tell members things (``tx.tell(member, kind, text)``) declare each ``kind`` with a
:class:`NotificationKind`: the words the preferences page shows for it and how it is delivered
until the member chooses. A kind nobody declares still reaches the member in the app, and is
never emailed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel.speaklater import LazyString

from guildkit.definitions import Text
from guildkit.errors import ConfigurationError
from guildkit.i18n import lazy_gettext
from guildkit.markers import hookspec

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: How a member hears of a kind: not at all, in the app, in the app and by email at once, or in
#: the app and in a weekly digest email.
DELIVERIES = ("off", "app", "email", "digest")
#: A kind's name, as notifications are stored with it (``guildkit_notifications.kind``).
KIND_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,49}$")
#: The section of a kind that names none.
OTHER: Text = lazy_gettext("Other")
#: Names an unsubscribe link uses for more than one kind: they can never be kinds.
RESERVED = frozenset({"all", "digest"})


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification, as a member chooses how to hear of it.

    ``label`` says in words what the member is told ("You earn a badge"), ``description`` adds
    detail where the label is not enough, and ``section`` groups kinds on the preferences page
    ("Recognition"); each is :data:`~guildkit.definitions.Text`, so it may be a lazy translation
    (``lazy_gettext("You earn a badge")``), put in the reader's language when a page or an email
    shows it. ``default`` is the delivery until
    the member chooses (the host may change it with ``GUILDKIT_NOTIFICATIONS_DEFAULTS``). A
    ``required`` kind (a sanction, a change of membership) cannot be switched off, only moved
    between the app and email. ``many`` phrases several unread notifications about one subject
    collapsed into one line, with ``{count}`` (how many) and ``{people}`` (how many distinct
    ``data["actor"]``): ``"{people} people upvoted your answer"``.
    """

    name: str
    label: Text
    section: Text = OTHER
    default: str = "app"
    description: Text = ""
    required: bool = False
    many: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not KIND_NAME.match(self.name) or self.name in RESERVED:
            raise ConfigurationError(
                f"notification kind {self.name!r}: use 1-50 characters a-z 0-9 _ . : - (not 'all' or 'digest')"
            )
        if not isinstance(self.label, str | LazyString) or not str(self.label).strip():
            raise ConfigurationError(f"notification kind {self.name!r} needs a label: what the member is told")
        if self.default not in DELIVERIES:
            raise ConfigurationError(f"notification kind {self.name!r}: default must be one of {DELIVERIES}")
        if self.required and self.default == "off":
            raise ConfigurationError(f"notification kind {self.name!r} is required, so it cannot be off by default")
        if self.many is not None:
            try:
                self.many.format(count=2, people=2)
            except (KeyError, IndexError, ValueError, AttributeError):
                raise ConfigurationError(
                    f"notification kind {self.name!r}: many may use {{count}} and {{people}} only"
                ) from None

    @property
    def choices(self) -> tuple[str, ...]:
        """The deliveries a member may pick: all of them, or all but ``off`` for a required kind."""
        return DELIVERIES[1:] if self.required else DELIVERIES


@hookspec
def guildkit_register_notification_kinds(gk: GuildKit) -> Iterable[NotificationKind] | None:
    """Contribute the kinds of notification your plugin tells members, with their words.

    Each :class:`~guildkit.notifications.NotificationKind` names a ``kind`` your plugin passes to
    ``tx.tell(member_id, kind, text, **data)`` and says what the member is told, in words, for
    the preferences page (``label``, ``description``, ``section``), how it is delivered until the
    member chooses (``default``: ``"off"``, ``"app"``, ``"email"`` or ``"digest"``), whether it
    may be switched off (``required``) and how several about one subject read together
    (``many``). guildkit's own kinds (badges, levels, mentorships, events, sanctions) are
    declared by the notifications feature. Put ``subject`` in a notification's data (as an
    activity names it, ``"answer:384"``) to let unread ones about the same subject collapse into
    one line. A kind declared twice is a :class:`~guildkit.errors.DuplicateDefinition`.
    Implement it with ``@hookimpl(optionalhook=True)``: the host may switch notifications off.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of :class:`~guildkit.notifications.NotificationKind`, or ``None``.
    """
