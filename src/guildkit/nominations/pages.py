"""Nomination pages, on the same ``pages`` blueprint as the community pages (``docs/nominations.md``).

==================================  ====================================================
``/nominations``                    yours: made by you, your approved ones, your queue
``/nominations/new``                nominate a member (picked from a list) for a badge
``/nominations/queue``              waiting for your decision (approvers), with the forms
``/nominations/<id>``               one nomination: its state in words, its votes, forms
==================================  ====================================================

Forms post with the CSRF token; a refused one comes back with every bad field named (422,
:mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get). A nomination you may not
see is a 404, as if it did not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit import errors, queries
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext
from guildkit.nominations.badges import Nominatable
from guildkit.nominations.errors import DuplicateNomination, UnknownNomination
from guildkit.nominations.models import REASON_MAX
from guildkit.nominations.present import nomination_out, nominations_out, state_labels
from guildkit.nominations.service import PERMISSION
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page
from guildkit.web.present import member_out, names

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 20
#: The most members the nominate form lists at once (search narrows it).
PICK_MOST = 100
#: Where a decision made from the queue goes back to.
NEXT = {"queue": ".nominations_queue"}


@pages.context_processor
def _context() -> dict[str, Any]:
    def nominated(user_id: str) -> list[dict[str, Any]]:
        gk = gk_instance()
        return nominations_out(gk, gk.nominations.approved_of(user_id, limit=PER_PAGE))

    return {"gk_nominated": nominated}


def nomination_labels() -> dict[str, str]:
    return {"nominee": _("Member"), "badge": _("Badge"), "reason": _("Why they deserve it")}


def decision_labels() -> dict[str, str]:
    return {"reason": _("Your reason")}


def nomination_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the nominations' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownNomination:
            return error_page(404, _("No such nomination"), _("There is no nomination here."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except errors.InvalidTransition as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))
        except errors.Conflict as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _signed_in() -> str:
    """The signed-in person who may take part; else a 401 or 403 page."""
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to nominate"), _("Sign in to nominate members and see your nominations."))
    if not who.active:
        raise PageError(403, _("Not allowed"), _("Your membership does not allow taking part right now."))
    return who.user_id


def _before(name: str = "before") -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 19 else None


# -- yours ---------------------------------------------------------------------------------


@pages.get("/nominations")
@nomination_page
def my_nominations() -> Any:
    gk = gk_instance()
    user_id = _signed_in()
    who = caller()
    made: list[Any] = []
    mine: list[Any] = []
    waiting = 0
    if who.member is not None:
        made = gk.nominations.made_by(user_id, limit=PER_PAGE + 1, before=_before())
        mine = gk.nominations.approved_of(user_id, limit=PER_PAGE)
        waiting = len(gk.nominations.queue(user_id, limit=100))
    every = gk.nominations.list(limit=PER_PAGE) if who.can(PERMISSION) else []
    more = len(made) > PER_PAGE
    made = made[:PER_PAGE]
    return render_template(
        "guildkit/nominations/mine.html",
        made=nominations_out(gk, made, user_id),
        recognitions=nominations_out(gk, mine, user_id),
        every=nominations_out(gk, every, user_id),
        waiting=waiting,
        approver=waiting > 0 or _approves_any(gk),
        can_nominate=bool(gk.nominations.badges()),
        states=state_labels(),
        next_url=url_for(".my_nominations", before=made[-1].id) if more and made else None,
        first_url=url_for(".my_nominations") if _before() else None,
        done=request.args.get("done"),
    )


def _approves_any(gk: GuildKit) -> bool:
    """Whether the signed-in member holds a role that approves some nominatable badge."""
    member = caller().member
    roles = {option.role for option in gk.nominations.badges()}
    return member is not None and bool(roles & set(queries.role_slugs(gk.session, member.id)))


# -- nominating ----------------------------------------------------------------------------


def _candidates(gk: GuildKit, user_id: str, q: str, chosen: str) -> list[tuple[str, str]]:
    """Active members to pick from (never oneself), by name: those whose name has ``q``, and the
    one already chosen."""
    found = queries.members_page(gk.session, q=q or None, status="active", limit=PICK_MOST, after=None)
    people = [member_out(gk, m) for m in found[:PICK_MOST] if m.user_id != user_id]
    if chosen and chosen != user_id and all(p["user_id"] != chosen for p in people):
        people += [{"user_id": chosen, "name": names(gk, [chosen])[chosen]}]
    return sorted(((p["user_id"], p["name"]) for p in people), key=lambda pair: (pair[1].lower(), pair[0]))


def _approval_rule(option: Nominatable) -> str:
    return ngettext(
        "%(badge)s: approved by %(num)s member with the role %(role)s.",
        "%(badge)s: approved by %(num)s members with the role %(role)s.",
        option.approvals, badge=option.name, role=option.role_name,
    )  # fmt: skip


def _render_new(gk: GuildKit, user_id: str, form: Form, q: str, status: int = 200) -> tuple[str, int]:
    options = gk.nominations.badges()
    html = render_template(
        "guildkit/nominations/new.html",
        form=form,
        q=q,
        members=_candidates(gk, user_id, q, form.text("nominee")),
        badge_options=[(o.value, o.name) for o in options],
        rules=list(dict.fromkeys(_approval_rule(o) for o in options if o.level == 1)),
        any_badge=bool(options),
    )
    return html, status


@pages.route("/nominations/new", methods=["GET", "POST"])
@nomination_page
def nomination_new() -> Any:
    gk = gk_instance()
    user_id = _signed_in()
    limits = {"reason": REASON_MAX, "nominee": 191, "badge": 200}
    if request.method == "GET":
        badge = request.args.get("badge", "")
        chosen = next((o.value for o in gk.nominations.badges() if o.badge == badge), badge)
        values = {"nominee": request.args.get("nominee", ""), "badge": chosen}
        q = request.args.get("q", "").strip()[:100]
        return _render_new(gk, user_id, Form(nomination_labels(), values, limits=limits), q)
    csrf.check()
    form = Form.posted(nomination_labels(), limits=limits)
    slug, _sep, level = form.text("badge").rpartition(":")
    fields: dict[str, Any] = {
        "badge": slug or form.text("badge"),
        "level": int(level) if level.isascii() and level.isdigit() and len(level) < 4 else 1,
        "reason": form.text("reason"),
    }
    nominee = form.text("nominee")
    service = gk.nominations
    try:
        made = form.submit(lambda: service.nominate(user_id, nominee, **fields),
                           check=lambda: service.check(user_id, nominee, **fields))  # fmt: skip
    except DuplicateNomination as exc:
        form.add("nominee", exc.message)
        made = None
    if made is None:
        return _render_new(gk, user_id, form, request.form.get("q", "").strip()[:100], status=422)
    return redirect(url_for(".nomination", nomination_id=made.id, done="made"), code=303)


# -- deciding ------------------------------------------------------------------------------


@pages.get("/nominations/queue")
@nomination_page
def nominations_queue() -> Any:
    gk = gk_instance()
    user_id = _signed_in()
    found = gk.nominations.queue(user_id, limit=PER_PAGE + 1, after=_before("after")) if caller().member else []
    more = len(found) > PER_PAGE
    found = found[:PER_PAGE]
    return render_template(
        "guildkit/nominations/queue.html",
        items=nominations_out(gk, found, user_id),
        forms={n.id: Form(decision_labels(), limits={"reason": REASON_MAX}, scope=f"n{n.id}-") for n in found},
        next_url=url_for(".nominations_queue", after=found[-1].id) if more and found else None,
        first_url=url_for(".nominations_queue") if _before("after") else None,
        done=request.args.get("done"),
    )


@pages.get("/nominations/<guildkit_id:nomination_id>")
@nomination_page
def nomination(nomination_id: int) -> Any:
    gk = gk_instance()
    return _render_nomination(gk, nomination_id)


def _decision_form(posted: bool = False) -> Form:
    make = Form.posted if posted else Form
    return make(decision_labels(), limits={"reason": REASON_MAX})


def _withdraw_form(posted: bool = False) -> Form:
    labels = {"reason": _("Why you withdraw it")}
    if posted:
        return Form.posted(labels, limits={"reason": REASON_MAX}, scope="withdraw-")
    return Form(labels, limits={"reason": REASON_MAX}, scope="withdraw-")


def _render_nomination(
    gk: GuildKit, nomination_id: int, form: Form | None = None, withdraw: Form | None = None, status: int = 200
) -> tuple[str, int]:
    viewer = caller().user_id
    found = gk.nominations.visible(nomination_id, viewer)
    html = render_template(
        "guildkit/nominations/nomination.html",
        n=nomination_out(gk, found, viewer),
        form=form or _decision_form(),
        withdraw_form=withdraw or _withdraw_form(),
        done=request.args.get("done"),
    )
    return html, status


@pages.post("/nominations/<guildkit_id:nomination_id>/decide")
@nomination_page
def nomination_decide(nomination_id: int) -> Any:
    csrf.check()
    gk = gk_instance()
    user_id = _signed_in()
    gk.nominations.visible(nomination_id, user_id)
    form = _decision_form(posted=True)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        raise PageError(400, _("That form could not be sent"), _("Choose to approve or to reject."))
    act = gk.nominations.approve if decision == "approve" else gk.nominations.reject
    if form.submit(lambda: act(user_id, nomination_id, reason=form.text("reason"))) is None:
        return _render_nomination(gk, nomination_id, form=form, status=422)
    done = "approved" if decision == "approve" else "rejected"
    back = NEXT.get(request.form.get("next", ""))
    if back is not None:
        return redirect(url_for(back, done=done), code=303)
    return redirect(url_for(".nomination", nomination_id=nomination_id, done=done), code=303)


@pages.post("/nominations/<guildkit_id:nomination_id>/withdraw")
@nomination_page
def nomination_withdraw(nomination_id: int) -> Any:
    csrf.check()
    gk = gk_instance()
    user_id = _signed_in()
    gk.nominations.visible(nomination_id, user_id)
    form = _withdraw_form(posted=True)
    if form.submit(lambda: gk.nominations.withdraw(user_id, nomination_id, reason=form.text("reason"))) is None:
        return _render_nomination(gk, nomination_id, withdraw=form, status=422)
    return redirect(url_for(".nomination", nomination_id=nomination_id, done="withdrawn"), code=303)
