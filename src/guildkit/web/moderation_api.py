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
================================================  ===============================================

Suspended and banned members pass none of these checks (``person`` and ``permission`` need an
active member), so a suspension also takes the member endpoints away.
"""

from __future__ import annotations

from typing import Any

from .api import api
from .auth import Caller
from .endpoint import endpoint, gk_instance, permission, person
from .errors import ApiError
from .moderation_schemas import (
    AuditSchema,
    CaseDetailSchema,
    CaseSchema,
    NoteIn,
    NoteSchema,
    ReportIn,
    ReportSchema,
    ResolveIn,
    SanctionSchema,
)

TAGS = ("moderation",)
moderator = permission("members.manage")


def signed_in(caller: Caller, path: dict[str, Any]) -> bool:
    """a signed-in person (even one suspended or banned: they may read why)"""
    return caller.is_person


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
    return gk_instance().moderation.report(caller.user_id, **body)


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
    errors=(401, 403, 404, 422),
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
