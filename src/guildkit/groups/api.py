"""The groups API, on the same ``api`` blueprint (``…/api/groups``); see ``docs/groups.md``.

==================================================  ============================================
``GET /groups``, ``GET /leaderboards/{point_type}/groups``, anyone (the caller's own place when signed in)
``GET /groups/{group}`` and its ``members``,
``goals``, ``badges`` and ``leaderboard``
``POST /groups``                                     a member who may make groups
                                                     (``GUILDKIT_GROUPS_CREATE``), or ``groups.manage``
``POST /groups/{group}/join``, ``request``,          the signed-in member, for themself
``withdraw``, ``accept``, ``refuse``, ``leave``
``PATCH /groups/{group}``, ``POST …/invitations``,   the group's owners and maintainers, or
``POST …/members/{user_id}/approve`` (``decline``,   ``groups.manage`` (a token with it acts as
``revoke``, ``remove``), ``PUT …/role``,             the host); only owners change roles
``POST /groups/{group}/goals``
==================================================  ============================================

A refused action is a problem document naming why: 409 ``membership_refused`` (the member's
state does not allow it: joining twice), 403 ``group_policy`` (an invite-only group), 409
``group_full``, 422 naming the field; nothing is written.
"""

from __future__ import annotations

from typing import Any

from guildkit.groups.present import (
    goal_out,
    group_badge_out,
    group_out,
    memberships_out,
    team_out,
)
from guildkit.groups.schemas import (
    GroupBadgeSchema,
    GroupBoardQuery,
    GroupBoardSchema,
    GroupDirectoryQuery,
    GroupGoalIn,
    GroupGoalSchema,
    GroupIn,
    GroupInviteIn,
    GroupMembershipSchema,
    GroupMembershipStateSchema,
    GroupMembersQuery,
    GroupPatch,
    GroupRoleIn,
    GroupSchema,
    GroupTeamBoardQuery,
    GroupTeamStandingSchema,
)
from guildkit.groups.service import MANAGE, Groups
from guildkit.groups.views import GroupView, Membership
from guildkit.leaderboards import Standing
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person
from guildkit.web.errors import ApiError
from guildkit.web.pagination import Page, decode_cursor, encode_cursor
from guildkit.web.present import standing_out

api = Routes("api")

TAGS = ("groups",)
WRITE_ERRORS = (401, 403, 404, 409, 422)
SELF_ACTIONS = {
    "join": "Join an open group",
    "request": "Ask to join a group that takes requests",
    "withdraw": "Take back my request to join",
    "accept": "Accept my invitation to a group",
    "refuse": "Turn my invitation to a group down",
    "leave": "Leave a group (its last owner cannot)",
}
MANAGER_ACTIONS = {
    "approve": "Let in a member who asked to join (owners and maintainers)",
    "decline": "Turn a request to join down (owners and maintainers)",
    "revoke": "Take an invitation back (owners and maintainers)",
    "remove": "Remove a member (owners and maintainers; an owner or maintainer only by an owner)",
}


def _service() -> Groups:
    service: Groups = gk_instance().groups
    return service


def person_or_manage(caller: Caller, path: dict[str, Any]) -> bool:
    return (caller.is_person and caller.active) or caller.can(MANAGE)


person_or_manage.__doc__ = "a signed-in member, or the 'groups.manage' permission"


def _by(caller: Caller) -> str | None:
    """Who acts, for the service: the person, or host code for a token holding groups.manage."""
    if caller.user_id is not None:
        return caller.user_id
    if caller.can(MANAGE):
        return None
    raise ApiError(403, "not allowed: needs a signed-in member or the 'groups.manage' permission", code="forbidden")


def _group(slug: str) -> GroupView:
    return _service().find(slug)


def _with_me(caller: Caller, group: GroupView) -> dict[str, Any]:
    out = group_out(gk_instance(), group)
    out["me"] = None
    if caller.user_id is not None:
        found = _service().membership(group.id, caller.user_id)
        out["me"] = {
            "state": found.state if found else "none",
            "role": found.role if found and found.state == "member" else None,
            "manages": _service().manages(group.id, caller.user_id),
        }
    return out


