"""The notification preferences API, on the same ``api`` blueprint (``…/api/me/notifications/preferences``).

=============================================  ==============================================
``GET /me/notifications/preferences``          the signed-in member's delivery for every kind
``PUT /me/notifications/preferences``          change some (``{"kinds": {kind: delivery}}``)
                                               and/or stop all email (``{"email": false}``)
=============================================  ==============================================

A bad kind or delivery is a 422 naming ``kinds.<kind>``, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from guildkit.notifications.schemas import PreferencesIn, PreferencesSchema
from guildkit.notifications.service import Notifier
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance

api = Routes("api")

TAGS = ("me",)


def _service() -> Notifier:
    service: Notifier = gk_instance().notifier
    return service


def signed_in(caller: Caller, path: dict[str, Any]) -> bool:
    """a signed-in person"""
    # Whatever their status: a suspended member may still choose how to hear of it.
    return caller.is_person


def _out(service: Notifier, user_id: str) -> dict[str, Any]:
    return {**service.preferences(user_id).out(), "email_enabled": service.email_enabled}


@api.get("/me/notifications/preferences")
@endpoint(
    summary="How I hear of each kind of notification: off, in the app, by email, or in a weekly digest",
    response=PreferencesSchema,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403),
)
def my_notification_preferences(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    return _out(_service(), caller.user_id)


@api.put("/me/notifications/preferences")
@endpoint(
    summary="Change how I hear of some kinds of notification, or stop all email",
    body=PreferencesIn,
    response=PreferencesSchema,
    allow=signed_in,
    tags=TAGS,
    errors=(401, 403, 409, 422),
)
def set_my_notification_preferences(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    service = _service()
    service.set_preferences(caller.user_id, body["kinds"], email=body["email"])
    return _out(service, caller.user_id)
