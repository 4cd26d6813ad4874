"""Challenges as the API and the pages show them: words, never activity types or slugs alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from guildkit import flair
from guildkit.challenges import group_service
from guildkit.challenges.views import ChallengeView, ParticipantView
from guildkit.definitions import shown
from guildkit.i18n import gettext as _
from guildkit.metrics import Count
from guildkit.web.pages import page_url
from guildkit.words import Words

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def cursor_key(key: list[Any]) -> tuple[datetime, int]:
    """A page cursor's ``[iso datetime, id]`` as the key the reads take; ``ValueError`` when it is
    not one this feature gave out (an answer of 400)."""
    at, last = key
    if not isinstance(last, int) or isinstance(last, bool) or not isinstance(at, str):
        raise ValueError(key)
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        raise ValueError(key)
    return moment, last


def state_labels() -> dict[str, str]:
    return {"upcoming": _("Upcoming"), "running": _("Running"), "finished": _("Finished")}


def goal(gk: GuildKit, activity_type: str, count: int) -> str:
    """What a step asks, in words: "Answer 5 questions" (from the activity type's words)."""
    return Words(gk.registry).goal(Count(activity_type, "actor"), count)


def point_type_name(gk: GuildKit, slug: str | None) -> str | None:
    if slug is None:
        return None
    definition = gk.registry.point_types.get(slug)
    return shown(definition.name) if definition is not None else slug


def badge_name(gk: GuildKit, slug: str | None) -> str | None:
    if slug is None:
        return None
    definition = gk.registry.badges.get(slug)
    return shown(definition.name) if definition is not None else None


def group_out(gk: GuildKit, group_id: int | None) -> dict[str, Any] | None:
    if group_id is None:
        return None
    found = group_service.view(gk, group_id)
    if found is None:
        return {"id": group_id, "name": _("A group"), "url": None}
    return {"id": group_id, "name": found.name, "url": getattr(found, "url", None)}


def challenge_out(gk: GuildKit, challenge: ChallengeView, me: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": challenge.id,
        "title": challenge.title,
        "description": challenge.description,
        "starts_at": challenge.starts_at,
        "ends_at": challenge.ends_at,
        "state": challenge.state,
        "state_name": state_labels()[challenge.state],
        "audience": challenge.audience,
        "group": group_out(gk, challenge.group_id),
        "ordered": challenge.ordered,
        "steps": [
            {
                "position": s.position,
                "activity_type": s.activity_type,
                "count": s.count,
                "goal": goal(gk, s.activity_type, s.count),
            }
            for s in challenge.steps
        ],
        "reward_points": challenge.reward_points,
        "reward_point_type": challenge.reward_point_type,
        "reward_point_type_name": point_type_name(gk, challenge.reward_point_type),
        "badge": challenge.badge,
        "badge_name": badge_name(gk, challenge.badge),
        "recurrence": challenge.recurrence,
        "series_id": challenge.series_id,
        "previous_id": challenge.previous_id,
        "joined": challenge.joined,
        "completed": challenge.completed,
        "closed_at": challenge.closed_at,
        "url": page_url("challenge", challenge_id=challenge.id),
        "me": me,
    }


def participation_out(gk: GuildKit, participant: ParticipantView) -> dict[str, Any]:
    """A participant with each step's count, for the member taking part (or their group)."""
    return {
        **participant_out(gk, participant, {}),
        "steps": [
            {
                "position": s.position,
                "goal": goal(gk, s.activity_type, s.target),
                "count": s.count,
                "target": s.target,
                "done": s.done,
                "open": s.open,
                "percent": 100 * s.count // s.target if s.target else 100,
            }
            for s in participant.steps
        ],
    }


def participant_out(gk: GuildKit, participant: ParticipantView, avatars: dict[str, str | None]) -> dict[str, Any]:
    return {
        "id": participant.id,
        "user_id": participant.user_id,
        "name": participant.name or (gk.user_info(participant.user_id).name if participant.user_id else None),
        "avatar_url": avatars.get(participant.user_id or ""),
        "group": group_out(gk, participant.group_id),
        "joined_at": participant.joined_at,
        "steps_done": participant.steps_done,
        "steps_total": participant.steps_total,
        "completed_at": participant.completed_at,
    }


def participants_out(gk: GuildKit, found: Iterable[ParticipantView]) -> list[dict[str, Any]]:
    """Participants with their names and pictures, the host asked once for all of them."""
    found = list(found)
    infos = gk.user_infos(p.user_id for p in found if p.user_id is not None)
    avatars = {user_id: info.avatar_url for user_id, info in infos.items()}
    out = []
    for p in found:
        row = participant_out(gk, p, avatars)
        if p.user_id is not None and not p.name:
            row["name"] = infos[p.user_id].name
        out.append(row)
    flair.attach(gk, [row for row in out if row["user_id"]])  # asked once, when the page shows them
    return out
