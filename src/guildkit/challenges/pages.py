"""Challenge pages, on the same ``pages`` blueprint as the community pages (``docs/challenges.md``).

=======================================  ===========================================================
``/challenges``                          running, upcoming and finished challenges
``/challenges/<id>``                     the challenge: its steps (with the viewer's progress),
                                         reward, participants; join it (or enter a group)
``/challenges/new``                      make one (``challenges.manage``, or a group's owner)
``/challenges/<id>/join``, ``/close``    the forms' posts
=======================================  ===========================================================

Forms post to their own URLs with the CSRF token; a refused form comes back with every bad field
named at once (422, :mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get). Times
are typed in the community's time zone (``GUILDKIT_TIMEZONE``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import dates
from flask import current_app, redirect, render_template, request, url_for

from guildkit import errors, i18n
from guildkit.challenges import group_service
from guildkit.challenges.checks import COUNT_MAX, DESCRIPTION_MAX, POINTS_MAX, TITLE_MAX, step_types
from guildkit.challenges.errors import UnknownChallenge
from guildkit.challenges.present import (
    challenge_out,
    cursor_key,
    group_out,
    participants_out,
    participation_out,
)
from guildkit.challenges.service import Challenges
from guildkit.definitions import shown
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, default_point_type, error_page, page, point_types
from guildkit.web.pagination import decode_cursor_as, encode_cursor

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 50
#: Step rows on the form: fill in as many as the challenge has, leave the rest empty.
STEP_ROWS = 5
LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX}


def challenge_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the challenges' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownChallenge:
            return error_page(404, _("No such challenge"), _("There is no challenge here."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except (errors.InvalidTransition, errors.Conflict) as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))
        except errors.ValidationError as exc:
            return error_page(422, _("That cannot be done"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _service() -> Challenges:
    service: Challenges = gk_instance().challenges
    return service


def _signed_in() -> str:
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to take part"), _("Sign in to join challenges and make them."))
    return who.user_id


def _may_make(gk: GuildKit, user_id: str | None) -> bool:
    """Whether the viewer makes challenges: for everyone, or for a group they manage."""
    if user_id is None or not caller().active:
        return False
    return _service().can_manage(user_id) or bool(_service().managed_groups(user_id))


@pages.app_template_filter("gk_challenge_time")
def challenge_time(value: datetime) -> str:
    """A day and time in the reader's zone, to the minute: ``Sat, Mar 20, 2027, 12:00 AM``."""
    locale = i18n.current_locale()
    return dates.format_datetime(value, i18n.weekday_pattern(locale), tzinfo=i18n.current_zone(), locale=locale)


# -- reading -------------------------------------------------------------------------------


@pages.get("/challenges")
@challenge_page
def challenges() -> Any:
    gk = gk_instance()
    service = _service()
    sections = [
        ("running", _("Running now"), service.list(state="running", limit=100)),
        ("upcoming", _("Coming up"), service.list(state="upcoming", limit=100)),
        ("finished", _("Finished"), service.list(state="finished", limit=20)),
    ]
    return render_template(
        "guildkit/challenges/list.html",
        sections=[(key, heading, [challenge_out(gk, c) for c in items]) for key, heading, items in sections],
        any_challenge=any(items for _, _, items in sections),
        can_make=_may_make(gk, caller().user_id),
    )


@pages.get("/challenges/<guildkit_id:challenge_id>")
@challenge_page
def challenge(challenge_id: int) -> Any:
    gk = gk_instance()
    service = _service()
    found = service.get(challenge_id)
    after = decode_cursor_as(request.args.get("cursor") or None, 2, cursor_key)
    listed = service.participants(challenge_id, limit=PER_PAGE + 1, after=after)
    more = len(listed) > PER_PAGE
    listed = listed[:PER_PAGE]
    who = caller()
    mine: list[dict[str, Any]] = []
    joinable: list[dict[str, Any]] = []
    if who.member is not None:
        mine = [participation_out(gk, p) for p in service.progress(challenge_id, who.member.user_id)]
        joinable = _joinable(gk, found.audience, found.group_id, who.member.id, mine)
    last = listed[-1] if more and listed else None
    return render_template(
        "guildkit/challenges/challenge.html",
        c=challenge_out(gk, found),
        mine=mine,
        joinable=joinable,
        signed_in=who.is_person,
        participants=participants_out(gk, listed),
        next_url=url_for(
            ".challenge", challenge_id=challenge_id, cursor=encode_cursor([last.joined_at.isoformat(), last.id])
        )
        if last
        else None,
        can_manage=who.user_id is not None and who.active and service.can_manage(who.user_id, found.group_id),
        groups_on=group_service.service(gk) is not None,
        done=request.args.get("done"),
    )


