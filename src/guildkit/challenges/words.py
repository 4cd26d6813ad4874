"""What members read about a challenge's reward, and challenges as subjects (``challenge:<id>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.challenges.models import Challenge
from guildkit.challenges.rewards import COMPLETED
from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.i18n import lazy_gettext as _
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

PREFIX = "challenge:"

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        COMPLETED, _("Challenge completed"),
        actor=_("You completed the challenge {subject}"), public=_("{actor} completed the challenge {subject}"),
        goal=_("Complete {n} challenges"), goal_one=_("Complete a challenge"), subject=_("a challenge"),
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``challenge:<id>`` → the challenge's title, linked to its page."""
    ids = [int(key[len(PREFIX) :]) for key in keys if key.startswith(PREFIX) and key[len(PREFIX) :].isdigit()]
    if not ids:
        return None
    rows = gk.session.execute(sa.select(Challenge.id, Challenge.title).where(Challenge.id.in_(ids)))
    return {
        f"{PREFIX}{challenge_id}": Subject(title, page_url("challenge", challenge_id=challenge_id))
        for challenge_id, title in rows
    }
