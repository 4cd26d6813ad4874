"""How objectives read, on the pages and in the API: KPIs and states in words, values in their
unit and the reader's locale, the target as a sentence ("MAU at least 1,200 by Jun 30, 2026")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from guildkit.definitions import shown
from guildkit.i18n import format_date, format_number, format_percent, ngettext
from guildkit.i18n import gettext as _
from guildkit.objectives.progress import Standing
from guildkit.objectives.views import ObjectiveView

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def kpi_words(gk: GuildKit) -> dict[str, tuple[str, str, str]]:
    """Each KPI's key → (name, what it counts, unit), the words in the reader's language."""
    return {kpi.key: (shown(kpi.name), shown(kpi.description), kpi.unit) for kpi in gk.objectives.kpis()}


def unit_words() -> dict[str, str]:
    return {"count": _("a number of members"), "percent": _("a percentage, 0 to 100"), "hours": _("hours")}


def unit_names() -> dict[str, str]:
    """A unit after "in": "members", "percent", "hours"."""
    return {"count": _("members"), "percent": _("percent"), "hours": _("hours")}


def direction_words() -> dict[str, str]:
    return {"at_least": _("At least"), "at_most": _("At most")}


def state_words() -> dict[str, str]:
    return {"active": _("Active"), "met": _("Met"), "missed": _("Missed"), "archived": _("Archived")}


def outlook_words() -> dict[str, str]:
    return {
        "on_track": _("On track"), "off_track": _("Off track"), "not_enough_data": _("Not enough data yet"),
        "not_started": _("Not started"), "met": _("Met"), "missed": _("Missed"), "archived": _("Archived"),
    }  # fmt: skip


def amount(value: float | None, unit: str) -> str:
    """A KPI value in its unit, as the reader's locale writes it: "1,200", "35.5%", "4 h"."""
    if value is None:
        return "—"
    if unit == "percent":
        return format_percent(value / 100, "#,##0.##%")
    number = format_number(int(value) if value == int(value) else round(value, 2))
    return _("%(hours)s h", hours=number) if unit == "hours" else number


def target_sentence(kpi_name: str, direction: str, target: float, unit: str, due_on: date) -> str:
    """ "MAU at least 1,200 by Jun 30, 2026"."""
    values = {"kpi": kpi_name, "target": amount(target, unit), "due": format_date(due_on)}
    if direction == "at_most":
        return _("%(kpi)s at most %(target)s by %(due)s", **values)
    return _("%(kpi)s at least %(target)s by %(due)s", **values)


def trend_description(kpi_name: str, standing: Standing, target: float, unit: str) -> str:
    """The sparkline's text alternative: where the trend starts and ends, and the target."""
    measured = [(day, value) for day, value in standing.trend if value is not None]
    if not measured:
        return _("No readings of %(kpi)s yet; the target is %(target)s.", kpi=kpi_name, target=amount(target, unit))
    (first_day, first), (last_day, last) = measured[0], measured[-1]
    return ngettext(
        "%(kpi)s: %(first)s on %(start)s, %(last)s on %(end)s (%(num)s reading); the target is %(target)s.",
        "%(kpi)s: %(first)s on %(start)s, %(last)s on %(end)s (%(num)s readings); the target is %(target)s.",
        len(measured),
        kpi=kpi_name, first=amount(first, unit), start=format_date(first_day), last=amount(last, unit),
        end=format_date(last_day), target=amount(target, unit),
    )  # fmt: skip


def standing_out(standing: Standing) -> dict[str, Any]:
    return {
        "current": standing.current, "as_of": standing.as_of, "progress": standing.progress,
        "reached": standing.reached, "projected": standing.projected, "outlook": standing.outlook,
        "trend": [{"day": day, "value": value} for day, value in standing.trend],
    }  # fmt: skip


def objective_out(
    objective: ObjectiveView,
    standing: Standing | None,
    kpis: Mapping[str, tuple[str, str, str]],
    owners: Mapping[str, str],
) -> dict[str, Any]:
    """The API's view of one objective (with where it stands, when read); ``owners``: names by user id."""
    name, _description, unit = kpis.get(objective.kpi, (objective.kpi, "", ""))
    return {
        "id": objective.id, "title": objective.title, "notes": objective.notes, "kpi": objective.kpi,
        "kpi_name": name, "unit": unit, "direction": objective.direction, "target": objective.target,
        "starts_on": objective.starts_on, "due_on": objective.due_on, "baseline": objective.baseline,
        "baseline_at": objective.baseline_at, "state": objective.state, "outcome": objective.outcome,
        "final_value": objective.final_value, "decided_at": objective.decided_at, "owner": objective.owner,
        "owner_name": owners.get(objective.owner, objective.owner),
        "created_by": objective.created_by, "created_at": objective.created_at, "updated_at": objective.updated_at,
        "standing": None if standing is None else standing_out(standing),
    }  # fmt: skip
