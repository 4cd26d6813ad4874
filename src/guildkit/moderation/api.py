"""The moderation JSON API, on the same ``api`` blueprint as the rest (``docs/moderation.md``).

================================================  ===============================================
``POST /reports``                                 report a member's content (a signed-in person)
``GET /moderation/cases``                         the queue: open cases, most severe first
                                                  (``members.manage``)
``GET /moderation/cases/{case_id}``               a case with its reports and private notes
``POST /moderation/cases/{case_id}/assign``       assign the case to yourself
``POST /moderation/cases/{case_id}/notes``        add a private note
``POST /moderation/cases/{case_id}/resolve``      resolve with an action and a reason
``GET /moderation/audit``                         the audit log, newest first
``GET /me/sanctions``                             your own warnings and sanctions (also when
                                                  suspended or banned)
``POST /moderation/cases/{case_id}/mediation``    start a mediation (``members.manage``)
``GET /mediations/{id}``                          a mediation: its parties, mediator, moderators
``POST /mediations/{id}/statements``              a statement by one of them
``POST /mediations/{id}/agree``                   the mediator records the outcome
``POST /mediations/{id}/abandon``                 close without agreement (``members.manage``)
``GET /me/mediations``                            your mediations as a party
``POST /me/appeals`` / ``GET /me/appeals``        appeal an action once; your appeals (also when
                                                  suspended or banned)
``GET /moderation/appeals``                       the appeals queue (``members.manage``)
``GET /moderation/appeals/{id}``                  an appeal
``POST /moderation/appeals/{id}/decide``          uphold or overturn, with a reason
``GET /moderation/log``                           the public, anonymized log (anyone)
================================================  ===============================================

Suspended and banned members pass none of these checks (``person`` and ``permission`` need an
active member), so a suspension also takes the member endpoints away.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from guildkit.errors import UnknownMember
from guildkit.extension import GuildKit
from guildkit.moderation.schemas import (
    AgreeIn,
    AppealIn,
    AppealQuery,
    AppealSchema,
    AuditSchema,
    CaseDetailSchema,
    CaseSchema,
    DecideIn,
    LogMonthSchema,
    LogQuery,
    MediationDetailSchema,
    MediationSchema,
    NoteIn,
    NoteSchema,
    ReasonIn,
    ReportIn,
    ReportSchema,
    ResolveIn,
    SanctionSchema,
    StartMediationIn,
    StatementIn,
    StatementSchema,
)
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person, public
from guildkit.web.errors import ApiError

api = Routes("api")

TAGS = ("moderation",)
moderator = permission("members.manage")


def signed_in(caller: Caller, path: dict[str, Any]) -> bool:
    """a signed-in person (even one suspended or banned: they may read why)"""
    return caller.is_person


def in_mediation(caller: Caller, path: dict[str, Any]) -> bool:
    """its parties, its mediator, and moderators"""
    if not person(caller, path):
        return False
    gk_instance().moderation.mediation(caller.user_id, path["mediation_id"])  # 403 for others, 404 if unknown
    return True


@api.post("/reports")
@endpoint(
    summary="Report a member's content",
    body=ReportIn,
    response=ReportSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def report(caller: Caller, body: dict[str, Any]) -> Any:
    assert caller.user_id is not None
    try:
        return gk_instance().moderation.report(caller.user_id, **body)
    except UnknownMember:
        # Named without repeating the id: what a caller sent is never echoed back at length.
        missing = "there is no member with that user_id"
        raise ApiError(404, missing, code=UnknownMember.code, errors={"user_id": [missing]}) from None


@api.get("/moderation/cases")
@endpoint(
    summary="The moderation queue: open cases, most severe first, then oldest",
    response=CaseSchema,
    many=True,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403),
)
def moderation_queue(caller: Caller) -> Any:
    return gk_instance().moderation.queue(caller.user_id)


@api.get("/moderation/cases/<guildkit_id:case_id>")
@endpoint(
    summary="A moderation case with its reports and private notes",
    response=CaseDetailSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404),
)
def moderation_case(caller: Caller, case_id: int) -> Any:
    return gk_instance().moderation.case(caller.user_id, case_id)


@api.post("/moderation/cases/<guildkit_id:case_id>/assign")
@endpoint(
    summary="Assign a moderation case to yourself",
    response=CaseDetailSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def assign_case(caller: Caller, case_id: int) -> Any:
    if caller.user_id is None:
        raise ApiError(422, "an API token cannot take a case: sign in", code="validation_error")
    return gk_instance().moderation.assign(caller.user_id, case_id)


@api.post("/moderation/cases/<guildkit_id:case_id>/notes")
@endpoint(
    summary="Add a private note to a moderation case",
    body=NoteIn,
    response=NoteSchema,
    status=201,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def add_case_note(caller: Caller, case_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.add_note(caller.user_id, case_id, body["body"])


@api.post("/moderation/cases/<guildkit_id:case_id>/resolve")
@endpoint(
    summary="Resolve a moderation case with an action and a reason",
    body=ResolveIn,
    response=CaseDetailSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def resolve_case(caller: Caller, case_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.resolve(caller.user_id, case_id, **body)


@api.get("/moderation/audit")
@endpoint(
    summary="The moderation audit log, newest first",
    response=AuditSchema,
    many=True,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403),
)
def moderation_audit(caller: Caller) -> Any:
    return gk_instance().moderation.audit(caller.user_id)


@api.get("/me/sanctions")
@endpoint(
    summary="Your warnings and sanctions, with their reasons",
    response=SanctionSchema,
    many=True,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403),
)
def my_sanctions(caller: Caller) -> Any:
    assert caller.user_id is not None
    return gk_instance().moderation.sanctions(caller.user_id)


# -- mediation -------------------------------------------------------------------------------


@api.post("/moderation/cases/<guildkit_id:case_id>/mediation")
@endpoint(
    summary="Turn an open case into a mediation between the reported member and another party",
    body=StartMediationIn,
    response=MediationDetailSchema,
    status=201,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def start_mediation(caller: Caller, case_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.start_mediation(caller.user_id, case_id, **body)


@api.get("/mediations/<guildkit_id:mediation_id>")
@endpoint(
    summary="A mediation with its statements (its parties, its mediator and moderators)",
    response=MediationDetailSchema,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404),
)
def get_mediation(caller: Caller, mediation_id: int) -> Any:
    return gk_instance().moderation.mediation(caller.user_id, mediation_id)


@api.post("/mediations/<guildkit_id:mediation_id>/statements")
@endpoint(
    summary="Add a statement to an open mediation (a party, the mediator or a moderator)",
    body=StatementIn,
    response=StatementSchema,
    status=201,
    allow=in_mediation,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def add_statement(caller: Caller, mediation_id: int, body: dict[str, Any]) -> Any:
    assert caller.user_id is not None
    return gk_instance().moderation.add_statement(caller.user_id, mediation_id, body["body"])


@api.post("/mediations/<guildkit_id:mediation_id>/agree")
@endpoint(
    summary="Record the agreed outcome (the mediator): closes the mediation and resolves its case",
    body=AgreeIn,
    response=MediationDetailSchema,
    allow=in_mediation,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def agree_mediation(caller: Caller, mediation_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.agree(caller.user_id, mediation_id, outcome=body["outcome"])


@api.post("/mediations/<guildkit_id:mediation_id>/abandon")
@endpoint(
    summary="Close a mediation without an agreement (the mediator or another moderator); the case stays open",
    body=ReasonIn,
    response=MediationDetailSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def abandon_mediation(caller: Caller, mediation_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.abandon_mediation(caller.user_id, mediation_id, reason=body["reason"])


@api.get("/me/mediations")
@endpoint(
    summary="Your mediations as a party, newest first",
    response=MediationSchema,
    many=True,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403),
)
def my_mediations(caller: Caller) -> Any:
    assert caller.user_id is not None
    return gk_instance().moderation.mediations_of(caller.user_id)


# -- appeals ---------------------------------------------------------------------------------


@api.post("/me/appeals")
@endpoint(
    summary="Appeal a sanction or a case's badge revocation or retraction, once (also when suspended or banned)",
    body=AppealIn,
    response=AppealSchema,
    status=201,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def file_appeal(caller: Caller, body: dict[str, Any]) -> Any:
    assert caller.user_id is not None
    return gk_instance().moderation.appeal(caller.user_id, **body)


@api.get("/me/appeals")
@endpoint(
    summary="Your appeals and their decisions, newest first",
    response=AppealSchema,
    many=True,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403),
)
def my_appeals(caller: Caller) -> Any:
    assert caller.user_id is not None
    return gk_instance().moderation.appeals_of(caller.user_id)


@api.get("/moderation/appeals")
@endpoint(
    summary="The appeals queue, oldest first (state: pending by default, or all)",
    query=AppealQuery,
    response=AppealSchema,
    many=True,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 422),
)
def appeals_queue(caller: Caller, query: dict[str, Any]) -> Any:
    state = None if query["state"] == "all" else query["state"]
    return gk_instance().moderation.appeals(caller.user_id, state=state)


@api.get("/moderation/appeals/<guildkit_id:appeal_id>")
@endpoint(
    summary="An appeal",
    response=AppealSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404),
)
def get_appeal(caller: Caller, appeal_id: int) -> Any:
    return gk_instance().moderation.get_appeal(caller.user_id, appeal_id)


@api.post("/moderation/appeals/<guildkit_id:appeal_id>/decide")
@endpoint(
    summary="Uphold or overturn an appeal, with a reason (not the appellant, not who took the action)",
    body=DecideIn,
    response=AppealSchema,
    allow=moderator,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def decide_appeal(caller: Caller, appeal_id: int, body: dict[str, Any]) -> Any:
    return gk_instance().moderation.decide_appeal(caller.user_id, appeal_id, **body)


# -- the public log --------------------------------------------------------------------------


@api.get("/moderation/log")
@endpoint(
    summary="The public moderation log: resolved cases by month, category and action (anonymized)",
    query=LogQuery,
    response=LogMonthSchema,
    many=True,
    allow=public,
    tags=TAGS,
    errors=(422,),
)
def public_log(caller: Caller, query: dict[str, Any]) -> Any:
    gk = gk_instance()
    start, end = default_period(gk, query["start"], query["end"])
    return gk.moderation.public_log(start, end)


def default_period(gk: GuildKit, start: date | None, end: date | None) -> tuple[date, date]:
    """Missing ends: today (in the community's time zone), and the first of the month 11 months before ``end``."""
    if end is None:
        end = gk.clock().astimezone(gk.state.zone).date()
    if start is None:
        months = end.year * 12 + end.month - 1 - 11
        # An end far in the past gets a start the period check accepts, so its error names ``end``.
        start = date(months // 12, months % 12 + 1, 1) if months >= 1900 * 12 else date(1900, 1, 1)
    return start, end
