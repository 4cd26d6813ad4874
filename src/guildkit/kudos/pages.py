"""Kudos pages, on the same ``pages`` blueprint as the community pages (``docs/kudos.md``).

==================================  ====================================================
``/kudos``                          the wall (newest first, paged) and the give form
``/kudos/members/<user_id>``        a member's kudos received (``?side=given``: given),
                                    and a form to give them kudos
``/kudos/<kudos_id>``               one kudos (where its notification and the ledger link)
==================================  ====================================================

A member's profile shows their latest kudos in its ``member`` slot (``_member.html``), with a
link to give them kudos. The forms post to their own page with the CSRF token and a key made
when the form was shown (a second click gives nothing more); a refused form comes back with
every problem named (:mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from babel import dates
from flask import redirect, render_template, request, url_for

from guildkit import i18n
from guildkit.definitions import PageLink
from guildkit.errors import Conflict, NotAllowed, RateLimited, ValidationError
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext
from guildkit.kudos.config import Settings
from guildkit.kudos.errors import OverBudget, UnknownKudos
from guildkit.kudos.present import kudos_out, people
from guildkit.kudos.views import BudgetView, KudosPage, Position, position_of
from guildkit.models import Member
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.auth import Caller
from guildkit.web.endpoint import gk_instance
from guildkit.web.errors import ApiError
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page
from guildkit.web.pagination import decode_cursor_as, encode_cursor
from guildkit.web.present import find_member

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 20
#: The members the wall's form offers to choose from (the newest active ones).
CHOOSABLE = 200
#: The latest kudos a profile shows.
ON_PROFILE = 3
SIDES = ("received", "given")


def labels() -> dict[str, str]:
    return {"receiver": _("To"), "message": _("Message")}


def kudos_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the kudos' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownKudos:
            return error_page(404, _("No such kudos"), _("These kudos do not exist, or were taken back."))

    return page(run)


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_kudos_profile": _profile}


# -- what the pages show -------------------------------------------------------------------


def refill_day(moment: datetime, period: str) -> str:
    """When a budget refills, as members read it: the weekday ("Monday"), or the day of the month
    ("May 1") for a monthly budget, in the reader's time zone and language."""
    locale = i18n.current_locale()
    local = i18n.local(moment)
    if period == "month":
        return dates.format_skeleton("MMMMd", local, locale=locale)
    return dates.format_datetime(local, "EEEE", locale=locale)


def _entries(gk: GuildKit, found: KudosPage, who: Caller) -> list[dict[str, Any]]:
    return kudos_out(gk, found.items, who)


def _cursor() -> Position | None:
    try:
        return decode_cursor_as(request.args.get("cursor") or None, 2, position_of)
    except ApiError:
        raise PageError(400, _("That page does not exist"), _("The link to this page of kudos is broken.")) from None


def _next(found: KudosPage) -> str | None:
    key = found.cursor()
    return encode_cursor(key) if key is not None else None


def _members(gk: GuildKit, viewer: str | None) -> list[tuple[str, str]]:
    """``(user_id, name)`` of the members the wall's form offers: the newest active ones, by name."""
    ids = gk.session.scalars(
        sa.select(Member.user_id).where(Member.status == "active").order_by(Member.id.desc()).limit(CHOOSABLE)
    )
    found = people(gk, [user_id for user_id in ids if user_id != viewer])
    return sorted(((user_id, p["name"]) for user_id, p in found.items()), key=lambda m: (m[1].casefold(), m[0]))


def _choices(members: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(value, name)`` for the form's list: a name that is unique stands for its member (what
    the field then shows), another is written as the member's user id."""
    counted: dict[str, int] = {}
    for _user_id, name in members:
        counted[name.casefold()] = counted.get(name.casefold(), 0) + 1
    return [(name if counted[name.casefold()] == 1 else user_id, name) for user_id, name in members]


