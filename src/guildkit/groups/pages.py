"""Group pages, on the same ``pages`` blueprint as the community pages (``docs/groups.md``).

=======================================  ===============================================================
``/groups``                              the directory, searched by name or about
``/groups/board``                        the team board: groups ranked by their members' points
``/groups/new``                          make a group (``GUILDKIT_GROUPS_CREATE``)
``/groups/<group>``                      the group: about, your place (join, ask, accept, leave), goals
                                         with progress, badges, members with avatars, recent activity;
                                         for its managers, requests, invitations and roles
``/groups/<group>/edit``                 change it (owners and maintainers)
``/groups/<group>/goals/new``            set it a goal (owners and maintainers)
``/groups/<group>/leaderboard``          a leaderboard of its members only
=======================================  ===============================================================

Every change is a POST form with the CSRF token; a done one redirects (Post/Redirect/Get) to
the group's page, which says what happened; a refused one is an error page saying why (a
refused form comes back with every bad field named, 422).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from guildkit import errors, leaderboards
from guildkit.definitions import shown
from guildkit.extension import GuildKit
from guildkit.groups import recent
from guildkit.groups.errors import UnknownGoal, UnknownGroup
from guildkit.groups.goals import NAME_MAX as GOAL_NAME_MAX
from guildkit.groups.goals import TARGET_MAX, known_types
from guildkit.groups.present import (
    goal_out,
    group_badge_out,
    group_out,
    memberships_out,
    people,
    policy_labels,
    role_labels,
    team_out,
)
from guildkit.groups.service import CAPACITY_MAX, DESCRIPTION_MAX, NAME_MAX, Groups
from guildkit.groups.views import GroupView
from guildkit.i18n import gettext as _
from guildkit.leaderboards import Standing
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, default_point_type, error_page, page, point_types
from guildkit.web.pagination import decode_cursor, encode_cursor
from guildkit.web.present import standing_out
from guildkit.words import Words

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 20
MEMBERS_SHOWN = 60
BOARD_PAGE = 50
GROUP_LIMITS = {"slug": 64, "name": NAME_MAX, "description": DESCRIPTION_MAX}
GOAL_LIMITS = {"name": GOAL_NAME_MAX, "badge": 100}
SELF = "join,request,withdraw,accept,refuse,leave"
MANAGER = "approve,decline,revoke,remove"


def group_labels() -> dict[str, str]:
    return {"slug": _("Short name"), "name": _("Name"), "description": _("About"), "policy": _("Who may join"),
            "capacity": _("Most members")}  # fmt: skip


def goal_labels() -> dict[str, str]:
    return {"name": _("Name"), "activity_type": _("What counts"), "target": _("How many"), "starts_at": _("Starts"),
            "ends_at": _("Ends"), "recurring": _("Every month"), "min_contribution": _("Share for the badge"),
            "badge": _("Badge")}  # fmt: skip


def group_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the groups' own errors as HTML pages saying why."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownGroup:
            return error_page(404, _("No such group"), _("There is no group here."))
        except UnknownGoal:
            return error_page(404, _("No such goal"), _("This group has no such goal."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except (errors.InvalidTransition, errors.CapacityReached) as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _service() -> Groups:
    service: Groups = gk_instance().groups
    return service


def _signed_in() -> str:
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in first"), _("Sign in to take part in groups."))
    return who.user_id


def _manager(group: GroupView) -> str:
    user_id = _signed_in()
    if not _service().manages(group.id, user_id):
        raise PageError(403, _("Not allowed"), _("Only the group's owners and maintainers may do this."))
    return user_id


# -- reading -------------------------------------------------------------------------------


@pages.get("/groups")
@group_page
def groups() -> Any:
    gk = gk_instance()
    q = (request.args.get("q") or "").strip()[:100]
    after = decode_cursor(request.args.get("cursor") or None, 2)
    if after is not None and not (isinstance(after[0], str) and isinstance(after[1], int)):
        raise PageError(400, _("That page does not exist"), _("The link to this page of groups is broken."))
    found, more = _service().directory(q=q or None, limit=PER_PAGE, after=(after[0], after[1]) if after else None)
    who = caller()
    mine = {g.id for g in _service().groups_of(who.user_id)} if who.user_id else set()
    return render_template(
        "guildkit/groups/list.html",
        groups=[group_out(gk, g) | {"mine": g.id in mine} for g in found],
        q=q,
        next_url=url_for(".groups", q=q or None, cursor=encode_cursor(list(more))) if more else None,
        first_url=url_for(".groups", q=q or None) if after else None,
        may_create=who.user_id is not None and _service().may_create(who.user_id),
    )


@pages.get("/groups/board")
@group_page
def team_board() -> Any:
    gk = gk_instance()
    point_type = request.args.get("point_type") or default_point_type(gk)
    if point_type is None or point_type not in gk.registry.point_types:
        raise errors.UnknownPointType(point_type or "")
    period = request.args.get("period", "all")
    period = period if period in leaderboards.PERIODS else "all"
    by = request.args.get("by", "total")
    by = by if by in ("total", "average") else "total"
    rows = [team_out(gk, s) for s in _service().team_board(point_type, period=period, by=by, limit=BOARD_PAGE)]
    return render_template(
        "guildkit/groups/board.html",
        rows=rows,
        point_type=point_type,
        point_type_name=shown(gk.registry.point_types[point_type].name),
        point_types=point_types(gk),
        period=period,
        by=by,
        periods=_periods(),
    )


def _periods() -> dict[str, str]:
    return {"all": _("All time"), "week": _("This week"), "month": _("This month")}


@pages.get("/groups/<group>")
@group_page
def group(group: str) -> Any:
    gk = gk_instance()
    service = _service()
    found = service.find(group)
    who = caller()
    mine = service.membership(found.id, who.user_id) if who.user_id else None
    manages = service.manages(found.id, who.user_id)
    offset = request.args.get("offset", "0")
    offset_n = int(offset) if offset.isdigit() and len(offset) < 9 else 0
    members = memberships_out(gk, service.memberships(found.id, limit=MEMBERS_SHOWN + 1, offset=offset_n))
    requests_ = invitations = []
    if manages:
        requests_ = memberships_out(gk, service.memberships(found.id, state="requested", limit=100))
        invitations = memberships_out(gk, service.memberships(found.id, state="invited", limit=100))
    return render_template(
        "guildkit/groups/group.html",
        group=group_out(gk, found),
        policy_name=policy_labels()[found.policy],
        mine=mine,
        signed_in=who.user_id is not None,
        manages=manages,
        members=members[:MEMBERS_SHOWN],
        more_url=url_for(".group", group=found.slug, offset=offset_n + MEMBERS_SHOWN) + "#gk-members"
        if len(members) > MEMBERS_SHOWN
        else None,
        requests=requests_,
        invitations=invitations,
        goals=[_goal_page(gk, g) for g in service.goals(found.id)],
        badges=[group_badge_out(gk, b) for b in service.badges_of(found.id)],
        activity=recent.activity(gk, found.id),
        roles=role_labels(),
        done=request.args.get("done"),
        invite_form=Form({"member": _("Member")}, limits={"member": 191}, scope="invite-"),
        default_point_type=default_point_type(gk),
    )


def _goal_page(gk: GuildKit, goal: Any) -> dict[str, Any]:
    """A goal as its page shows it: the period as local days of the community."""
    out = goal_out(gk, goal)
    zone = gk.state.zone
    out["first_day"] = out["period_start"].astimezone(zone).date()
    end = out["period_end"]
    out["last_day"] = (end - timedelta(microseconds=1)).astimezone(zone).date() if end is not None else None
    return out


@pages.get("/groups/<group>/leaderboard")
@group_page
def group_leaderboard(group: str) -> Any:
    gk = gk_instance()
    found = _service().find(group)
    point_type = request.args.get("point_type") or default_point_type(gk)
    if point_type is None or point_type not in gk.registry.point_types:
        raise errors.UnknownPointType(point_type or "")
    period = request.args.get("period", "all")
    period = period if period in leaderboards.PERIODS else "all"
    after = decode_cursor(request.args.get("cursor") or None, 2)
    if after is not None and not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
        raise PageError(400, _("That page does not exist"), _("The link to this page of the board is broken."))
    cursor = Standing(0, after[1], "", None, after[0]) if after else None
    board = _service().leaderboard(found.id, point_type, period=period, limit=BOARD_PAGE, after=cursor)
    who = caller()
    me = None
    if who.member is not None and _service().membership(found.id, who.member.user_id) is not None:
        mine = _service().leaderboard(found.id, point_type, period=period, limit=1, around=who.member.user_id).me
        me = standing_out(gk, mine) if mine is not None else None
    rows = [standing_out(gk, s) for s in board.standings]
    faces = people(gk, [r["user_id"] for r in rows])
    last = board.next_after
    return render_template(
        "guildkit/groups/leaderboard.html",
        group=group_out(gk, found),
        rows=[r | {"avatar_url": faces[r["user_id"]]["avatar_url"]} for r in rows],
        me=me,
        point_type=point_type,
        point_type_name=shown(gk.registry.point_types[point_type].name),
        point_types=point_types(gk),
        period=period,
        periods=_periods(),
        next_url=url_for(
            ".group_leaderboard",
            group=found.slug,
            point_type=point_type,
            period=period,
            cursor=encode_cursor([last.points, last.member_id]),
        )
        if last
        else None,
    )


# -- membership ----------------------------------------------------------------------------


@pages.post(f"/groups/<group>/<any({SELF}):action>")
@group_page
def group_act(group: str, action: str) -> Any:
    csrf.check()
    user_id = _signed_in()
    found = _service().find(group)
    _service().act(action, found.id, user_id)
    return redirect(url_for(".group", group=found.slug, done=action), code=303)


@pages.post(f"/groups/<group>/members/<user_id>/<any({MANAGER}):action>")
@group_page
def group_member_act(group: str, user_id: str, action: str) -> Any:
    csrf.check()
    found = _service().find(group)
    by = _manager(found)
    _service().act(action, found.id, user_id, by=by)
    return redirect(url_for(".group", group=found.slug, done=action) + "#gk-manage", code=303)


@pages.post("/groups/<group>/members/<user_id>/role")
@group_page
def group_member_role(group: str, user_id: str) -> Any:
    csrf.check()
    found = _service().find(group)
    by = _manager(found)
    role = request.form.get("role", "")
    if role not in role_labels():
        raise PageError(422, _("That cannot be done"), _("Choose owner, maintainer or member."))
    _service().set_role(by, found.id, user_id, role)
    return redirect(url_for(".group", group=found.slug, done="role") + "#gk-members", code=303)


@pages.post("/groups/<group>/invite")
@group_page
def group_invite(group: str) -> Any:
    csrf.check()
    gk = gk_instance()
    found = _service().find(group)
    by = _manager(found)
    target = recent.find_member(gk, request.form.get("member", "")[:191])
    if target is None:
        return error_page(422, _("No such member"), _("Nobody in the community goes by that name or id."))
    _service().invite(by, found.id, target)
    return redirect(url_for(".group", group=found.slug, done="invite") + "#gk-manage", code=303)


# -- making and changing -------------------------------------------------------------------


def _group_fields(form: Form) -> dict[str, Any]:
    capacity = form.whole_number(
        "capacity", low=1, high=CAPACITY_MAX,
        message=_("%(field)s must be a whole number from 1 to %(most)s, or empty for no limit", field="capacity",
                  most=CAPACITY_MAX),
    )  # fmt: skip
    return {"name": form.text("name"), "description": form.text("description"), "policy": form.text("policy"),
            "capacity": capacity}  # fmt: skip


def _render_group_form(found: GroupView | None, form: Form, status: int = 200) -> tuple[str, int]:
    options = list(policy_labels().items())
    return render_template("guildkit/groups/form.html", group=found, form=form, policies=options), status


@pages.route("/groups/new", methods=["GET", "POST"])
@group_page
def group_new() -> Any:
    user_id = _signed_in()
    service = _service()
    if not service.may_create(user_id):
        raise PageError(403, _("Not allowed"), _("You may not make groups here."))
    if request.method == "GET":
        defaults = {"policy": current_app.config["GUILDKIT_GROUPS_DEFAULT_POLICY"]}
        return _render_group_form(None, Form(group_labels(), defaults, limits=GROUP_LIMITS))
    csrf.check()
    form = Form.posted(group_labels(), limits=GROUP_LIMITS)
    fields = _group_fields(form)
    slug = form.text("slug").strip() or None
    made = form.submit(
        lambda: service.create(user_id, slug=slug, **fields),
        check=lambda: service.check(slug=slug, **fields),
    )
    if made is None:
        return _render_group_form(None, form, 422)
    return redirect(url_for(".group", group=made.slug, done="created"), code=303)


@pages.route("/groups/<group>/edit", methods=["GET", "POST"])
@group_page
def group_edit(group: str) -> Any:
    service = _service()
    found = service.find(group)
    user_id = _manager(found)
    if request.method == "GET":
        values = {"name": found.name, "description": found.description, "policy": found.policy,
                  "capacity": "" if found.capacity is None else str(found.capacity)}  # fmt: skip
        return _render_group_form(found, Form(group_labels(), values, limits=GROUP_LIMITS))
    csrf.check()
    form = Form.posted(group_labels(), limits=GROUP_LIMITS)
    fields = _group_fields(form)
    saved = form.submit(lambda: service.update(user_id, found.id, **fields), check=lambda: service.check(**fields))
    if saved is None:
        return _render_group_form(found, form, 422)
    return redirect(url_for(".group", group=found.slug, done="saved"), code=303)


def _local_input(value: datetime) -> str:
    return value.astimezone(gk_instance().state.zone).strftime("%Y-%m-%dT%H:%M")


@pages.route("/groups/<group>/goals/new", methods=["GET", "POST"])
@group_page
def goal_new(group: str) -> Any:
    gk = gk_instance()
    service = _service()
    found = service.find(group)
    user_id = _manager(found)
    words = Words(gk.registry)
    types = sorted(((t, words.label(t)) for t in known_types(gk.registry)), key=lambda pair: pair[1].lower())
    zone = gk.state.zone

    def render(form: Form, status: int = 200) -> tuple[str, int]:
        html = render_template("guildkit/groups/goal_form.html", group=group_out(gk, found), form=form, types=types,
                               zone=getattr(zone, "key", str(zone)))  # fmt: skip
        return html, status

    if request.method == "GET":
        start = gk.clock().astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        share = str(current_app.config["GUILDKIT_GROUPS_MIN_CONTRIBUTION"])
        defaults = {"starts_at": _local_input(start), "target": "100", "min_contribution": share, "recurring": True}
        return render(Form(goal_labels(), defaults, limits=GOAL_LIMITS))
    csrf.check()
    form = Form.posted(goal_labels(), checkboxes=("recurring",), limits=GOAL_LIMITS)
    recurring = "monthly" if form.values["recurring"] else None
    fields: dict[str, Any] = {
        "name": form.text("name"),
        "activity_type": form.text("activity_type"),
        "target": form.whole_number("target", low=1, high=TARGET_MAX, required=True),
        "starts_at": form.moment("starts_at", zone),
        "ends_at": form.moment("ends_at", zone) if form.text("ends_at").strip() else None,
        "recurring": recurring,
        "min_contribution": form.whole_number("min_contribution", low=1, high=TARGET_MAX, required=True),
        "badge": form.text("badge").strip() or None,
    }
    saved = form.submit(lambda: service.create_goal(user_id, found.id, **fields),
                        check=lambda: service.check_goal(**fields))  # fmt: skip
    if saved is None:
        return render(form, 422)
    return redirect(url_for(".group", group=found.slug, done="goal") + "#gk-goals", code=303)
