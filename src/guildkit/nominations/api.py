"""The nominations API, on the same ``api`` blueprint (``…/api/nominations``); see ``docs/nominations.md``.

====================================================  ==========================================
``GET /nominations/badges``                           anyone: what may be nominated
``GET /nominations/approved``                         anyone: approved nominations (``member=``)
``GET /nominations/{id}``                             who may see it (else 404)
``POST /nominations``                                 a signed-in, active member
``GET /nominations/mine``, ``GET /nominations/queue`` a signed-in member: made by them; waiting
                                                      for their decision
``POST /nominations/{id}/approve``, ``…/reject``      an approver (holds the role, not a party)
``POST /nominations/{id}/withdraw``                   the nominator
``GET /nominations``                                  ``nominations.manage`` (admins have it)
====================================================  ==========================================
"""

from __future__ import annotations

from typing import Any

from guildkit.nominations.present import nomination_out, nominations_out
from guildkit.nominations.schemas import (
    ApprovedNominationsQuery,
    NominatableSchema,
    NominationDecisionIn,
    NominationIn,
    NominationSchema,
    NominationsQuery,
    NominationWithdrawIn,
)
from guildkit.nominations.service import PERMISSION, Nominations
from guildkit.nominations.views import NominationView
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person
from guildkit.web.pagination import Page, decode_cursor_as, encode_cursor
from guildkit.web.schemas import PageQuery

api = Routes("api")

TAGS = ("nominations",)
WRITE_ERRORS = (401, 403, 404, 409, 422)


def _service() -> Nominations:
    service: Nominations = gk_instance().nominations
    return service


def _cursor(query: dict[str, Any]) -> int | None:
    return decode_cursor_as(query["cursor"], 1, lambda key: _positive(key[0]))


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(value)
    return value


def _page(views: list[NominationView], limit: int, viewer: str | None) -> Page[dict[str, Any]]:
    """A page of ``limit`` from ``limit + 1`` views read; the cursor is the last id."""
    more = len(views) > limit
    views = views[:limit]
    cursor = encode_cursor([views[-1].id]) if more and views else None
    return Page(nominations_out(gk_instance(), views, viewer), cursor)


@api.get("/nominations/badges")
@endpoint(summary="The badges members may nominate each other for", response=NominatableSchema, many=True, tags=TAGS)
def nominatable_badges(caller: Caller) -> list[dict[str, Any]]:
    return [
        {"badge": o.badge, "level": o.level, "name": o.name, "approvals": o.approvals, "role": o.role,
         "role_name": o.role_name}
        for o in _service().badges()
    ]  # fmt: skip


@api.post("/nominations")
@endpoint(
    summary="Nominate a member for a badge, with a reason",
    body=NominationIn,
    response=NominationSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 409, 422),
)
def create_nomination(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    made = _service().nominate(caller.user_id, body["nominee"], badge=body["badge"], level=body["level"],
                               reason=body["reason"])  # fmt: skip
    return nomination_out(gk_instance(), made, caller.user_id)


@api.get("/nominations")
@endpoint(
    summary="Every nomination, newest first (nominations.manage)",
    query=NominationsQuery,
    response=NominationSchema,
    paginated=True,
    allow=permission(PERMISSION),
    tags=TAGS,
    errors=(400, 401, 403),
)
def list_nominations(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    limit = query["limit"]
    found = _service().list(state=query["state"], limit=limit + 1, before=_cursor(query))
    return _page(found, limit, caller.user_id)


@api.get("/nominations/mine")
@endpoint(
    summary="The nominations the caller made, newest first",
    query=PageQuery,
    response=NominationSchema,
    paginated=True,
    allow=person,
    tags=TAGS,
    errors=(400, 401, 403),
)
def my_nominations(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    assert caller.user_id is not None
    limit = query["limit"]
    if caller.member is None:
        return Page([], None)
    found = _service().made_by(caller.user_id, limit=limit + 1, before=_cursor(query))
    return _page(found, limit, caller.user_id)


@api.get("/nominations/queue")
@endpoint(
    summary="The pending nominations waiting for the caller's decision, oldest first",
    query=PageQuery,
    response=NominationSchema,
    paginated=True,
    allow=person,
    tags=TAGS,
    errors=(400, 401, 403),
)
def nomination_queue(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    assert caller.user_id is not None
    limit = query["limit"]
    if caller.member is None:
        return Page([], None)
    found = _service().queue(caller.user_id, limit=limit + 1, after=_cursor(query))
    return _page(found, limit, caller.user_id)


@api.get("/nominations/approved")
@endpoint(
    summary="Approved nominations, newest first: of one member with member=",
    query=ApprovedNominationsQuery,
    response=NominationSchema,
    paginated=True,
    tags=TAGS,
    errors=(400, 404),
)
def approved_nominations(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    limit, before = query["limit"], _cursor(query)
    service = _service()
    if query["member"] is not None:
        found = service.approved_of(query["member"], limit=limit + 1, before=before)
    else:
        found = service.list(state="approved", limit=limit + 1, before=before)
    return _page(found, limit, caller.user_id)


@api.get("/nominations/<guildkit_id:nomination_id>")
@endpoint(summary="A nomination, with its votes", response=NominationSchema, tags=TAGS, errors=(404,))
def get_nomination(caller: Caller, nomination_id: int) -> dict[str, Any]:
    found = _visible(caller, nomination_id)
    return nomination_out(gk_instance(), found, caller.user_id)


def _visible(caller: Caller, nomination_id: int) -> NominationView:
    service = _service()
    found = service.get(nomination_id)
    if caller.token is not None and caller.can(PERMISSION):
        return found
    return service.visible(nomination_id, caller.user_id)


@api.post("/nominations/<guildkit_id:nomination_id>/approve")
@endpoint(
    summary="Approve a nomination, with a reason (an approver); the last approval awards the badge",
    body=NominationDecisionIn,
    response=NominationSchema,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def approve_nomination(caller: Caller, body: dict[str, Any], nomination_id: int) -> dict[str, Any]:
    assert caller.user_id is not None
    _visible(caller, nomination_id)
    done = _service().approve(caller.user_id, nomination_id, reason=body["reason"])
    return nomination_out(gk_instance(), done, caller.user_id)


@api.post("/nominations/<guildkit_id:nomination_id>/reject")
@endpoint(
    summary="Reject a nomination, with a reason (an approver)",
    body=NominationDecisionIn,
    response=NominationSchema,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def reject_nomination(caller: Caller, body: dict[str, Any], nomination_id: int) -> dict[str, Any]:
    assert caller.user_id is not None
    _visible(caller, nomination_id)
    done = _service().reject(caller.user_id, nomination_id, reason=body["reason"])
    return nomination_out(gk_instance(), done, caller.user_id)


@api.post("/nominations/<guildkit_id:nomination_id>/withdraw")
@endpoint(
    summary="Withdraw a pending nomination you made",
    body=NominationWithdrawIn,
    response=NominationSchema,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def withdraw_nomination(caller: Caller, body: dict[str, Any], nomination_id: int) -> dict[str, Any]:
    assert caller.user_id is not None
    _visible(caller, nomination_id)
    done = _service().withdraw(caller.user_id, nomination_id, reason=body["reason"])
    return nomination_out(gk_instance(), done, caller.user_id)
