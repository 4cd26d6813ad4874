"""Objective pages, on the same ``pages`` blueprint as the analytics pages (``docs/objectives.md``).

======================================  ==========================================================
``/analytics/objectives``               every objective: progress, on track or not, the trend
``/analytics/objectives/<id>``          one objective: its numbers, its trend as a chart and table
``/analytics/objectives/new``           set an objective (``objectives.manage``)
``/analytics/objectives/<id>/edit``     change an active one; archive or restore one (the same)
======================================  ==========================================================

Reading needs ``analytics.view``, as the analytics pages do. The analytics dashboard shows the
active objectives in its ``"analytics"`` slot (``_dashboard.html``), from ``gk_objectives()``.
Forms post to their own URLs with the CSRF token; a refused form comes back with every bad field
named at once (422, :mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from babel import numbers
from flask import redirect, render_template, request, url_for

from guildkit import errors, i18n
from guildkit.extension import GuildKit
from guildkit.i18n import format_date, format_percent
from guildkit.i18n import gettext as _
from guildkit.objectives.errors import UnknownObjective
from guildkit.objectives.present import (
    amount,
    direction_words,
    kpi_words,
    outlook_words,
    state_words,
    target_sentence,
    trend_description,
    unit_names,
    unit_words,
)
from guildkit.objectives.progress import Standing
from guildkit.objectives.service import NOTES_MAX, PERMISSION, TITLE_MAX, VIEW, Objectives
from guildkit.objectives.sparkline import sparkline
from guildkit.objectives.views import ObjectiveView
from guildkit.routes import Routes
from guildkit.web import charts, csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page
from guildkit.web.present import names

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
LIMITS = {"title": TITLE_MAX, "notes": NOTES_MAX, "target": 30}
#: The most active objectives the dashboard shows (the list page has them all).
ON_DASHBOARD = 6


def labels() -> dict[str, str]:
    """The form's fields, in the order it shows them."""
    return {
        "title": _("Title"), "kpi": _("KPI"), "direction": _("Direction"), "target": _("Target"),
        "starts_on": _("Start date"), "due_on": _("Due date"), "owner": _("Owner"), "notes": _("Notes"),
    }  # fmt: skip


