"""The trust-level and privileges JSON API, on the same ``api`` blueprint as the rest.

==================================  ===========================================================
``GET /members/{user_id}/trust``    level, name, lock and since (anyone); the progress toward the
                                    next level only for the member themself and
                                    ``members.read_private``
``PUT /members/{user_id}/trust``    set the level (0-4) and/or lock it, with a reason
                                    (``members.manage``; not on oneself)
``GET /me/privileges``              the caller's privileges: held or not, what unlocks each, progress
==================================  ===========================================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

from guildkit.routes import Routes
from guildkit.trust.schemas import PrivilegeSchema, TrustIn, TrustSchema
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person, public
from guildkit.web.errors import ApiError
from guildkit.web.present import find_member

api = Routes("api")

TAGS = ("trust",)


def trust_out(user_id: str, private: bool) -> dict[str, Any]:
    status = dataclasses.asdict(gk_instance().trust.status(user_id))
    if not private:
        status.update(criteria=None, criteria_level=None, lapsed_since=None)
    return status


@api.get("/members/<user_id>/trust")
@endpoint(
    summary="A member's trust level (and, for them, the progress)",
    response=TrustSchema,
    allow=public,
    tags=TAGS,
    errors=(404,),
)
def get_trust(caller: Caller, user_id: str) -> dict[str, Any]:
    find_member(gk_instance(), user_id)
    private = caller.active and (caller.is_self(user_id) or caller.can("members.read_private"))
    return trust_out(user_id, private)


@api.put("/members/<user_id>/trust")
@endpoint(
    summary="Set a member's trust level and/or lock it, with a reason",
    body=TrustIn,
    response=TrustSchema,
    allow=permission("members.manage"),
    tags=TAGS,
    errors=(401, 403, 404, 422),
)
def put_trust(caller: Caller, body: dict[str, Any], user_id: str) -> dict[str, Any]:
    gk = gk_instance()
    if caller.is_self(user_id):
        raise ApiError(403, "staff cannot change their own trust level", code="forbidden")
    find_member(gk, user_id)
    gk.trust.update(
        user_id, level=body.get("level"), locked=body.get("locked"), reason=body["reason"], by=caller.user_id
    )
    gk.session.expire_all()
    return trust_out(user_id, True)


@api.get("/me/privileges")
@endpoint(
    summary="Your privileges: which you have, what unlocks the others",
    response=PrivilegeSchema,
    many=True,
    allow=person,
    tags=TAGS,
    errors=(401, 403),
)
def my_privileges(caller: Caller) -> list[Any]:
    assert caller.user_id is not None
    gk = gk_instance()
    find_member(gk, caller.user_id)
    privileges: list[Any] = gk.privileges(caller.user_id)
    return privileges
