"""The community guidelines JSON API, on the same ``api`` blueprint as the rest (``docs/guidelines.md``).

======================================  =========================================================
``GET /guidelines``                     the current version (anyone), with ``accepted`` for a
                                        signed-in person; 404 before any is published
``GET /guidelines/versions``            every version, newest first (anyone)
``GET /guidelines/versions/{version}``  one version (anyone)
``POST /guidelines``                    publish a new version (``admin``)
``POST /me/guidelines/accept``          accept the current version (a signed-in person)
======================================  =========================================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

from guildkit.guidelines import GuidelinesVersion
from guildkit.guidelines.schemas import (
    AcceptanceSchema,
    AcceptIn,
    CurrentGuidelinesSchema,
    GuidelinesIn,
    GuidelinesSchema,
)
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission, person, public
from guildkit.web.errors import ApiError

api = Routes("api")

TAGS = ("guidelines",)


def guidelines_out(version: GuidelinesVersion) -> dict[str, Any]:
    return {**dataclasses.asdict(version), "html": str(version.html)}


@api.get("/guidelines")
@endpoint(
    summary="The current community guidelines (and whether you accepted them)",
    response=CurrentGuidelinesSchema,
    allow=public,
    tags=TAGS,
    errors=(404,),
)
def current_guidelines(caller: Caller) -> dict[str, Any]:
    gk = gk_instance()
    current = gk.guidelines.current()
    if current is None:
        raise ApiError(404, "no guidelines have been published yet", code="unknown_guidelines")
    out: dict[str, Any] = {**guidelines_out(current), "accepted": None, "accepted_at": None}
    if caller.user_id is not None:
        acceptance = gk.guidelines.acceptance(caller.user_id)
        out.update(accepted=acceptance is not None, accepted_at=acceptance.accepted_at if acceptance else None)
    return out


@api.get("/guidelines/versions")
@endpoint(
    summary="Every version of the community guidelines, newest first",
    response=GuidelinesSchema,
    many=True,
    allow=public,
    tags=TAGS,
)
def guidelines_versions(caller: Caller) -> list[dict[str, Any]]:
    return [guidelines_out(v) for v in gk_instance().guidelines.history()]


@api.get("/guidelines/versions/<guildkit_id:version>")
@endpoint(
    summary="One version of the community guidelines",
    response=GuidelinesSchema,
    allow=public,
    tags=TAGS,
    errors=(404,),
)
def guidelines_version(caller: Caller, version: int) -> dict[str, Any]:
    return guidelines_out(gk_instance().guidelines.version(version))


@api.post("/guidelines")
@endpoint(
    summary="Publish a new version of the community guidelines",
    body=GuidelinesIn,
    response=GuidelinesSchema,
    status=201,
    allow=permission("admin"),
    tags=TAGS,
    errors=(401, 403, 422),
)
def publish_guidelines(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    # The endpoint checked the admin permission (a person's role or a token's scope).
    published = gk_instance().guidelines.publish(
        caller.user_id,
        title=body["title"],
        body=body["body"],
        summary=body["summary"],
    )
    return guidelines_out(published)


@api.post("/me/guidelines/accept")
@endpoint(
    summary="Accept the current community guidelines",
    body=AcceptIn,
    response=AcceptanceSchema,
    allow=person,
    tags=TAGS,
    errors=(401, 403, 422),
)
def accept_guidelines(caller: Caller, body: dict[str, Any]) -> Any:
    assert caller.user_id is not None
    return gk_instance().guidelines.accept(caller.user_id, body["version"])