def _find_receiver(gk: GuildKit, typed: str, viewer: str | None) -> str:
    """The user id the ``To`` field names: a member's user id, or the name of one of the members
    the form offers (ignoring case)."""
    text = typed.strip()
    if not text:
        raise ValidationError(_("%(field)s must not be empty", field="receiver"), field="receiver")
    if gk.session.scalar(sa.select(Member.id).where(Member.user_id == text)) is not None:
        return text
    wanted = text.casefold()
    matches = [user_id for user_id, name in _members(gk, viewer) if name.casefold() == wanted]
    if len(matches) > 1:
        raise ValidationError(
            _("%(field)s: several members have this name, choose one from the list", field="receiver"),
            field="receiver",
        )
    return matches[0] if matches else text  # no such member: the service says so


def _giving(
    gk: GuildKit, who: Caller, *, receiver: dict[str, Any] | None = None, form: Form | None = None
) -> dict[str, Any]:
    """What a give form needs: why the viewer may not give (``state``), their budget, the form
    (with a fresh key) and, on the wall, the members to choose from."""
    if who.user_id is None:
        return {"state": "signed_out"}
    if not who.active:
        return {"state": "inactive"}
    if receiver is not None and who.is_self(receiver["user_id"]):
        return {"state": "self"}
    budget: BudgetView = gk.kudos.budget(who.user_id)
    state = "untrusted" if not budget.trusted else "spent" if budget.left == 0 else "open"
    if form is None:
        form = Form(labels(), {"key": uuid.uuid4().hex}, limits=_limits())
    return {
        "state": state,
        "budget": budget,
        "refills": refill_day(budget.refills_at, budget.period),
        "form": form,
        "receiver": receiver,
        "choices": _choices(_members(gk, who.user_id)) if receiver is None and state == "open" else [],
        "message_max": Settings.current().message_max,
    }


def _limits() -> dict[str, int]:
    return {"receiver": 191, "message": Settings.current().message_max, "key": 100}


def _given(gk: GuildKit) -> dict[str, Any] | None:
    """The kudos the viewer just gave (``?given=<id>``), to say so."""
    given, who = request.args.get("given", ""), caller()
    if not given.isdigit() or len(given) > 9 or who.user_id is None:
        return None
    try:
        entry = kudos_out(gk, [gk.kudos.get(int(given))], who)[0]
    except UnknownKudos:
        return None
    return entry if entry["giver"]["user_id"] == who.user_id else None


def _counts(gk: GuildKit, user_id: str) -> dict[str, int]:
    """The member's kudos counts, read once per request: the profile's links and its section both show them."""
    kept: dict[str, dict[str, int]] = request.environ.setdefault("guildkit.kudos_counts", {})
    if user_id not in kept:
        kept[user_id] = gk.kudos.counts(user_id)
    return kept[user_id]


def profile_links(gk: GuildKit, user_id: str, viewer: str | None) -> list[PageLink]:
    """Links on every member's profile: to their kudos and, for another active member, to give
    them kudos."""
    received = _counts(gk, user_id)["received"]
    links = [
        PageLink(
            ngettext(
                "%(count)s kudos received", "%(count)s kudos received", received, count=i18n.format_number(received)
            ),
            url_for(".kudos_member", user_id=user_id),
        )
    ]
    who = caller()
    if viewer is not None and viewer != user_id and who.active and find_member(gk, user_id).status == "active":
        links.append(PageLink(_("Give kudos"), url_for(".kudos_member", user_id=user_id) + "#gk-give"))
    return links


def _profile(user_id: str) -> dict[str, Any]:
    """The profile's kudos section (``gk_kudos_profile`` in ``_member.html``)."""
    gk = gk_instance()
    who = caller()
    member = find_member(gk, user_id)
    can_give = who.user_id is not None and who.active and not who.is_self(user_id) and member.status == "active"
    return {
        "counts": _counts(gk, user_id),
        "latest": _entries(gk, gk.kudos.received(user_id, limit=ON_PROFILE), who),
        "can_give": can_give,
    }


# -- the wall ------------------------------------------------------------------------------


