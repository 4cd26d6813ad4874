"""The seasons API, on the same ``api`` blueprint (``…/api/seasons``); see ``docs/seasons.md``.

=================================================  ============================================
``GET /seasons``, ``GET /seasons/{season}``,        anyone (the caller's own standing when
``GET /seasons/{season}/leaderboard``               signed in)
``POST /seasons``, ``PATCH /seasons/{season}``,     ``seasons.manage`` (admins have it); every
``POST /seasons/{season}/close``                    change is in the audit log (area ``seasons``)
=================================================  ============================================
"""

from __future__ import annotations

from typing import Any

from guildkit.leaderboards import Standing
from guildkit.routes import Routes
from guildkit.seasons.present import season_out
from guildkit.seasons.schemas import (
    SeasonBoardQuery,
    SeasonBoardSchema,
    SeasonCloseSchema,
    SeasonIn,
    SeasonPatch,
    SeasonSchema,
)
from guildkit.seasons.service import PERMISSION, Seasons
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission
from guildkit.web.errors import ApiError
from guildkit.web.pagination import decode_cursor, encode_cursor
from guildkit.web.present import standing_out, standings_out

api = Routes("api")

TAGS = ("seasons",)
WRITE_ERRORS = (401, 403, 404, 409, 422)
manage = permission(PERMISSION)


def _service() -> Seasons:
    service: Seasons = gk_instance().seasons
    return service


def _as(caller: Caller) -> dict[str, Any]:
    """Who acts, for the service: the person, or the token naming itself in the audit log."""
    if caller.user_id is not None:
        return {"by": caller.user_id}
    return {"by": None, "via": f"token:{caller.token.prefix}" if caller.token is not None else None}


@api.get("/seasons")
@endpoint(summary="Every season, newest first", response=SeasonSchema, many=True, tags=TAGS)
def list_seasons(caller: Caller) -> list[dict[str, Any]]:
    gk = gk_instance()
    return [season_out(gk, season) for season in _service().list()]


@api.get("/seasons/<season>")
@endpoint(summary="A season, with the caller's standing", response=SeasonSchema, tags=TAGS, errors=(404,))
def get_season(caller: Caller, season: str) -> dict[str, Any]:
    gk = gk_instance()
    found = _service().fresh(season)
    me = None
    if caller.member is not None:
        me = standing_out(gk, _service().standing(season, caller.member.user_id))
    return season_out(gk, found, me)


@api.get("/seasons/<season>/leaderboard")
@endpoint(
    summary="A season's leaderboard, best first (ties share a rank), with the caller's standing",
    query=SeasonBoardQuery,
    response=SeasonBoardSchema,
    tags=TAGS,
    errors=(404,),
)
def season_leaderboard(caller: Caller, query: dict[str, Any], season: str) -> dict[str, Any]:
    gk = gk_instance()
    service = _service()
    limit = query["limit"]
    if query["around"] is not None:
        board = service.leaderboard(season, limit=limit, around=query["around"])
        rows, next_cursor = board.standings, None
    else:
        after = decode_cursor(query["cursor"], 2)
        if after is not None and not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
            raise ApiError(
                400, "cursor is not one this API gave out", code="invalid_cursor", errors={"cursor": ["invalid"]}
            )
        cursor = Standing(0, int(after[1]), "", None, int(after[0])) if after else None
        board = service.leaderboard(season, limit=limit, after=cursor)
        last = board.next_after
        rows, next_cursor = board.standings, encode_cursor([last.points, last.member_id]) if last else None
    me = board.me
    if me is None and caller.member is not None:
        me = service.standing(season, caller.member.user_id)
    return {
        "season": board.season.slug,
        "state": board.season.state,
        "items": standings_out(gk, rows),
        "next_cursor": next_cursor,
        "me": standing_out(gk, me) if me else None,
    }


@api.post("/seasons")
@endpoint(
    summary="Make a season (seasons.manage)",
    body=SeasonIn,
    response=SeasonSchema,
    status=201,
    allow=manage,
    tags=TAGS,
    errors=(401, 403, 422),
)
def create_season(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return season_out(gk_instance(), _service().create(**_as(caller), **body))


@api.patch("/seasons/<season>")
@endpoint(
    summary="Change a season that is not closed (seasons.manage); a new range or point type recounts it",
    body=SeasonPatch,
    response=SeasonSchema,
    allow=manage,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def update_season(caller: Caller, body: dict[str, Any], season: str) -> dict[str, Any]:
    return season_out(gk_instance(), _service().update(slug=season, **_as(caller), **body))


@api.post("/seasons/<season>/close")
@endpoint(
    summary="Close a season now (seasons.manage): freeze its standings and award its badge to the top N",
    response=SeasonCloseSchema,
    allow=manage,
    tags=TAGS,
    errors=WRITE_ERRORS,
)
def close_season(caller: Caller, season: str) -> dict[str, Any]:
    closed = _service().close(season, **_as(caller))
    return closed[0].out()
