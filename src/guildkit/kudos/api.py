"""The kudos API, on the same ``api`` blueprint (``…/api/kudos``); see ``docs/kudos.md``.

==============================================  ==============================================
``POST /kudos``                                 a signed-in member gives kudos (from their budget)
``GET /kudos/budget``                           the signed-in member's budget in this period
``GET /kudos``, ``GET /kudos/{kudos_id}``        anyone: the wall, newest first; one kudos
``GET /kudos/members/{user_id}/received``,      anyone: a member's kudos, newest first
``GET /kudos/members/{user_id}/given``
==============================================  ==============================================

What a kudos earned its receiver (``points``) is shown to the receiver and to holders of
``members.read_private`` only, as the points history is.
"""

from __future__ import annotations

from typing import Any

from guildkit.kudos.present import kudos_out
from guildkit.kudos.schemas import KudosBudgetSchema, KudosIn, KudosSchema
from guildkit.kudos.service import Kudos
from guildkit.kudos.views import KudosPage, position_of
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person
from guildkit.web.pagination import Page, decode_cursor_as, encode_cursor
from guildkit.web.schemas import PageQuery

api = Routes("api")

TAGS = ("kudos",)


def _service() -> Kudos:
    service: Kudos = gk_instance().kudos
    return service


def _page(caller: Caller, query: dict[str, Any], read: Any) -> Page[dict[str, Any]]:
    before = decode_cursor_as(query["cursor"], 2, position_of)
    found: KudosPage = read(limit=query["limit"], before=before)
    key = found.cursor()
    return Page(kudos_out(gk_instance(), found.items, caller), encode_cursor(key) if key is not None else None)


@api.post("/kudos")
@endpoint(
    summary="Give a member kudos, from your budget; with a key, a repeat gives nothing more",
    body=KudosIn,
    response=KudosSchema,
    status=201,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 409, 422),
)
def give_kudos(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    given = _service().give(caller.user_id, body["receiver"], body["message"], key=body.get("key"))
    return kudos_out(gk_instance(), [given], caller)[0]


@api.get("/kudos/budget")
@endpoint(summary="Your kudos budget in this period", response=KudosBudgetSchema, allow=person, tags=TAGS)
def kudos_budget(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    found = _service().budget(caller.user_id)
    return {
        "budget": found.budget, "used": found.used, "left": found.left, "period": found.period,
        "period_start": found.period_start, "refills_at": found.refills_at, "trusted": found.trusted,
        "min_trust_level": found.min_trust_level, "can_give": found.can_give,
    }  # fmt: skip


@api.get("/kudos")
@endpoint(summary="The kudos wall: everyone's kudos, newest first", query=PageQuery, response=KudosSchema,
          paginated=True, tags=TAGS)  # fmt: skip
def kudos_wall(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    return _page(caller, query, _service().wall)


@api.get("/kudos/<guildkit_id:kudos_id>")
@endpoint(summary="One kudos", response=KudosSchema, tags=TAGS, errors=(404,))
def get_kudos(caller: Caller, kudos_id: int) -> dict[str, Any]:
    return kudos_out(gk_instance(), [_service().get(kudos_id)], caller)[0]


@api.get("/kudos/members/<user_id>/received")
@endpoint(summary="The kudos a member received, newest first", query=PageQuery, response=KudosSchema,
          paginated=True, tags=TAGS, errors=(404,))  # fmt: skip
def kudos_received(caller: Caller, query: dict[str, Any], user_id: str) -> Page[dict[str, Any]]:
    return _page(caller, query, lambda **page: _service().received(user_id, **page))


@api.get("/kudos/members/<user_id>/given")
@endpoint(summary="The kudos a member gave, newest first", query=PageQuery, response=KudosSchema,
          paginated=True, tags=TAGS, errors=(404,))  # fmt: skip
def kudos_given(caller: Caller, query: dict[str, Any], user_id: str) -> Page[dict[str, Any]]:
    return _page(caller, query, lambda **page: _service().given(user_id, **page))
