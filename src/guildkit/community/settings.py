"""A member's language and time zone: the ``/settings`` page and ``GET``/``PUT /me/preferences``.

Both store through ``gk.preferences`` (:mod:`guildkit.preferences`); :mod:`guildkit.i18n` applies
the choice to every page guildkit serves the member and to the emails it sends them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import Schema, fields

from guildkit import i18n
from guildkit.community.api import signed_in
from guildkit.preferences import MemberPreferences
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")
api = Routes("api")


def labels() -> dict[str, str]:
    return {"locale": i18n.gettext("Language"), "time_zone": i18n.gettext("Time zone")}


#: The form's value for "the site's own" (stored as ``None``).
HOSTS = ""


class MemberPreferencesSchema(Schema):
    locale = fields.String(
        allow_none=True,
        metadata={"description": "a locale guildkit has translations for (en, de, es); null: the site's"},
    )
    time_zone = fields.String(
        allow_none=True, metadata={"description": "an IANA time zone such as Europe/Berlin; null: the site's"}
    )


def _out(chosen: MemberPreferences) -> dict[str, Any]:
    return {"locale": chosen.locale, "time_zone": chosen.time_zone}


@api.get("/me/preferences")
@endpoint(
    summary="My language and time zone", response=MemberPreferencesSchema, allow=signed_in, tags=("me",), errors=(401,)
)
def my_preferences(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    return _out(gk_instance().preferences.get(caller.user_id))


@api.put("/me/preferences")
@endpoint(
    summary="Choose my language and time zone (null: the site's); a field left out is unchanged",
    body=MemberPreferencesSchema,
    response=MemberPreferencesSchema,
    allow=signed_in,
    tags=("me",),
    errors=(401, 422),
)
def set_my_preferences(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    return _out(gk_instance().preferences.set(caller.user_id, **body))


def _signed_in() -> Caller:
    who = caller()
    if not who.is_person:
        raise PageError(
            401,
            i18n.gettext("Sign in to choose your language"),
            i18n.gettext("Your language and time zone are yours to set."),
        )
    return who


def _show(form: Form, saved: bool = False, status: int = 200) -> Any:
    return (
        render_template(
            "guildkit/settings.html",
            form=form,
            saved=saved,
            locales=[(code, i18n.locale_name(code)) for code in i18n.locales()],
            zones=[(zone, zone.replace("_", " ")) for zone in i18n.time_zones()],
            example=gk_instance().clock(),
        ),
        status,
    )


@pages.get("/settings")
@page
def settings() -> Any:
    who = _signed_in()
    assert who.user_id is not None
    chosen = gk_instance().preferences.get(who.user_id)
    form = Form(labels(), {"locale": chosen.locale or HOSTS, "time_zone": chosen.time_zone or HOSTS})
    return _show(form, saved=request.args.get("saved") is not None)


@pages.post("/settings")
@page
def save_settings() -> Any:
    csrf.check()
    who = _signed_in()
    user_id = who.user_id
    assert user_id is not None
    form = Form.posted(labels(), limits={"locale": 35, "time_zone": 64})
    locale, zone = form.text("locale") or None, form.text("time_zone") or None
    if form.submit(lambda: gk_instance().preferences.set(user_id, locale=locale, time_zone=zone)) is None:
        return _show(form, status=422)
    return redirect(url_for(".settings", saved=1), code=303)
