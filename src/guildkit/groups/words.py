"""What members read about group activities, and groups as subjects (``group:<id>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.groups.models import Group
from guildkit.i18n import lazy_gettext as _
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        "groups.joined", _("Joined a group"),
        actor=_("You joined {subject}"), public=_("{actor} joined {subject}"),
        goal=_("Join {n} groups"), goal_one=_("Join a group"), subject=_("a group"),
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``group:<id>`` → the group's name, linked to its page."""
    ids = [int(key[6:]) for key in keys if key.startswith("group:") and key[6:].isdigit()]
    if not ids:
        return None
    rows = gk.session.execute(sa.select(Group.id, Group.name, Group.slug).where(Group.id.in_(ids)))
    return {f"group:{group_id}": Subject(name, page_url("group", group=slug)) for group_id, name, slug in rows}
