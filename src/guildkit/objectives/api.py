"""The objectives API, on the same ``api`` blueprint (``…/api/objectives``); see ``docs/objectives.md``.

==================================================  ===========================================
``GET /objectives``, ``GET /objectives/{id}``,      ``analytics.view`` (as the analytics): each
``GET /objectives/kpis``                            objective with where it stands today
``POST /objectives``, ``PATCH /objectives/{id}``,   ``objectives.manage`` (admins have it); every
``POST /objectives/{id}/archive``,                  change is in the audit log (area
``POST /objectives/{id}/restore``                   ``objectives``)
==================================================  ===========================================
"""

from __future__ import annotations

from typing import Any

from guildkit.definitions import shown
from guildkit.objectives.present import kpi_words, objective_out
from guildkit.objectives.schemas import KpiSchema, ObjectiveIn, ObjectivePatch, ObjectiveSchema, ObjectivesQuery
from guildkit.objectives.service import PERMISSION, VIEW, Objectives
from guildkit.objectives.views import ObjectiveView
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission
from guildkit.web.present import names

api = Routes("api")

TAGS = ("objectives",)
WRITE_ERRORS = (401, 403, 404, 409, 422)
view = permission(VIEW)
manage = permission(PERMISSION)


def _service() -> Objectives:
    service: Objectives = gk_instance().objectives
    return service


def _as(caller: Caller) -> dict[str, Any]:
    """Who acts, for the service: the person, or the token naming itself in the audit log."""
    if caller.user_id is not None:
        return {"by": caller.user_id}
    return {"by": None, "via": f"token:{caller.token.prefix}" if caller.token is not None else None}


def _out(objectives: list[ObjectiveView]) -> list[dict[str, Any]]:
    gk = gk_instance()
    standings = _service().standings(objectives)
    kpis, owners = kpi_words(gk), names(gk, {objective.owner for objective in objectives})
    return [objective_out(objective, standings[objective.id], kpis, owners) for objective in objectives]


@api.get("/objectives")
@endpoint(summary="Every community objective with where it stands: active first, then decided, then archived",
          query=ObjectivesQuery, response=ObjectiveSchema, many=True, allow=view, tags=TAGS)  # fmt: skip
def list_objectives(caller: Caller, query: dict[str, Any]) -> list[dict[str, Any]]:
    state = query["state"]
    return _out(_service().list(states=None if state is None else [state]))


@api.get("/objectives/kpis")
@endpoint(summary="The KPIs an objective can target, with their names and units", response=KpiSchema, many=True,
          allow=view, tags=TAGS)  # fmt: skip
def objective_kpis(caller: Caller) -> list[dict[str, Any]]:
    return [
        {"key": k.key, "name": shown(k.name), "description": shown(k.description), "unit": k.unit, "better": k.better}
        for k in _service().kpis()
    ]


@api.get("/objectives/<guildkit_id:objective_id>")
@endpoint(summary="One objective: progress, trend and whether it is on track", response=ObjectiveSchema, allow=view,
          tags=TAGS, errors=(404,))  # fmt: skip
def get_objective(caller: Caller, objective_id: int) -> dict[str, Any]:
    return _out([_service().get(objective_id)])[0]


@api.post("/objectives")
@endpoint(summary="Set an objective on a KPI (objectives.manage)", body=ObjectiveIn, response=ObjectiveSchema,
          status=201, allow=manage, tags=TAGS, errors=(401, 403, 422))  # fmt: skip
def create_objective(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return _out([_service().create(**_as(caller), **body)])[0]


@api.patch("/objectives/<guildkit_id:objective_id>")
@endpoint(summary="Change an active objective (objectives.manage); a new KPI or start captures the baseline again",
          body=ObjectivePatch, response=ObjectiveSchema, allow=manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def update_objective(caller: Caller, body: dict[str, Any], objective_id: int) -> dict[str, Any]:
    return _out([_service().update(objective_id=objective_id, **_as(caller), **body)])[0]


@api.post("/objectives/<guildkit_id:objective_id>/archive")
@endpoint(summary="Archive an objective (objectives.manage); a decided one keeps its outcome",
          response=ObjectiveSchema, allow=manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def archive_objective(caller: Caller, objective_id: int) -> dict[str, Any]:
    return _out([_service().archive(objective_id=objective_id, **_as(caller))])[0]


@api.post("/objectives/<guildkit_id:objective_id>/restore")
@endpoint(summary="Restore an archived objective (objectives.manage): met or missed as decided, else active",
          response=ObjectiveSchema, allow=manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def restore_objective(caller: Caller, objective_id: int) -> dict[str, Any]:
    return _out([_service().restore(objective_id=objective_id, **_as(caller))])[0]
