"""The titles API, on the ``api`` blueprint; see ``docs/titles.md``.

=======================  ===============================================================
``GET /me/title``        the signed-in member's title and the badges they may choose
``PUT /me/title``        choose one (``{"badge": slug}``) or none (``{"badge": null}``)
=======================  ===============================================================
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from guildkit.routes import Routes
from guildkit.titles.service import TitleChoice, Titles
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person

api = Routes("api")

TAGS = ("me",)


class TitleChoiceSchema(Schema):
    badge = fields.String(required=True, metadata={"description": "the badge's slug"})
    text = fields.String(required=True, metadata={"description": "the title, in words"})


class MyTitleSchema(Schema):
    title = fields.Nested(
        TitleChoiceSchema, allow_none=True, required=True, metadata={"description": "the title shown, or null"}
    )
    choices = fields.List(
        fields.Nested(TitleChoiceSchema), required=True, metadata={"description": "the badges they may choose"}
    )


class TitleIn(Schema):
    badge = fields.String(
        required=True, allow_none=True, metadata={"description": "a badge you hold, by slug; null: no title"}
    )


def _service() -> Titles:
    service: Titles = gk_instance().titles
    return service


def _out(chosen: TitleChoice | None, choices: list[TitleChoice]) -> dict[str, Any]:
    return {"title": chosen, "choices": choices}


@api.get("/me/title")
@endpoint(summary="My title, and the badges I may choose as one", response=MyTitleSchema, allow=person, tags=TAGS,
          errors=(401,))  # fmt: skip
def my_title(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    service = _service()
    return _out(service.chosen(caller.user_id), service.choices(caller.user_id))


@api.put("/me/title")
@endpoint(
    summary="Choose a badge I hold as my title (null: none)",
    body=TitleIn,
    response=MyTitleSchema,
    allow=person,
    tags=TAGS,
    errors=(401, 422),
)
def set_my_title(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    service = _service()
    chosen = service.choose(caller.user_id, body["badge"])
    return _out(chosen, service.choices(caller.user_id))
