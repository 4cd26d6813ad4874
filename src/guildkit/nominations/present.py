"""Nominations as the API and the pages show them: people by name, badges and states in words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from guildkit.definitions import shown
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.nominations.badges import badge_name
from guildkit.nominations.service import decides
from guildkit.nominations.views import NominationView
from guildkit.web.present import names

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def state_labels() -> dict[str, str]:
    return {
        "pending": _("Waiting for approvals"),
        "approved": _("Approved"),
        "rejected": _("Not approved"),
        "withdrawn": _("Withdrawn"),
        "expired": _("Expired"),
    }


def state_words(view: NominationView) -> str:
    """Where the nomination stands, as a sentence ("1 of 2 approvals so far")."""
    state = view.state
    if state == "pending":
        return _(
            "%(num)s of %(needed)s approvals so far.",
            num=format_number(view.approvals),
            needed=format_number(view.needed),
        )
    said = {
        "approved": _("The badge was awarded."),
        "rejected": _("An approver rejected it."),
        "withdrawn": _("The member who made it took it back."),
        "expired": _("It did not have the approvals it needed in time."),
    }
    return said[state]


def role_name(gk: GuildKit, role: str) -> str:
    definition = gk.registry.roles.get(role)
    return shown(definition.name) if definition is not None else role


def nominations_out(gk: GuildKit, views: Iterable[NominationView], viewer: str | None = None) -> list[dict[str, Any]]:
    """Each nomination as a dict, the names of everyone in them looked up at once."""
    views = list(views)
    people = names(
        gk, {u for v in views for u in (v.nominee, v.nominator, v.decided_by, *(x.approver for x in v.votes)) if u}
    )
    return [_out(gk, view, people, viewer) for view in views]


def nomination_out(gk: GuildKit, view: NominationView, viewer: str | None = None) -> dict[str, Any]:
    return nominations_out(gk, [view], viewer)[0]


def _out(gk: GuildKit, view: NominationView, people: dict[str, str], viewer: str | None) -> dict[str, Any]:
    def person(user_id: str | None) -> dict[str, str] | None:
        return None if user_id is None else {"user_id": user_id, "name": people.get(user_id, user_id)}

    state = view.state
    return {
        "id": view.id,
        "nominee": person(view.nominee),
        "nominator": person(view.nominator),
        "badge": view.badge,
        "level": view.level,
        "badge_name": badge_name(gk, view.badge, view.level),
        "reason": view.reason,
        "state": state,
        "state_label": state_labels()[state],
        "state_words": state_words(view),
        "approvals": view.approvals,
        "needed": view.needed,
        "role": view.role,
        "role_name": role_name(gk, view.role),
        "created_at": view.created_at,
        "expires_at": view.expires_at,
        "decided_at": view.decided_at,
        "decided_by": person(view.decided_by),
        "withdraw_reason": view.withdraw_reason,
        "award_key": view.award_key,
        "votes": [
            {"approver": person(v.approver), "decision": v.decision, "reason": v.reason, "at": v.at} for v in view.votes
        ],
        "may_decide": bool(viewer) and decides(gk, view, viewer),
        "may_withdraw": state == "pending" and viewer == view.nominator,
    }
