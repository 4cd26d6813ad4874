"""Choosing group flair: the form in the settings page's ``settings`` slot (``_settings.html``),
posting to ``/settings/flair``, and ``GET``/``PUT /me/flair``; see ``docs/groups.md``, "Flair".

A saved choice goes back to the settings page (Post/Redirect/Get); a refused one (a group left
meanwhile, a forged value) comes back on a page of its own with the problem named, since the
settings page belongs to another feature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, url_for
from marshmallow import Schema, fields

from guildkit.groups.service import Groups
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, person
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")
api = Routes("api")

#: The form's value for "no group".
NONE = ""
#: Ids of this form's fields: the settings page has others.
SCOPE = "flair-"


def labels() -> dict[str, str]:
    return {"group": _("Group shown with your name")}


def _service() -> Groups:
    service: Groups = gk_instance().groups
    return service


# -- the API ----------------------------------------------------------------------------------


class FlairChoiceSchema(Schema):
    group = fields.Integer(required=True, metadata={"description": "the group's id"})
    text = fields.String(required=True, metadata={"description": "the group's name"})


class MyFlairSchema(Schema):
    flair = fields.Nested(
        FlairChoiceSchema, allow_none=True, required=True, metadata={"description": "the group shown, or null"}
    )
    choices = fields.List(
        fields.Nested(FlairChoiceSchema), required=True, metadata={"description": "the groups they may choose"}
    )


class FlairIn(Schema):
    group = fields.Integer(
        required=True, allow_none=True, strict=True, metadata={"description": "one of your groups, by id; null: none"}
    )


def _out(user_id: str) -> dict[str, Any]:
    service = _service()
    mine = service.groups_of(user_id)
    chosen = service.flair_of(user_id)
    choices = [{"group": g.id, "text": g.name} for g in mine]
    return {"flair": next((c for c in choices if c["group"] == chosen), None), "choices": choices}


@api.get("/me/flair")
@endpoint(summary="The group shown with my name, and the groups I may choose", response=MyFlairSchema,
          allow=person, tags=("me",), errors=(401, 403))  # fmt: skip
def my_flair(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    return _out(caller.user_id)


@api.put("/me/flair")
@endpoint(
    summary="Show one of my groups with my name (null: none)",
    body=FlairIn,
    response=MyFlairSchema,
    allow=person,
    tags=("me",),
    errors=(401, 403, 422),
)
def set_my_flair(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    _service().choose_flair(caller.user_id, body["group"])
    return _out(caller.user_id)


# -- the form ---------------------------------------------------------------------------------


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_flair_form": flair_form}


def flair_form(form: Form | None = None) -> dict[str, Any] | None:
    """What the flair form shows the signed-in member: their groups and the one shown (``None``
    for someone not signed in)."""
    who = caller()
    if who.user_id is None:
        return None
    service = _service()
    if form is None:
        chosen = service.flair_of(who.user_id)
        form = Form(labels(), {"group": NONE if chosen is None else str(chosen)}, scope=SCOPE)
    return {"form": form, "choices": [(str(g.id), g.name) for g in service.groups_of(who.user_id)]}


@pages.post("/settings/flair")
@page
def save_flair() -> Any:
    csrf.check()
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to choose your group"), _("The group shown with your name is yours to choose."))
    user_id = who.user_id
    form = Form.posted(labels(), limits={"group": 12}, scope=SCOPE)
    typed = form.text("group")
    group = int(typed) if typed.isdigit() and typed.isascii() else (None if not typed else -1)
    if form.submit(lambda: _service().choose_flair(user_id, group) or True) is None:
        return render_template("guildkit/groups/flair.html", flair_form=flair_form(form)), 422
    return redirect(url_for(".settings", saved="flair") + "#gk-flair", code=303)
