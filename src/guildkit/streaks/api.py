"""The streaks API, on the same ``api`` blueprint; see ``docs/streaks.md``.

====================================================  ==========================================
``GET /me/streaks``                                   the signed-in member's streaks, freezes
                                                      and absences
``POST /me/streaks/absences``                         declare an absence
``DELETE /me/streaks/absences/{absence_id}``          cancel one that has not started
``POST /streaks/members/{user_id}/freezes``           staff (``streaks.grant_freezes``): grant
====================================================  ==========================================
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from guildkit.routes import Routes
from guildkit.streaks.schemas import AbsenceIn, AbsenceSchema, FreezeGrantIn, FreezeGrantSchema, MyStreaksSchema
from guildkit.streaks.service import PERMISSION, Streaks
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person

api = Routes("api")

TAGS = ("streaks",)


def _service() -> Streaks:
    service: Streaks = gk_instance().streaks
    return service


@api.get("/me/streaks")
@endpoint(summary="Your streaks, the freezes you hold and their history, and your absences",
          response=MyStreaksSchema, allow=person, tags=TAGS, errors=(401,))  # fmt: skip
def my_streaks(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    found = _service().overview(caller.user_id)
    return {
        "today": found.today,
        "streaks": [asdict(s) for s in found.streaks],
        "freezes_held": found.held,
        "freezes": [asdict(e) for e in found.history],
        "absences": [asdict(a) for a in found.absences],
    }


@api.post("/me/streaks/absences")
@endpoint(summary="Declare days you will be away: your streaks wait for you", body=AbsenceIn,
          response=AbsenceSchema, status=201, allow=person, tags=TAGS, errors=(401, 422))  # fmt: skip
def declare_absence(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    return asdict(_service().declare_absence(caller.user_id, body["starts_on"], body["ends_on"]))


@api.delete("/me/streaks/absences/<guildkit_id:absence_id>")
@endpoint(summary="Cancel an absence that has not started", allow=person, tags=TAGS, errors=(401, 404, 409))
def cancel_absence(caller: Caller, absence_id: int) -> None:
    assert caller.user_id is not None
    _service().cancel_absence(caller.user_id, absence_id)


@api.post("/streaks/members/<user_id>/freezes")
@endpoint(summary="Grant a member streak freezes, with a reason they read", body=FreezeGrantIn,
          response=FreezeGrantSchema, status=201, allow=permission(PERMISSION), tags=TAGS,
          errors=(401, 403, 404, 422))  # fmt: skip
def grant_freezes(caller: Caller, body: dict[str, Any], user_id: str) -> dict[str, Any]:
    held = _service().grant_freezes(user_id, body["count"], reason=body["reason"], by=caller.user_id)
    return {"user_id": user_id, "held": held}
