"""Kudos as the API and the pages show them: the members by name and picture, the points the
receiver earned (to the receiver and to staff who read members' private history only), words
never slugs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import flair
from guildkit.definitions import shown
from guildkit.kudos.views import KudosView
from guildkit.models import Member
from guildkit.web.auth import Caller

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: Who may read what a kudos earned its receiver, besides the receiver: the points history is private.
READ_PRIVATE = "members.read_private"


def people(gk: GuildKit, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each member's ``user_id``, ``name`` (their display name, else the host's) and
    ``avatar_url`` (the host's picture, if any): one query, one call of the host's loader."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    query = sa.select(Member.user_id, Member.display_name).where(Member.user_id.in_(wanted))
    stored: dict[str, str | None] = dict(gk.session.execute(query).all())
    infos = gk.user_infos(wanted)
    found = {
        user_id: {
            "user_id": user_id,
            "name": stored.get(user_id) or infos[user_id].name,
            "avatar_url": infos[user_id].avatar_url,
        }
        for user_id in wanted
    }
    flair.attach(gk, found.values())  # what they show after their names, asked once for the page
    return found


def sees_points(caller: Caller, view: KudosView) -> bool:
    return caller.active and (caller.is_self(view.receiver) or caller.can(READ_PRIVATE))


def kudos_out(gk: GuildKit, views: Sequence[KudosView], caller: Caller) -> list[dict[str, Any]]:
    """The kudos, each with ``giver`` and ``receiver`` as people and ``points`` (``None`` for
    whoever may not see them)."""
    found = people(gk, {v.giver for v in views} | {v.receiver for v in views})
    point_types = gk.registry.point_types
    out = []
    for view in views:
        points = None
        if sees_points(caller, view):
            points = [
                {
                    "point_type": slug,
                    "name": shown(point_types[slug].name) if slug in point_types else slug,
                    "amount": amount,
                }
                for slug, amount in view.points
            ]
        out.append(
            {
                "id": view.id,
                "giver": found[view.giver],
                "receiver": found[view.receiver],
                "message": view.message,
                "given_at": view.given_at,
                "points": points,
                "duplicate": view.duplicate,
            }
        )
    return out
