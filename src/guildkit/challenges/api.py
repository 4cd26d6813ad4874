"""The challenges API, on the same ``api`` blueprint (``…/api/challenges``); see ``docs/challenges.md``.

==========================================================  ===========================================
``GET /challenges`` (``?state=``), ``GET /challenges/{id}``,  anyone (the caller's progress when signed in)
``GET /challenges/{id}/participants``
``POST /challenges/{id}/join``                               signed-in members (a group challenge: one of
                                                             their groups)
``POST /challenges``, ``POST /challenges/{id}/close``         ``challenges.manage`` (admins have it), or
                                                             a group's owner for the group's challenges;
                                                             in the audit log (area ``challenges``)
==========================================================  ===========================================
"""

from __future__ import annotations

from typing import Any

from guildkit.challenges.present import challenge_out, cursor_key, participants_out, participation_out
from guildkit.challenges.schemas import (
    ChallengeIn,
    ChallengeJoinIn,
    ChallengeParticipantSchema,
    ChallengeParticipationSchema,
    ChallengeQuery,
    ChallengeSchema,
)
from guildkit.challenges.service import PERMISSION, Challenges
from guildkit.challenges.views import ChallengeView
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person
from guildkit.web.pagination import Page, decode_cursor_as, encode_cursor
from guildkit.web.schemas import PageQuery

api = Routes("api")

TAGS = ("challenges",)
WRITE_ERRORS = (401, 403, 404, 409, 422)


def maker(caller: Caller, path: dict[str, Any]) -> bool:
    """an active member (challenges.manage for everyone's challenges; managing a group for its
    own), or a token with challenges.manage"""
    return caller.active and (caller.is_person or caller.can(PERMISSION))


def _service() -> Challenges:
    service: Challenges = gk_instance().challenges
    return service


def _as(caller: Caller) -> dict[str, Any]:
    """Who acts, for the service: the person, or the token naming itself in the audit log."""
    if caller.user_id is not None:
        return {"by": caller.user_id}
    return {"by": None, "via": f"token:{caller.token.prefix}" if caller.token is not None else None}


def _out(caller: Caller, challenge: ChallengeView) -> dict[str, Any]:
    gk = gk_instance()
    me = None
    if caller.member is not None:
        me = [participation_out(gk, p) for p in _service().progress(challenge.id, caller.member.user_id)]
    return challenge_out(gk, challenge, me)


@api.get("/challenges")
@endpoint(
    summary="Challenges: open ones soonest ending first, finished ones latest ending first",
    query=ChallengeQuery,
    response=ChallengeSchema,
    paginated=True,
    tags=TAGS,
)
def list_challenges(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    gk = gk_instance()
    limit = query["limit"]
    after = decode_cursor_as(query["cursor"], 2, cursor_key)
    found = _service().list(state=query["state"], limit=limit + 1, after=after)
    more = len(found) > limit
    found = found[:limit]
    cursor = encode_cursor([found[-1].ends_at.isoformat(), found[-1].id]) if more and found else None
    return Page([challenge_out(gk, c) for c in found], cursor)


@api.get("/challenges/<guildkit_id:challenge_id>")
@endpoint(summary="A challenge, with the caller's progress", response=ChallengeSchema, tags=TAGS, errors=(404,))
def get_challenge(caller: Caller, challenge_id: int) -> dict[str, Any]:
    return _out(caller, _service().get(challenge_id))


@api.get("/challenges/<guildkit_id:challenge_id>/participants")
@endpoint(
    summary="Who takes part in a challenge, in the order they joined",
    query=PageQuery,
    response=ChallengeParticipantSchema,
    paginated=True,
    tags=TAGS,
    errors=(404,),
)
def challenge_participants(caller: Caller, query: dict[str, Any], challenge_id: int) -> Page[dict[str, Any]]:
    limit = query["limit"]
    after = decode_cursor_as(query["cursor"], 2, cursor_key)
    found = _service().participants(challenge_id, limit=limit + 1, after=after)
    more = len(found) > limit
    found = found[:limit]
    cursor = encode_cursor([found[-1].joined_at.isoformat(), found[-1].id]) if more and found else None
    return Page(participants_out(gk_instance(), found), cursor)


@api.post("/challenges")
@endpoint(
    summary="Make a challenge (challenges.manage, or a group's owner for the group's)",
    body=ChallengeIn,
    response=ChallengeSchema,
    status=201,
    allow=maker,
    tags=TAGS,
    errors=(401, 403, 422),
)
def create_challenge(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return _out(caller, _service().create(**_as(caller), **body))


@api.post("/challenges/<guildkit_id:challenge_id>/join")
@endpoint(
    summary="Take part in a challenge (a group challenge: enter one of your groups)",
    body=ChallengeJoinIn,
    response=ChallengeParticipationSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def join_challenge(caller: Caller, body: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    assert caller.user_id is not None
    joined = _service().join(caller.user_id, challenge_id, group_id=body["group_id"])
    return participation_out(gk_instance(), joined)


@api.post("/challenges/<guildkit_id:challenge_id>/close")
@endpoint(
    summary="End a challenge now (challenges.manage, or its group's owner); a weekly series ends with it",
    response=ChallengeSchema,
    allow=maker,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def close_challenge(caller: Caller, challenge_id: int) -> dict[str, Any]:
    return _out(caller, _service().close(challenge_id, **_as(caller)))