def _wall(gk: GuildKit, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    who = caller()
    before = _cursor()
    found = gk.kudos.wall(limit=PER_PAGE, before=before)
    html = render_template(
        "guildkit/kudos/wall.html",
        entries=_entries(gk, found, who),
        giving=_giving(gk, who, form=form),
        given=_given(gk) if form is None else None,
        next_url=url_for(".kudos_wall", cursor=_next(found)) if found.next_before else None,
        first_url=url_for(".kudos_wall") if before else None,
    )
    return html, status


@pages.get("/kudos")
@kudos_page
def kudos_wall() -> Any:
    return _wall(gk_instance())


@pages.post("/kudos")
@kudos_page
def kudos_give() -> Any:
    csrf.check()
    gk = gk_instance()
    giver = _giver()
    form = Form.posted({**labels(), "key": "key"}, limits=_limits())
    receiver = form.run(lambda: _find_receiver(gk, form.text("receiver"), giver))
    given, status = _submit(gk, giver, form, receiver)
    if given is None:
        return _wall(gk, form, status)
    return redirect(url_for(".kudos_wall", given=given) + f"#kudos-{given}", code=303)


# -- a member's kudos ----------------------------------------------------------------------


def _member_page(gk: GuildKit, user_id: str, form: Form | None = None, status: int = 200) -> tuple[str, int]:
    who = caller()
    member = find_member(gk, user_id)
    side = request.args.get("side", "received")
    side = side if side in SIDES else "received"
    before = _cursor()
    read = gk.kudos.received if side == "received" else gk.kudos.given
    found = read(user_id, limit=PER_PAGE, before=before)
    person = people(gk, [user_id])[user_id]
    receiving = member.status == "active"
    html = render_template(
        "guildkit/kudos/member.html",
        person=person,
        side=side,
        counts=gk.kudos.counts(user_id),
        entries=_entries(gk, found, who),
        giving=_giving(gk, who, receiver=person, form=form) if receiving else {"state": "closed"},
        given=_given(gk) if form is None else None,
        next_url=url_for(".kudos_member", user_id=user_id, side=side, cursor=_next(found))
        if found.next_before
        else None,
        first_url=url_for(".kudos_member", user_id=user_id, side=side) if before else None,
    )
    return html, status


@pages.get("/kudos/members/<user_id>")
@kudos_page
def kudos_member(user_id: str) -> Any:
    return _member_page(gk_instance(), user_id)


@pages.post("/kudos/members/<user_id>")
@kudos_page
def kudos_give_member(user_id: str) -> Any:
    csrf.check()
    gk = gk_instance()
    find_member(gk, user_id)
    giver = _giver()
    form = Form.posted({"message": _("Message"), "key": "key"}, limits=_limits())
    given, status = _submit(gk, giver, form, user_id)
    if given is None:
        return _member_page(gk, user_id, form, status)
    return redirect(url_for(".kudos_member", user_id=user_id, given=given) + f"#kudos-{given}", code=303)


# -- one kudos -----------------------------------------------------------------------------


@pages.get("/kudos/<guildkit_id:kudos_id>")
@kudos_page
def kudos_one(kudos_id: int) -> Any:
    gk = gk_instance()
    entry = kudos_out(gk, [gk.kudos.get(kudos_id)], caller())[0]
    return render_template("guildkit/kudos/one.html", entry=entry)


# -- giving --------------------------------------------------------------------------------


def _giver() -> str:
    """The signed-in member giving; else a 401 or 403 page."""
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to give kudos"), _("Only members of the community can give kudos."))
    if not who.active:
        raise PageError(403, _("Not allowed"), _("Your membership is not active, so you cannot give kudos."))
    return who.user_id


def _submit(gk: GuildKit, giver: str, form: Form, receiver: str | None) -> tuple[int | None, int]:
    """Give the kudos the form says; returns its id, or ``None`` and the status to show the form
    again with (every problem named on it)."""
    key = form.text("key") or None
    message = form.text("message")
    try:
        given = form.submit(
            lambda: gk.kudos.give(giver, receiver, message, key=key),
            check=lambda: gk.kudos.check(giver, receiver, message, key=key),
        )
    except OverBudget as exc:
        form.add(None, _("You have no kudos left: they refill on %(day)s.", day=refill_day(exc.refills_at, exc.period)))
        return None, 409
    except RateLimited:
        form.add(None, _("You are giving kudos too fast: wait a little and try again."))
        return None, 429
    except (Conflict, NotAllowed) as exc:
        form.add(None, exc.message)
        return None, 403 if isinstance(exc, NotAllowed) else 409
    return (given.id, 303) if given is not None else (None, 422)