def objective_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the objectives' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownObjective:
            return error_page(404, _("No such objective"), _("There is no objective here."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except errors.InvalidTransition as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _viewer() -> None:
    """Only those who may see the analytics get past (401, 403 otherwise)."""
    who = caller()
    if not who.is_person:
        raise PageError(
            401, _("Sign in to see the objectives"), _("The community objectives ask you to sign in first.")
        )
    if not (who.active and who.can(VIEW)):
        raise PageError(403, _("Not allowed"), _("Only community managers may see the community objectives."))


def _manager() -> str:
    """The signed-in member managing objectives; else a 401 or 403 page."""
    _viewer()
    who = caller()
    if not who.can(PERMISSION) or who.user_id is None:
        raise PageError(403, _("Not allowed"), _("Setting objectives needs the permission to manage them."))
    return who.user_id


def _can_manage() -> bool:
    who = caller()
    return who.user_id is not None and who.active and who.can(PERMISSION)


# -- what a page shows of an objective -------------------------------------------------------


def cards(gk: GuildKit, objectives: Sequence[ObjectiveView]) -> list[dict[str, Any]]:
    """Each objective as the list and the dashboard show it: words, numbers and its sparkline."""
    standings = gk.objectives.standings(objectives)
    kpis, outlooks = kpi_words(gk), outlook_words()
    owners = names(gk, {o.owner for o in objectives})
    return [_card(o, standings[o.id], kpis, outlooks, owners) for o in objectives]


def _card(
    objective: ObjectiveView,
    standing: Standing,
    kpis: dict[str, tuple[str, str, str]],
    outlooks: dict[str, str],
    owners: dict[str, str],
) -> dict[str, Any]:
    name, description, unit = kpis.get(objective.kpi, (objective.kpi, "", "count"))
    percent = None if standing.progress is None else round(standing.progress * 100)
    return {
        "id": objective.id,
        "title": objective.title,
        "state": objective.state,
        "kpi_name": name,
        "kpi_description": description,
        "sentence": target_sentence(name, objective.direction, objective.target, unit, objective.due_on),
        "outlook": standing.outlook,
        "outlook_text": outlooks[standing.outlook],
        "percent": percent,
        "percent_text": None if standing.progress is None else format_percent(standing.progress),
        "current": amount(standing.current, unit),
        "as_of": standing.as_of,
        "baseline": amount(objective.baseline, unit),
        "projected": None if standing.projected is None else amount(_shown(standing.projected, unit), unit),
        "target": amount(objective.target, unit),
        "due_on": objective.due_on,
        "starts_on": objective.starts_on,
        "owner": objective.owner,
        "owner_name": owners.get(objective.owner, objective.owner),
        "sparkline": sparkline(
            f"gk-trend-{objective.id}",
            _("Trend of %(kpi)s for “%(title)s”", kpi=name, title=objective.title),
            trend_description(name, standing, objective.target, unit),
            standing.trend,
            objective.target,
        )
        if standing.trend
        else None,
        "standing": standing,
        "objective": objective,
        "unit": unit,
    }


def _shown(value: float, unit: str) -> float:
    """A projection as a page shows it: whole members, hours and percentages to one decimal."""
    return float(round(value)) if unit == "count" else round(value, 1)


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_objectives": dashboard}


def dashboard() -> dict[str, Any]:
    """What the analytics dashboard's objectives section shows (read once per page)."""
    gk = gk_instance()
    active = gk.objectives.list(states=["active"])
    return {"cards": cards(gk, active[:ON_DASHBOARD]), "more": max(0, len(active) - ON_DASHBOARD),
            "can_manage": _can_manage()}  # fmt: skip


# -- reading -------------------------------------------------------------------------------


@pages.get("/analytics/objectives")
@objective_page
def objectives() -> Any:
    _viewer()
    gk = gk_instance()
    found = gk.objectives.list()
    shown = cards(gk, [o for o in found if o.state != "archived"])
    archived = cards(gk, [o for o in found if o.state == "archived"])
    return render_template(
        "guildkit/objectives/list.html",
        active=[c for c in shown if c["state"] == "active"],
        decided=[c for c in shown if c["state"] != "active"],
        archived=archived,
        any_objective=bool(found),
        can_manage=_can_manage(),
        done=request.args.get("done"),
    )


@pages.get("/analytics/objectives/<guildkit_id:objective_id>")
@objective_page
def objective(objective_id: int) -> Any:
    _viewer()
    gk = gk_instance()
    card = cards(gk, [gk.objectives.get(objective_id)])[0]
    standing: Standing = card["standing"]
    trend = [(day, value) for day, value in standing.trend]
    chart = (
        charts.line_chart(
            "gk-chart-objective",
            _("%(kpi)s since the start", kpi=card["kpi_name"]),
            trend_description(card["kpi_name"], standing, card["objective"].target, card["unit"]),
            [format_date(day) for day, _value in trend],
            [(_("Readings"), [value for _day, value in trend]),
             (_("Target"), [card["objective"].target] * len(trend))],
            y_label=card["kpi_name"],
            x_label=_("Reading"),
        )
        if trend
        else None
    )  # fmt: skip
    return render_template(
        "guildkit/objectives/objective.html",
        card=card,
        chart=chart,
        readings=[(day, amount(value, card["unit"])) for day, value in reversed(trend)],
        state_text=state_words()[card["state"]],
        direction_text=direction_words()[card["objective"].direction],
        can_manage=_can_manage(),
        done=request.args.get("done"),
    )


# -- managing ------------------------------------------------------------------------------


def _values(gk: GuildKit, objective: ObjectiveView | None, user_id: str) -> dict[str, Any]:
    if objective is None:
        today = gk.objectives.today()
        return {"direction": "at_least", "starts_on": today.isoformat(), "owner": user_id}
    target = objective.target
    return {
        "title": objective.title, "notes": objective.notes, "kpi": objective.kpi, "direction": objective.direction,
        "target": i18n.format_number(int(target) if target == int(target) else target),
        "starts_on": objective.starts_on.isoformat(), "due_on": objective.due_on.isoformat(),
        "owner": objective.owner,
    }  # fmt: skip


def _number(form: Form, name: str) -> float | None:
    """A number as the reader's locale writes it ("1,200", "4.5"; "4,5" in German); ``None`` when refused."""
    text = form.text(name).strip()
    try:
        if not text or len(text) > LIMITS[name]:
            raise numbers.NumberFormatError(name)
        value = numbers.parse_decimal(text, locale=i18n.current_locale())
        if not value.is_finite():
            raise numbers.NumberFormatError(name)
    except numbers.NumberFormatError:
        form.add(name, _("%(field)s must be a number", field=name))
        return None
    return float(value)


def _fields(form: Form) -> dict[str, Any]:
    """The service's fields from the form; a field that cannot be read is refused on the form and
    given as ``None``."""
    return {
        "title": form.text("title"), "notes": form.text("notes"), "kpi": form.text("kpi"),
        "direction": form.text("direction"), "target": _number(form, "target"),
        "starts_on": form.day("starts_on"), "due_on": form.day("due_on"), "owner": form.text("owner") or None,
    }  # fmt: skip


def _render_form(gk: GuildKit, objective: ObjectiveView | None, form: Form, status: int = 200) -> tuple[str, int]:
    kpis, units = kpi_words(gk), unit_words()
    ids = [user_id for user_id, _name in gk.objectives.owners()]
    typed = form.values.get("owner")
    if typed and typed not in ids:
        ids.append(typed)  # kept as chosen, for the form to say why it is refused
    known = names(gk, ids)
    owners = [(user_id, known.get(user_id, user_id)) for user_id in ids]
    html = render_template(
        "guildkit/objectives/form.html",
        objective=objective,
        form=form,
        kpis=[
            (key, _("%(kpi)s, in %(unit)s", kpi=name, unit=unit_names()[unit]))
            for key, (name, _d, unit) in kpis.items()
        ],
        kpi_notes=[(name, description, units[unit]) for name, description, unit in kpis.values()],
        directions=list(direction_words().items()),
        owners=owners,
        zone=gk.state.zone.key if hasattr(gk.state.zone, "key") else str(gk.state.zone),
        today=gk.objectives.today(),
    )
    return html, status


def _submit(gk: GuildKit, objective: ObjectiveView | None, user_id: str,
            save: Callable[[dict[str, Any]], ObjectiveView]) -> Any:  # fmt: skip
    service: Objectives = gk.objectives
    form = Form.posted(labels(), limits=LIMITS)
    fields = _fields(form)
    checked = (lambda: service.check(user_id, **fields)) if objective is None else (
        lambda: service.check(objective_id=objective.id, **fields))  # fmt: skip
    saved = form.submit(lambda: save(fields), check=checked)
    if saved is None:
        return _render_form(gk, objective, form, status=422)
    return redirect(url_for(".objective", objective_id=saved.id, done="saved"), code=303)


@pages.route("/analytics/objectives/new", methods=["GET", "POST"])
@objective_page
def objective_new() -> Any:
    gk = gk_instance()
    user_id = _manager()
    if request.method == "GET":
        return _render_form(gk, None, Form(labels(), _values(gk, None, user_id), limits=LIMITS))
    csrf.check()
    return _submit(gk, None, user_id, lambda fields: gk.objectives.create(user_id, **fields))


@pages.route("/analytics/objectives/<guildkit_id:objective_id>/edit", methods=["GET", "POST"])
@objective_page
def objective_edit(objective_id: int) -> Any:
    gk = gk_instance()
    user_id = _manager()
    current = gk.objectives.get(objective_id)
    if request.method == "GET":
        return _render_form(gk, current, Form(labels(), _values(gk, current, user_id), limits=LIMITS))
    csrf.check()
    return _submit(gk, current, user_id, lambda fields: gk.objectives.update(user_id, objective_id, **fields))


@pages.post("/analytics/objectives/<guildkit_id:objective_id>/archive")
@objective_page
def objective_archive(objective_id: int) -> Any:
    csrf.check()
    gk_instance().objectives.archive(_manager(), objective_id)
    return redirect(url_for(".objective", objective_id=objective_id, done="archived"), code=303)


@pages.post("/analytics/objectives/<guildkit_id:objective_id>/restore")
@objective_page
def objective_restore(objective_id: int) -> Any:
    csrf.check()
    gk_instance().objectives.restore(_manager(), objective_id)
    return redirect(url_for(".objective", objective_id=objective_id, done="restored"), code=303)