def _joinable(
    gk: GuildKit, audience: str, group_id: int | None, member_id: int, mine: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The groups the viewer may still enter in a group challenge (theirs, not entered yet)."""
    groups = group_service.service(gk)
    if audience != "group" or groups is None:
        return []
    entered = {p["group"]["id"] for p in mine if p["group"] is not None}
    with gk.store.engine.connect() as conn:
        ids = groups.group_ids_of(conn, member_id)
    return [
        out for g in sorted(ids)
        if g not in entered and (group_id is None or g == group_id) and (out := group_out(gk, g)) is not None
    ]  # fmt: skip


@pages.post("/challenges/<guildkit_id:challenge_id>/join")
@challenge_page
def challenge_join(challenge_id: int) -> Any:
    csrf.check()
    user_id = _signed_in()
    raw = request.form.get("group_id", "").strip()
    group_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
    if raw and group_id is None:
        raise PageError(400, _("That form could not be sent"), _("The group chosen is not one of yours."))
    _service().join(user_id, challenge_id, group_id=group_id)
    return redirect(url_for(".challenge", challenge_id=challenge_id, done="joined"), code=303)


@pages.post("/challenges/<guildkit_id:challenge_id>/close")
@challenge_page
def challenge_close(challenge_id: int) -> Any:
    csrf.check()
    user_id = _signed_in()
    _service().close(challenge_id, by=user_id)
    return redirect(url_for(".challenge", challenge_id=challenge_id, done="closed"), code=303)


# -- making --------------------------------------------------------------------------------


def labels() -> dict[str, str]:
    """The form's fields, in the order it shows them."""
    found = {
        "title": _("Title"), "description": _("Description"), "starts_at": _("Starts"), "ends_at": _("Ends"),
        "audience": _("Who takes part"), "group_id": _("Group"), "ordered": _("In order"),
    }  # fmt: skip
    for row in range(1, STEP_ROWS + 1):
        found[f"step_{row}_type"] = _("Step %(number)s: activity", number=row)
        found[f"step_{row}_count"] = _("Step %(number)s: how many", number=row)
    found |= {
        "reward_points": _("Points"), "reward_point_type": _("Kind of points"), "award_badge": _("Badge"),
        "recurrence": _("Repeats"),
    }  # fmt: skip
    return found


def _aliases(rows: list[int]) -> dict[str, str]:
    """The service's names for the steps given (``steps.0.count``) as the form's (``step_2_count``)."""
    found = {"steps": "step_1_type"}
    for index, row in enumerate(rows):
        found[f"steps.{index}.activity_type"] = f"step_{row}_type"
        found[f"steps.{index}.count"] = f"step_{row}_count"
    return found


def _values(form: Form, gk: GuildKit, managed: list[int], everyone: bool) -> dict[str, Any]:
    """The service's fields from the form; a field that cannot be read is refused on the form."""
    zone = gk.state.zone
    rows = [r for r in range(1, STEP_ROWS + 1) if form.text(f"step_{r}_type") or form.text(f"step_{r}_count").strip()]
    form.aliases = _aliases(rows)
    steps = []
    for row in rows:
        count = form.whole_number(
            f"step_{row}_count", low=1, high=COUNT_MAX, required=True,
            message=_("%(field)s must be a whole number from 1 to %(most)s", field=form.label(f"step_{row}_count"),
                      most=i18n.format_number(COUNT_MAX)),
        )  # fmt: skip
        steps.append({"activity_type": form.text(f"step_{row}_type"), "count": count})
    raw_group = form.text("group_id")
    group_id = int(raw_group) if raw_group.isdigit() and int(raw_group) in managed else None
    if raw_group and group_id is None:
        form.add("group_id", _("Choose one of the groups you manage"))
    elif group_id is None and not everyone:
        form.add("group_id", _("Choose the group the challenge is for"))
    points = form.whole_number("reward_points", low=1, high=POINTS_MAX)
    return {
        "title": form.text("title"),
        "description": form.text("description"),
        "starts_at": form.moment("starts_at", zone),
        "ends_at": form.moment("ends_at", zone),
        "steps": steps,
        "audience": form.text("audience") or "individual",
        "group_id": group_id,
        "ordered": bool(form.values["ordered"]),
        "reward_points": points,
        "reward_point_type": form.text("reward_point_type") or None if points is not None else None,
        "award_badge": bool(form.values["award_badge"]),
        "recurrence": form.text("recurrence") or "none",
    }


def _render_form(gk: GuildKit, form: Form, managed: list[int], everyone: bool, status: int = 200) -> tuple[str, int]:
    types = sorted(((t, shown(w.label)) for t, w in step_types(gk.registry).items()), key=lambda pair: pair[1])
    html = render_template(
        "guildkit/challenges/form.html",
        form=form,
        step_rows=[(f"step_{row}_type", f"step_{row}_count") for row in range(1, STEP_ROWS + 1)],
        activity_types=types,
        point_types=point_types(gk),
        groups=[(g["id"], g["name"]) for g in (group_out(gk, gid) for gid in managed) if g is not None],
        everyone=everyone,
        zone=gk.state.zone.key if hasattr(gk.state.zone, "key") else str(gk.state.zone),
        max_steps=current_app.config["GUILDKIT_CHALLENGES_MAX_STEPS"],
    )
    return html, status


@pages.route("/challenges/new", methods=["GET", "POST"])
@challenge_page
def challenge_new() -> Any:
    gk = gk_instance()
    user_id = _signed_in()
    service = _service()
    everyone = caller().active and service.can_manage(user_id)
    managed = service.managed_groups(user_id) if caller().active else []
    if not everyone and not managed:
        raise PageError(
            403, _("Not allowed"), _("Making challenges needs the permission to manage them, or a group of yours.")
        )
    if request.method == "GET":
        values = {"audience": "individual", "recurrence": "none", "reward_point_type": default_point_type(gk) or ""}
        return _render_form(gk, Form(labels(), values, limits=LIMITS), managed, everyone)
    csrf.check()
    form = Form.posted(labels(), checkboxes=("ordered", "award_badge"), limits=LIMITS)
    values = _values(form, gk, managed, everyone)
    saved = form.submit(lambda: service.create(user_id, **values), check=lambda: service.check(**values))
    if saved is None:
        return _render_form(gk, form, managed, everyone, status=422)
    return redirect(url_for(".challenge", challenge_id=saved.id, done="saved"), code=303)