def _state(group: GroupView, user_id: str, found: Membership | None) -> dict[str, Any]:
    return {"group": group.slug, "user_id": user_id, "state": found.state if found else "none",
            "role": found.role if found and found.state == "member" else None}  # fmt: skip


# -- reading -------------------------------------------------------------------------------


@api.get("/groups")
@endpoint(summary="The group directory, by name, searched", query=GroupDirectoryQuery, response=GroupSchema,
          paginated=True, tags=TAGS)  # fmt: skip
def list_groups(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    after = decode_cursor(query["cursor"], 2)
    if after is not None and not (isinstance(after[0], str) and isinstance(after[1], int)):
        raise ApiError(
            400, "cursor is not one this API gave out", code="invalid_cursor", errors={"cursor": ["invalid"]}
        )
    found, more = _service().directory(
        q=query["q"], limit=query["limit"], after=(after[0], after[1]) if after else None
    )
    gk = gk_instance()
    return Page([group_out(gk, g) | {"me": None} for g in found], encode_cursor(list(more)) if more else None)


@api.get("/leaderboards/<point_type>/groups")
@endpoint(summary="The team board: groups ranked by their members' points over a period", query=GroupTeamBoardQuery,
          response=GroupTeamStandingSchema, many=True, tags=TAGS, errors=(404, 422))  # fmt: skip
def team_board(caller: Caller, query: dict[str, Any], point_type: str) -> list[dict[str, Any]]:
    gk = gk_instance()
    found = _service().team_board(point_type, period=query["period"], by=query["by"], limit=query["limit"])
    return [team_out(gk, s) for s in found]


@api.get("/groups/<group>")
@endpoint(summary="A group, with where the caller stands", response=GroupSchema, tags=TAGS, errors=(404,))
def get_group(caller: Caller, group: str) -> dict[str, Any]:
    return _with_me(caller, _group(group))


@api.get("/groups/<group>/members")
@endpoint(summary="A group's members (owners first); its requests and invitations for its managers",
          query=GroupMembersQuery, response=GroupMembershipSchema, many=True, tags=TAGS, errors=(403, 404))  # fmt: skip
def group_members(caller: Caller, query: dict[str, Any], group: str) -> list[dict[str, Any]]:
    found = _group(group)
    if query["state"] != "member" and not (caller.can(MANAGE) or _service().manages(found.id, caller.user_id)):
        raise ApiError(403, "not allowed: requests and invitations are for the group's managers", code="forbidden")
    rows = _service().memberships(found.id, state=query["state"], limit=query["limit"], offset=query["offset"])
    return memberships_out(gk_instance(), rows)


@api.get("/groups/<group>/goals")
@endpoint(summary="A group's goals with the progress of their current period", response=GroupGoalSchema, many=True,
          tags=TAGS, errors=(404,))  # fmt: skip
def group_goals(caller: Caller, group: str) -> list[dict[str, Any]]:
    gk = gk_instance()
    return [goal_out(gk, g) for g in _service().goals(_group(group).id)]


@api.get("/groups/<group>/badges")
@endpoint(summary="The badges a group earned together, newest first", response=GroupBadgeSchema, many=True,
          tags=TAGS, errors=(404,))  # fmt: skip
def group_badges(caller: Caller, group: str) -> list[dict[str, Any]]:
    gk = gk_instance()
    return [group_badge_out(gk, b) for b in _service().badges_of(_group(group).id)]


@api.get("/groups/<group>/leaderboard")
@endpoint(summary="A leaderboard of the group's members only, with the caller's standing in it",
          query=GroupBoardQuery, response=GroupBoardSchema, tags=TAGS, errors=(404, 422))  # fmt: skip
def group_leaderboard(caller: Caller, query: dict[str, Any], group: str) -> dict[str, Any]:
    gk = gk_instance()
    found = _group(group)
    after = decode_cursor(query["cursor"], 2)
    if after is not None and not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
        raise ApiError(
            400, "cursor is not one this API gave out", code="invalid_cursor", errors={"cursor": ["invalid"]}
        )
    cursor = Standing(0, int(after[1]), "", None, int(after[0])) if after else None
    board = _service().leaderboard(found.id, query["point_type"], period=query["period"], limit=query["limit"],
                                   after=cursor)  # fmt: skip
    me = None
    if caller.member is not None:
        mine = _service().leaderboard(found.id, query["point_type"], period=query["period"], limit=1,
                                      around=caller.member.user_id).me  # fmt: skip
        me = standing_out(gk, mine) if mine is not None else None
    last = board.next_after
    return {
        "group": found.slug,
        "items": [standing_out(gk, s) for s in board.standings],
        "next_cursor": encode_cursor([last.points, last.member_id]) if last else None,
        "me": me,
    }


# -- changing ------------------------------------------------------------------------------


@api.post("/groups")
@endpoint(summary="Make a group (its maker becomes its owner)", body=GroupIn, response=GroupSchema, status=201,
          allow=person_or_manage, tags=TAGS, errors=(401, 403, 422))  # fmt: skip
def create_group(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    via = f"token:{caller.token.prefix}" if caller.user_id is None and caller.token is not None else None
    made = _service().create(_by(caller), via=via, **body)
    return _with_me(caller, made)


@api.patch("/groups/<group>")
@endpoint(summary="Change a group (its owners and maintainers)", body=GroupPatch, response=GroupSchema,
          allow=person_or_manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def update_group(caller: Caller, body: dict[str, Any], group: str) -> dict[str, Any]:
    changed = _service().update(_by(caller), _group(group).id, **body)
    return _with_me(caller, changed)


def _self_view(action: str, summary: str) -> None:
    def view(caller: Caller, group: str) -> dict[str, Any]:
        assert caller.user_id is not None  # allow=person
        found = _group(group)
        return _state(found, caller.user_id, _service().act(action, found.id, caller.user_id))

    view.__name__ = view.__qualname__ = f"group_{action}"
    api.post(f"/groups/<group>/{action}")(
        endpoint(summary=summary, response=GroupMembershipStateSchema, allow=person, tags=TAGS, errors=WRITE_ERRORS)(
            view
        )
    )


def _manager_view(action: str, summary: str) -> None:
    def view(caller: Caller, group: str, user_id: str) -> dict[str, Any]:
        found = _group(group)
        return _state(found, user_id, _service().act(action, found.id, user_id, by=_by(caller)))

    view.__name__ = view.__qualname__ = f"group_member_{action}"
    api.post(f"/groups/<group>/members/<user_id>/{action}")(
        endpoint(summary=summary, response=GroupMembershipStateSchema, allow=person_or_manage, tags=TAGS,
                 errors=WRITE_ERRORS)(view)
    )  # fmt: skip


for _action, _summary in SELF_ACTIONS.items():
    _self_view(_action, _summary)
for _action, _summary in MANAGER_ACTIONS.items():
    _manager_view(_action, _summary)


@api.post("/groups/<group>/invitations")
@endpoint(summary="Invite a member (owners and maintainers); they are told, and accept or refuse",
          body=GroupInviteIn, response=GroupMembershipStateSchema, status=201, allow=person_or_manage, tags=TAGS,
          errors=WRITE_ERRORS)  # fmt: skip
def invite(caller: Caller, body: dict[str, Any], group: str) -> dict[str, Any]:
    found = _group(group)
    user_id = body["user_id"]
    return _state(found, user_id, _service().invite(_by(caller), found.id, user_id))


@api.put("/groups/<group>/members/<user_id>/role")
@endpoint(summary="Make a member an owner, a maintainer or a plain member (owners)", body=GroupRoleIn,
          response=GroupMembershipStateSchema, allow=person_or_manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def set_role(caller: Caller, body: dict[str, Any], group: str, user_id: str) -> dict[str, Any]:
    found = _group(group)
    return _state(found, user_id, _service().set_role(_by(caller), found.id, user_id, body["role"]))


@api.post("/groups/<group>/goals")
@endpoint(summary="Set the group a goal (owners and maintainers)", body=GroupGoalIn, response=GroupGoalSchema,
          status=201, allow=person_or_manage, tags=TAGS, errors=WRITE_ERRORS)  # fmt: skip
def create_goal(caller: Caller, body: dict[str, Any], group: str) -> dict[str, Any]:
    found = _group(group)
    return goal_out(gk_instance(), _service().create_goal(_by(caller), found.id, **body))
