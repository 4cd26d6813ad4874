"""The mentorship JSON API, on the same ``api`` blueprint (and OpenAPI document) as the rest.

=====================================================  ===========================================
``GET /mentors``                                       suggested mentors with scores and reasons
                                                       (anyone; a signed-in person is not
                                                       suggested to themself)
``GET /mentors/{user_id}``                             a mentor's profile (anyone; a closed one
                                                       only to its owner)
``PUT /mentors/{user_id}``                             offer, update or opt out (the member themself)
``GET /mentorships``, ``POST /mentorships``            the caller's mentorships; request one
``GET /mentorships/{id}``                              one mentorship, with feedback (its pair and
                                                       moderators)
``POST /mentorships/{id}/accept|decline|withdraw|``    the lifecycle (see ``docs/mentorship.md``)
``start|complete|end``
``GET|POST /mentorships/{id}/check-ins``               check-ins: private to the pair and moderators
``POST /mentorships/{id}/feedback``                    a rating and comment, once per side
=====================================================  ===========================================

Callers are people (their session); the service decides who may act on which mentorship, and its
errors map to 403 (not allowed), 404 (unknown), 409 (wrong state, capacity) and 422 (input).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from guildkit.mentorship import MentorshipView, checks
from guildkit.mentorship.errors import UnknownMentor
from guildkit.mentorship.schemas import (
    CheckInIn,
    CheckInSchema,
    FeedbackIn,
    FeedbackSchema,
    MentorProfileIn,
    MentorQuery,
    MentorSchema,
    MentorshipDetailSchema,
    MentorshipIn,
    MentorshipQuery,
    MentorshipSchema,
    SuggestionSchema,
)
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person, public
from guildkit.web.errors import ApiError
from guildkit.web.pagination import Page, decode_cursor, page_of
from guildkit.web.schemas import PageQuery, ReasonBody

api = Routes("api")

TAGS = ("mentorship",)
#: Errors of every call on one mentorship: signed out, not allowed, unknown, wrong state.
ON_ONE = (401, 403, 404, 409)


def own_profile(caller: Caller, path: dict[str, Any]) -> bool:
    """the member themself"""
    return caller.is_person and caller.active and caller.is_self(str(path.get("user_id")))


def in_mentorship(caller: Caller, path: dict[str, Any]) -> bool:
    """its mentor, its mentee, and moderators"""
    if not person(caller, path):
        return False
    gk_instance().mentorship.get(path["mentorship_id"], caller.user_id)  # 403 for others, 404 if unknown
    return True


def before_id(cursor: str | None) -> int | None:
    """The id a ``[id]`` cursor points before (400 for one this API did not give out)."""
    key = decode_cursor(cursor, 1)
    if key is None:
        return None
    if checks.mentorship_id(key[0]) is None or isinstance(key[0], str):
        raise ApiError(
            400, "cursor is not one this API gave out", code="invalid_cursor", errors={"cursor": ["invalid"]}
        )
    return int(key[0])


def mentorship_out(view: MentorshipView, **extra: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(view), "waiting_for": view.waiting_for, **extra}


# -- mentors -------------------------------------------------------------------------------


@api.get("/mentors")
@endpoint(
    summary="Suggested mentors with a free slot, best match first, with the reasons",
    query=MentorQuery,
    response=SuggestionSchema,
    many=True,
    allow=public,
    tags=TAGS,
)
def list_mentors(caller: Caller, query: dict[str, Any]) -> list[dict[str, Any]]:
    found = gk_instance().mentorship.suggest(
        caller.user_id,
        topics=checks.split_topics(query["topics"]),
        language=query["language"],
        timezone=query["timezone"],
        limit=query["limit"],
    )
    return [{"mentor": candidate, "score": score} for candidate, score in found]


@api.get("/mentors/<user_id>")
@endpoint(summary="A mentor's profile, free slots and record", response=MentorSchema, tags=TAGS, errors=(404,))
def get_mentor(caller: Caller, user_id: str) -> Any:
    profile = gk_instance().mentorship.profile(user_id)
    if not profile.open and not caller.is_self(user_id):
        raise UnknownMentor(user_id)
    return profile


@api.put("/mentors/<user_id>")
@endpoint(
    summary="Offer to mentor, update the offer, or opt out (open: false)",
    body=MentorProfileIn,
    response=MentorSchema,
    allow=own_profile,
    tags=TAGS,
    errors=(401, 403, 422),
)
def put_mentor(caller: Caller, body: dict[str, Any], user_id: str) -> Any:
    return gk_instance().mentorship.offer(user_id, **body)


# -- mentorships ---------------------------------------------------------------------------


@api.get("/mentorships")
@endpoint(
    summary="My mentorships, as mentor and as mentee, newest first",
    query=MentorshipQuery,
    response=MentorshipSchema,
    paginated=True,
    allow=person,
    tags=TAGS,
    errors=(401, 403),
)
def list_mentorships(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    states = [query["state"]] if query["state"] else None
    rows = gk_instance().mentorship.mentorships_of(
        str(caller.user_id), query["role"], states, limit=query["limit"] + 1, before=before_id(query["cursor"])
    )
    page = page_of(rows, query["limit"], lambda m: [m.id])
    return Page([mentorship_out(m) for m in page.items], page.next_cursor)


@api.post("/mentorships")
@endpoint(
    summary="Ask a mentor to mentor me",
    body=MentorshipIn,
    response=MentorshipSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404, 409, 422),
)
def request_mentorship(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    mentor = body.pop("mentor")
    return mentorship_out(gk_instance().mentorship.request(str(caller.user_id), mentor, **body))


@api.get("/mentorships/<guildkit_id:mentorship_id>")
@endpoint(
    summary="A mentorship and its feedback (its mentor, mentee and moderators)",
    response=MentorshipDetailSchema,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404),
)
def get_mentorship(caller: Caller, mentorship_id: int) -> dict[str, Any]:
    service = gk_instance().mentorship
    found = service.get(mentorship_id, caller.user_id)
    return mentorship_out(found, feedback=service.feedback_for(found.id, caller.user_id))


def _action(name: str, summary: str, *, reason: bool = False) -> None:
    """``POST /mentorships/<id>/<name>``: one lifecycle action, answering the mentorship after it."""

    def view(caller: Caller, mentorship_id: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
        method = getattr(gk_instance().mentorship, name)
        args = (body["reason"],) if body is not None else ()
        return mentorship_out(method(mentorship_id, caller.user_id, *args))

    view.__name__ = f"{name}_mentorship"
    declared = endpoint(
        summary=summary,
        body=ReasonBody if reason else None,
        response=MentorshipSchema,
        allow=in_mentorship,
        tags=TAGS,
        errors=(*ON_ONE, 422) if reason else ON_ONE,
    )
    api.post(f"/mentorships/<guildkit_id:mentorship_id>/{name}")(declared(view))


_action("accept", "Accept a request (the mentor; counts against capacity)")
_action("decline", "Decline a request, with a reason (the mentor)", reason=True)
_action("withdraw", "Withdraw a request (the mentee)")
_action("start", "Start an accepted mentorship (either side)")
_action("complete", "Confirm the mentorship is complete; it completes once both sides have")
_action("end", "End early, with a reason (either side, or a moderator)", reason=True)


@api.get("/mentorships/<guildkit_id:mentorship_id>/check-ins")
@endpoint(
    summary="Check-ins, newest first (private to the pair and moderators)",
    query=PageQuery,
    response=CheckInSchema,
    paginated=True,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 404),
)
def list_check_ins(caller: Caller, query: dict[str, Any], mentorship_id: int) -> Page[Any]:
    rows = gk_instance().mentorship.check_ins(
        mentorship_id, caller.user_id, limit=query["limit"] + 1, before=before_id(query["cursor"])
    )
    return page_of(rows, query["limit"], lambda c: [c.id])


@api.post("/mentorships/<guildkit_id:mentorship_id>/check-ins")
@endpoint(
    summary="Add a check-in (the first one starts an accepted mentorship)",
    body=CheckInIn,
    response=CheckInSchema,
    status=201,
    allow=in_mentorship,
    tags=TAGS,
    errors=(*ON_ONE, 422),
)
def add_check_in(caller: Caller, body: dict[str, Any], mentorship_id: int) -> Any:
    return gk_instance().mentorship.check_in(mentorship_id, str(caller.user_id), **body)


@api.post("/mentorships/<guildkit_id:mentorship_id>/feedback")
@endpoint(
    summary="Rate the mentorship (1-5) and comment, once per side, after it completed or ended",
    body=FeedbackIn,
    response=FeedbackSchema,
    status=201,
    allow=in_mentorship,
    tags=TAGS,
    errors=(*ON_ONE, 422),
)
def give_feedback(caller: Caller, body: dict[str, Any], mentorship_id: int) -> Any:
    return gk_instance().mentorship.feedback(mentorship_id, str(caller.user_id), **body)
