"""What members read about kudos (the ``kudos.given`` activity), and kudos as subjects (``kudos:<id>``).

The activity tells its receiver (``notify="target"``): a notification of its own kind
("Kudos", under "What others do with what you post"), said again in each reader's language from
its data when the page or the email shows it ("Ada gave you kudos: “Thanks for the review!”").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.i18n import gettext
from guildkit.i18n import lazy_gettext as _
from guildkit.kudos.models import Kudos
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: How much of a message a subject's title quotes.
TITLE_MAX = 80

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        "kudos.given", _("Kudos"),
        actor=_("You gave {target} kudos: {subject}"), target=_("{actor} gave you kudos: {subject}"),
        public=_("{actor} gave {target} kudos: {subject}"),
        goal=_("Give kudos {n} times"), goal_one=_("Give kudos to another member"),
        received_goal=_("Receive kudos {n} times"), received_goal_one=_("Receive kudos"),
        subject=_("a message"), notify="target",
    ),
]  # fmt: skip


def title(message: str) -> str:
    """A kudos's message as the title of a subject: on one line, quoted, cut to :data:`TITLE_MAX`."""
    line = " ".join(message.split())
    if len(line) > TITLE_MAX:
        line = line[: TITLE_MAX - 1].rstrip() + "…"
    return gettext("“%(message)s”", message=line)


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``kudos:<id>`` → its message, quoted, linked to the kudos's page."""
    ids = [int(key[6:]) for key in keys if key.startswith("kudos:") and key[6:].isdigit() and len(key) < 16]
    if not ids:
        return None
    rows = gk.session.execute(sa.select(Kudos.id, Kudos.message).where(Kudos.id.in_(ids)))
    return {
        f"kudos:{kudos_id}": Subject(title(message), page_url("kudos_one", kudos_id=kudos_id))
        for kudos_id, message in rows
        if message  # an erased giver's message is gone: the type's words say "a message"
    }
