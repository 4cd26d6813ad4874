"""Seasons as the API and the pages show them: words, never slugs or rule names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from guildkit.i18n import gettext as _
from guildkit.seasons.views import SeasonView

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def state_labels() -> dict[str, str]:
    return {
        "upcoming": _("Upcoming"),
        "running": _("Running"),
        "ended": _("Ended, closing soon"),
        "closed": _("Closed"),
    }


def point_type_name(gk: GuildKit, slug: str) -> str:
    definition = gk.registry.point_types.get(slug)
    return str(definition.name) if definition is not None else slug


def badge_name(gk: GuildKit, season: SeasonView) -> str | None:
    if season.badge is None:
        return None
    definition = gk.registry.badges.get(season.badge)
    return str(definition.name) if definition is not None else season.award_reason


def season_out(gk: GuildKit, season: SeasonView, me: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "slug": season.slug,
        "name": season.name,
        "description": season.description,
        "point_type": season.point_type,
        "point_type_name": point_type_name(gk, season.point_type),
        "starts_at": season.starts_at,
        "ends_at": season.ends_at,
        "state": season.state,
        "top_n": season.top_n,
        "badge": season.badge,
        "badge_name": badge_name(gk, season),
        "defines_badge": season.defines_badge,
        "closed_at": season.closed_at,
        "awarded_at": season.awarded_at,
        "me": me,
    }
