"""The analytics JSON API and its CSV downloads, on the same ``api`` blueprint (``docs/analytics.md``).

Every KPI takes ``start`` and ``end`` (local dates, ``end`` included) and ``bucket`` (``day``,
``week``, ``month``) and needs ``analytics.view`` (``admin`` has it):

==========================================  ========================================================
``GET /analytics/growth``                   new and total members per bucket
``GET /analytics/activity``                 active, engagement rate, contributors, volume by type
``GET /analytics/actives``                  DAU, WAU, MAU and stickiness as of ``end``
``GET /analytics/retention``                weekly cohorts: active n weeks after joining
``GET /analytics/churn``                    churned and at-risk members as of ``end``, with lists
``GET /analytics/first-response``           newcomers' time to a first reply
``GET /analytics/engagement-levels``        Orbit-style levels by weighted activity
``GET /analytics/recognition``              points issued and reversed, badge awards, rarity
``GET /analytics/programmes``               mentorship, events and moderation per bucket
``GET /analytics/{name}.csv``               the same numbers as CSV (and ``badge-rarity.csv``)
``GET /analytics/surveys``                  every survey's results, oldest first
``POST /analytics/surveys``                 open a survey (``surveys.manage``)
``GET /analytics/surveys/{id}``             one survey's results
``POST /analytics/surveys/{id}/close``      close an open survey now (``surveys.manage``)
``GET /me/surveys``                         surveys open to the signed-in person, not yet answered
``POST /surveys/{id}/responses``            answer a survey (a signed-in person, once)
==========================================  ========================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response

from guildkit.analytics import VIEW, Analytics
from guildkit.analytics.periods import Range
from guildkit.analytics.schemas import (
    ActivesSchema,
    ActivitySchema,
    AnswerIn,
    AnswerSchema,
    ChurnSchema,
    FirstResponseSchema,
    GrowthSchema,
    LevelsSchema,
    ProgrammesSchema,
    RangeQuery,
    RecognitionSchema,
    RetentionSchema,
    SurveyHistoryQuery,
    SurveyIn,
    SurveyResultsSchema,
    SurveySchema,
)
from guildkit.analytics.surveys import MANAGE
from guildkit.analytics.tables import Table
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person
from guildkit.web.errors import ApiError

api = Routes("api")

TAGS = ("analytics",)
viewer = permission(VIEW)
manager = permission(MANAGE)

#: Each KPI: its JSON (``out()``) and its CSV table come from the same result.
KPIS: dict[str, Callable[[Analytics, Range], Any]] = {
    "growth": Analytics.growth,
    "activity": Analytics.activity,
    "actives": Analytics.actives,
    "retention": Analytics.retention,
    "churn": Analytics.churn,
    "first-response": Analytics.first_response,
    "engagement-levels": Analytics.levels,
    "recognition": Analytics.recognition,
    "programmes": Analytics.programmes,
}


def kpi_range(query: dict[str, Any]) -> Range:
    rng: Range = gk_instance().analytics.range(query["start"], query["end"], query["bucket"])
    return rng


def kpi_table(name: str, rng: Range) -> Table:
    """The CSV table of KPI ``name`` (``badge-rarity``: the rarity table of ``recognition``)."""
    analytics = gk_instance().analytics
    if name == "badge-rarity":
        rarity: Table = analytics.recognition(rng).rarity_table()
        return rarity
    table: Table = KPIS[name](analytics, rng).table()
    return table


def csv_response(table: Table, name: str, rng: Range) -> Response:
    filename = f"{name}-{rng.start}-{rng.end}-{rng.bucket}.csv"
    return Response(
        table.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _kpi_view(name: str, schema: type, summary: str) -> None:
    def view(caller: Caller, query: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = KPIS[name](gk_instance().analytics, kpi_range(query)).out()
        return result

    view.__name__ = "analytics_" + name.replace("-", "_")
    api.add_url_rule(
        f"/analytics/{name}",
        view.__name__,
        endpoint(summary=summary, query=RangeQuery, response=schema, allow=viewer, tags=TAGS, errors=(401, 403))(view),
        methods=["GET"],
    )


_kpi_view("growth", GrowthSchema, "Membership growth: new and total members per bucket")
_kpi_view("activity", ActivitySchema, "Active members, engagement rate, contributors and activity by type")
_kpi_view("actives", ActivesSchema, "DAU, WAU, MAU and stickiness as of the range's last day")
_kpi_view("retention", RetentionSchema, "Weekly cohort retention: members active n weeks after joining")
_kpi_view("churn", ChurnSchema, "Churned and at-risk members as of the range's last day")
_kpi_view("first-response", FirstResponseSchema, "Newcomers' time to a first response")
_kpi_view("engagement-levels", LevelsSchema, "Orbit-style engagement levels by weighted activity")
_kpi_view("recognition", RecognitionSchema, "Points issued and reversed, badge awards and badge rarity")
_kpi_view("programmes", ProgrammesSchema, "Mentorship, events and moderation per bucket")


@api.get("/analytics/<name>.csv")
@endpoint(
    summary="The numbers of one KPI as CSV (name: a KPI above, or badge-rarity)",
    query=RangeQuery,
    allow=viewer,
    media_type="text/csv",
    tags=TAGS,
    errors=(401, 403, 404),
)
def analytics_csv(caller: Caller, query: dict[str, Any], name: str) -> Response:
    if name not in KPIS and name != "badge-rarity":
        raise ApiError(404, f"no KPI named {name!r}", code="not_found")
    rng = kpi_range(query)
    return csv_response(kpi_table(name, rng), name, rng)


# -- surveys ------------------------------------------------------------------------------------


@api.get("/analytics/surveys")
@endpoint(
    summary="Every survey's results, oldest first (satisfaction over time)",
    query=SurveyHistoryQuery,
    response=SurveyResultsSchema,
    many=True,
    allow=viewer,
    tags=TAGS,
    errors=(401, 403),
)
def survey_history(caller: Caller, query: dict[str, Any]) -> list[dict[str, Any]]:
    return [r.out() for r in gk_instance().analytics.surveys.history(query["kind"])]


@api.post("/analytics/surveys")
@endpoint(
    summary="Open a satisfaction survey (CSAT or NPS) for a period",
    body=SurveyIn,
    response=SurveySchema,
    status=201,
    allow=manager,
    tags=TAGS,
    errors=(401, 403, 422),
)
def open_survey(caller: Caller, body: dict[str, Any]) -> Any:
    return gk_instance().analytics.surveys.open(caller.user_id, **body)


@api.get("/analytics/surveys/<guildkit_id:survey_id>")
@endpoint(
    summary="One survey's results: CSAT or NPS, mean, counts per score",
    response=SurveyResultsSchema,
    allow=viewer,
    tags=TAGS,
    errors=(401, 403, 404),
)
def survey_results(caller: Caller, survey_id: int) -> dict[str, Any]:
    results: dict[str, Any] = gk_instance().analytics.surveys.results(survey_id).out()
    return results


@api.post("/analytics/surveys/<guildkit_id:survey_id>/close")
@endpoint(
    summary="Close an open survey now",
    response=SurveySchema,
    allow=manager,
    tags=TAGS,
    errors=(401, 403, 404, 409),
)
def close_survey(caller: Caller, survey_id: int) -> Any:
    return gk_instance().analytics.surveys.close(caller.user_id, survey_id)


@api.get("/me/surveys")
@endpoint(
    summary="Surveys open to you that you have not answered yet",
    response=SurveySchema,
    many=True,
    allow=person,
    tags=TAGS,
    errors=(401, 403),
)
def my_surveys(caller: Caller) -> Any:
    assert caller.user_id is not None
    return gk_instance().analytics.surveys.open_for(caller.user_id)


@api.post("/surveys/<guildkit_id:survey_id>/responses")
@endpoint(
    summary="Answer an open survey (once)",
    body=AnswerIn,
    response=AnswerSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def answer_survey(caller: Caller, survey_id: int, body: dict[str, Any]) -> Any:
    assert caller.user_id is not None
    return gk_instance().analytics.surveys.respond(caller.user_id, survey_id, body["score"], body["comment"])
