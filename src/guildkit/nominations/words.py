"""What members read about nomination activities, and nominations as subjects (``nomination:<id>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.i18n import gettext
from guildkit.i18n import lazy_gettext as _
from guildkit.nominations.badges import badge_name
from guildkit.nominations.models import Nomination
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

PREFIX = "nomination:"

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        "nomination.approved", _("Nomination approved"),
        actor=_("Your nomination of {target} was approved"),
        target=_("You were nominated by {actor}, and the nomination was approved"),
        public=_("{target} was nominated by {actor}, and the nomination was approved"),
        goal=_("Nominate {n} members whose nominations are approved"),
        goal_one=_("Nominate a member whose nomination is approved"),
        subject=_("a nomination"),
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``nomination:<id>`` → "Nomination for Helper", linked to the nomination's page."""
    ids = [int(key[len(PREFIX) :]) for key in keys if key.startswith(PREFIX) and key[len(PREFIX) :].isdigit()]
    if not ids:
        return None
    rows = gk.session.execute(
        sa.select(Nomination.id, Nomination.badge, Nomination.level).where(Nomination.id.in_(ids))
    )
    return {
        f"{PREFIX}{nomination_id}": Subject(
            gettext("Nomination for %(badge)s", badge=badge_name(gk, badge, level)),
            page_url("nomination", nomination_id=nomination_id),
        )
        for nomination_id, badge, level in rows
    }
