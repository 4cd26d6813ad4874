"""The core community pages: home, members, badges, leaderboards and notifications.

=============================  ====================================================================
``/``                          community home: recent awards, top members, newest members
``/members``                   the directory: search, status filter, pages
``/members/<user_id>``         a profile; its points history and badge progress for the member
                               themself and ``members.read_private`` (moderators)
``/badges``                    the badge catalog, by category, with rarity
``/badges/<slug>``             how a badge is earned, its levels, and who holds it
``/leaderboards/<point_type>`` all time / this week / this month, with the caller's rank
``/notifications``             the signed-in member's notifications; POST ``/notifications/read``
``/privacy``                   the signed-in person's data: "Download my data" (``/privacy/download``,
                               a JSON file) and the leaderboard opt-out (POST ``/privacy/leaderboards``)
``/showcase/<user_id>``        an HTML fragment (no ``<html>``) with the member's best badges
=============================  ====================================================================

Every template extends ``guildkit/base.html``; a host overrides any of them by putting a file with
the same path in its own templates folder (see ``docs/pages.md``).
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from markupsafe import Markup

from guildkit import errors, leaderboards, notes, queries
from guildkit.builtin.manual import AWARD
from guildkit.definitions import Text, shown
from guildkit.extension import GuildKit
from guildkit.i18n import N_, lazy_gettext, translated
from guildkit.i18n import gettext as _
from guildkit.models import TIERS, Member
from guildkit.plugins import collecting_failures
from guildkit.routes import Routes
from guildkit.web import charts, csrf
from guildkit.web.auth import Caller
from guildkit.web.badge_art import SVG, generated_svg, image_response
from guildkit.web.endpoint import gk_instance
from guildkit.web.pages import PageError, caller, default_point_type, page, point_types
from guildkit.web.pagination import decode_cursor, decode_cursor_as, page_of
from guildkit.web.present import (
    award_out,
    badge_out,
    board_out,
    find_member,
    ledger_out,
    member_detail_out,
    member_out,
    members_out,
    movement_heading,
    movement_words,
    notification_lines,
    rank_summary,
    standings_out,
    visible_badge,
)
from guildkit.words import readable

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

PER_PAGE = 20
LEDGER_PER_PAGE = 25
#: How many recognitions a profile shows, and how many of the member's latest points changes
#: are looked through for notable ones (a gain of at least NOTABLE_TIMES their usual one).
RECOGNITIONS = 6
NOTABLE_WINDOW = 200
NOTABLE_TIMES = 3
PERIOD_LABELS = {
    "all": lazy_gettext("All time"),
    "week": lazy_gettext("This week"),
    "month": lazy_gettext("This month"),
}
#: The categories of guildkit's own badges, for the catalogue: a category is shown by its name
#: made readable ("mentorship" → "Mentorship"), in the reader's language when a catalogue (guildkit's
#: or the host's) has it.
CATEGORIES = (N_("General"), N_("Mentorship"), N_("Events"), N_("Seasons"))
#: Best first: gold, then silver, then bronze.
TIER_RANK = {tier: rank for rank, tier in enumerate(reversed(TIERS))}


def member_badges(gk: GuildKit, member: Member) -> list[dict[str, Any]]:
    """The member's badges, best tier first: each badge once, at its highest level held (a
    repeatable badge with how many times it was earned)."""
    best: dict[str, dict[str, Any]] = {}
    for award in queries.badge_awards(gk.session, member.id):
        out = award_out(gk, award)
        if out is None:
            continue
        held = best.get(out["badge"])
        if held is None or out["level"] > held["level"]:
            best[out["badge"]] = out
        elif out["level"] == held["level"]:
            held["count"] += 1
    return sorted(best.values(), key=lambda b: (TIER_RANK.get(b["tier"], 9), -b["level"], b["name"].lower()))


# -- home ----------------------------------------------------------------------------------


@pages.get("/")
@page
def home() -> Any:
    gk = gk_instance()
    recent = []
    awards = queries.awards_page(gk.session, 10, None)[:10]
    for (_member, award), member in zip(awards, members_out(gk, (m for m, _a in awards)), strict=True):
        out = award_out(gk, award)
        if out is not None:
            recent.append({**out, "member": member})
    point_type = default_point_type(gk)
    top = []
    if point_type is not None:
        board = leaderboards.Board(point_type, "all", 0, None)
        top = standings_out(gk, leaderboards.standings(gk.store.read_session, board, 5, None)[:5])
    newest = members_out(gk, queries.members_page(gk.session, q=None, status="active", limit=5, after=None))
    return render_template(
        "guildkit/home.html",
        recent=recent,
        top=top,
        point_type=point_type,
        point_type_name=shown(gk.registry.point_types[point_type].name) if point_type else None,
        newest=newest[:5],
        members=queries.member_count(gk.session),
    )


# -- members -------------------------------------------------------------------------------


@pages.get("/members")
@page
def members() -> Any:
    gk = gk_instance()
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    if status not in ("", "active", "suspended", "banned"):
        status = ""
    cursor = request.args.get("cursor") or None
    after = decode_cursor(cursor, 2)
    rows = queries.members_page(
        gk.session, q=q or None, status=status or None, limit=PER_PAGE, after=tuple(after) if after else None
    )
    found = page_of(rows, PER_PAGE, lambda m: [m.joined_at.isoformat(), m.id])
    next_url = None
    if found.next_cursor:
        next_url = url_for(".members", q=q or None, status=status or None, cursor=found.next_cursor)
    return render_template(
        "guildkit/members.html",
        members=members_out(gk, found.items),
        q=q,
        status=status,
        next_url=next_url,
        first_url=url_for(".members", q=q or None, status=status or None) if cursor else None,
    )


@pages.get("/members/<user_id>")
@page
def member(user_id: str) -> Any:
    gk = gk_instance()
    found = find_member(gk, user_id)
    who = caller()
    private = who.active and (who.is_self(user_id) or who.can("members.read_private"))
    ledger: list[dict[str, Any]] = []
    progress: list[Any] = []
    next_url = None
    if private:
        before = decode_cursor_as(request.args.get("cursor") or None, 2, queries.ledger_before)
        rows = queries.ledger_page(gk.session, found.id, None, LEDGER_PER_PAGE, before)
        history = page_of(rows, LEDGER_PER_PAGE, lambda pair: queries.ledger_cursor(pair[0]))
        names = dict(point_types(gk))
        ledger = [
            {**row, "unit": names.get(row["point_type"], row["point_type"])}
            for row in ledger_out(gk, found, history.items, html=True)
        ]
        if history.next_cursor:
            next_url = url_for(".member", user_id=user_id, cursor=history.next_cursor) + "#history"
        progress = gk.progress(user_id)
    detail = member_detail_out(gk, found, private=private)
    roles = gk.registry.roles
    # What the member did when: kept from others by a member who keeps off leaderboards.
    timeline = private or not found.leaderboard_opt_out
    return render_template(
        "guildkit/member.html",
        member=detail,
        role_names=[shown(roles[r].name) if r in roles else readable(r) for r in detail["roles"]],
        rank=rank_summary(gk, found, default_point_type(gk)),
        calendar=_calendar(gk, found) if timeline else None,
        recognitions=_recognitions(gk, found, private=private) if timeline else [],
        badges=member_badges(gk, found),
        private=private,
        is_self=who.is_self(user_id),
        ledger=ledger,
        progress=progress,
        next_url=next_url,
        links=gk.calls.page_links("member", {"user_id": user_id}, who.user_id),
    )


def _recognitions(gk: GuildKit, member: Member, *, private: bool) -> list[dict[str, Any]]:
    """The member's latest badges and, for ``private`` viewers (the points history is theirs),
    their notable point awards, newest first: at most :data:`RECOGNITIONS`.

    A point award is notable when the community team gave it by hand, or when it is at least
    :data:`NOTABLE_TIMES` the member's usual gain of that kind (the median of their recent
    ones), so a bounty stands out and the hundredth upvote does not; one later taken back is
    left out. Four reads: the badges, the member's latest ledger rows in brief, the notable ones
    in full, their subjects' titles.
    """
    found: list[dict[str, Any]] = []
    for _member, award in queries.awards_page(gk.session, RECOGNITIONS, None, member_id=member.id)[:RECOGNITIONS]:
        out = award_out(gk, award)
        if out is not None:
            found.append({**out, "kind": "badge", "at": award.awarded_at})
    if private:
        recent = queries.recent_ledger(gk.session, member.id, NOTABLE_WINDOW)
        taken_back = {brief.reverses_id for brief in recent if brief.reverses_id is not None}
        gains: dict[str, list[int]] = {}
        for brief in recent:
            if brief.amount > 0 and brief.reverses_id is None:
                gains.setdefault(brief.point_type, []).append(brief.amount)
        usual = {point_type: sorted(amounts)[len(amounts) // 2] for point_type, amounts in gains.items()}
        notable_ids = [
            brief.id
            for brief in recent
            if brief.amount > 0
            and brief.reverses_id is None
            and brief.id not in taken_back
            and (brief.type == AWARD or brief.amount >= NOTABLE_TIMES * usual[brief.point_type])
        ][:RECOGNITIONS]
        notable = queries.ledger_rows(gk.session, notable_ids)
        names = dict(point_types(gk))
        for row in ledger_out(gk, member, notable, html=True):
            unit = names.get(row["point_type"], readable(row["point_type"]))
            found.append({**row, "kind": "points", "at": row["created_at"], "unit": unit})
    found.sort(key=lambda r: r["at"], reverse=True)
    return found[:RECOGNITIONS]


def _calendar(gk: GuildKit, member: Member) -> Markup:
    """The member's last 12 months, a square a day, in the community's time zone."""
    zone, now = gk.state.zone, gk.clock()
    today = now.astimezone(zone).date()
    since = datetime.combine(today - timedelta(days=371), time(), tzinfo=zone)
    return charts.calendar("gk-calendar", queries.activity_days(gk.session, member.id, since, now, zone), today)


@pages.get("/showcase/<user_id>")
@page
def showcase(user_id: str) -> Any:
    gk = gk_instance()
    found = find_member(gk, user_id)
    try:
        limit = max(1, min(24, int(request.args.get("limit", "6"))))
    except ValueError:
        limit = 6
    return render_template(
        "guildkit/showcase.html", member=member_out(gk, found), badges=member_badges(gk, found)[:limit]
    )


# -- badges --------------------------------------------------------------------------------


def category_name(category: str) -> str:
    """A badge category's heading, in the reader's language (see :data:`CATEGORIES`)."""
    return translated(readable(category))


@pages.get("/badges")
@page
def badges() -> Any:
    gk = gk_instance()
    holders = queries.badge_holder_counts(gk.session)
    count = queries.member_count(gk.session)
    visible = [s for s, b in gk.registry.badges.items() if not b.secret or holders.get(s)]
    by_category: dict[str, list[dict[str, Any]]] = {}
    for slug in sorted(visible, key=lambda s: gk.registry.badges[s].name.lower()):
        out = badge_out(gk, slug, holders, count)
        by_category.setdefault(out["category"], []).append(out)
    categories = sorted((category_name(category), items) for category, items in by_category.items())
    return render_template("guildkit/badges.html", categories=categories, members=count)


@pages.get("/badge-images/<slug>")
@page
def badge_image(slug: str) -> Any:
    """A badge's image for everyone: its upload (``guildkit_badge_image``) or one drawn here, for
    ``?level=`` (its top level by default); not for secret badges nobody holds yet."""
    gk = gk_instance()
    definition = visible_badge(gk, slug)
    with collecting_failures() as failures:
        uploaded = gk.pm.hook.guildkit_badge_image(gk=gk, slug=slug)
    if failures:
        gk.record_failures(failures)
    level = request.args.get("level", "")
    index = int(level) if level.isdigit() and 1 <= int(level) <= len(definition.levels) else len(definition.levels)
    drawn = generated_svg(shown(definition.name), definition.levels[index - 1].tier, key=slug)
    return image_response(*(uploaded or (drawn, SVG)))


@pages.get("/badges/<slug>")
@page
def badge(slug: str) -> Any:
    gk = gk_instance()
    visible_badge(gk, slug)
    out = badge_out(gk, slug, queries.badge_holder_counts(gk.session), queries.member_count(gk.session))
    definition = gk.registry.badges[slug]
    rows = queries.awards_page(gk.session, PER_PAGE, None, badge=slug)[:PER_PAGE]
    holders = [
        {
            "member": member,
            "name": definition.level_title(a.level),
            "level": a.level,
            "tier": definition.levels[a.level - 1].tier if a.level <= len(definition.levels) else "bronze",
            "awarded_at": a.awarded_at,
        }
        for (_m, a), member in zip(rows, members_out(gk, (m for m, _a in rows)), strict=True)
    ]
    who = caller()
    held = (
        sorted(a.level for a in queries.badge_awards(gk.session, who.member.id) if a.badge_slug == slug)
        if who.member
        else []
    )
    links = gk.calls.page_links("badge", {"badge": slug, "held_levels": held}, who.user_id)
    return render_template("guildkit/badge.html", badge=out, holders=holders, links=links)


# -- leaderboards --------------------------------------------------------------------------


@pages.get("/leaderboards", defaults={"point_type": None})
@pages.get("/leaderboards/<point_type>")
@page
def leaderboard(point_type: str | None) -> Any:
    gk = gk_instance()
    point_type = point_type or default_point_type(gk)
    if point_type is None or point_type not in gk.registry.point_types:
        raise errors.UnknownPointType(point_type or "")
    period = request.args.get("period", "all")
    if period not in leaderboards.PERIODS:
        period = "all"
    period_board = leaderboards.Board.of(point_type, period, gk.clock(), gk.state.zone)
    after = decode_cursor(request.args.get("cursor") or None, 2)
    rows = leaderboards.standings(gk.store.read_session, period_board, 50, tuple(after) if after else None)
    board = page_of(rows, 50, lambda s: [s.points, s.member_id])
    who = caller()
    mine = None
    if who.member is not None:
        mine = leaderboards.standing_of(gk.store.read_session, period_board, who.member)
    items, me, _at = board_out(gk, period_board, board.items, mine)
    for row in [*items, *([me] if me else [])]:
        row["move"] = movement_words(period, row["movement"])
    next_url = None
    if board.next_cursor:
        next_url = url_for(".leaderboard", point_type=point_type, period=period, cursor=board.next_cursor)
    return render_template(
        "guildkit/leaderboard.html",
        point_type=point_type,
        point_type_name=shown(gk.registry.point_types[point_type].name),
        period=period,
        periods={value: str(label) for value, label in PERIOD_LABELS.items()},
        since=period_board.since,
        moved_heading=movement_heading(period),
        rows=items,
        me=me,
        hidden=bool(who.member is not None and who.member.leaderboard_opt_out),
        signed_in=who.is_person,
        next_url=next_url,
    )


# -- notifications -------------------------------------------------------------------------


def _signed_in(title: Text | None = None, why: Text | None = None) -> Caller:
    who = caller()
    if not who.is_person:
        raise PageError(
            401, title or _("Sign in to see your notifications"), why or _("Your notifications are only shown to you.")
        )
    return who


@pages.get("/notifications")
@page
def notifications() -> Any:
    gk = gk_instance()
    who = _signed_in()
    items: list[Any] = []
    next_url = None
    if who.member is not None:
        before = decode_cursor(request.args.get("cursor") or None, 1)
        hidden = gk.calls.hidden_notification_kinds(who.member.id)
        rows = queries.notifications_page(
            gk.session, who.member.id, PER_PAGE, before[0] if before else None, hidden=hidden
        )
        found = page_of(rows, PER_PAGE, lambda n: [n.id])
        items = notification_lines(gk, notes.group(found.items))
        if found.next_cursor:
            next_url = url_for(".notifications", cursor=found.next_cursor)
    return render_template(
        "guildkit/notifications.html",
        items=items,
        next_url=next_url,
        marked=request.args.get("marked"),
    )


@pages.post("/notifications/read")
@page
def mark_read() -> Any:
    csrf.check()
    gk = gk_instance()
    who = _signed_in()
    count = 0
    if who.member is not None:
        count = queries.mark_read(gk.session, who.member.id, gk.clock())
    return redirect(url_for(".notifications", marked=count), code=303)


# -- privacy -------------------------------------------------------------------------------

PRIVACY_SIGN_IN = (lazy_gettext("Sign in to see your data"), lazy_gettext("Only you can see and download your data."))


@pages.get("/privacy")
@page
def privacy() -> Any:
    gk = gk_instance()
    who = _signed_in(*PRIVACY_SIGN_IN)
    assert who.user_id is not None
    return render_template(
        "guildkit/privacy.html",
        member=who.member,
        opted_out=gk.privacy.leaderboard_opt_out(who.user_id),
        saved=request.args.get("saved") is not None,
    )


@pages.get("/privacy/download")
@page
def privacy_download() -> Any:
    """The signed-in person's own export, as a file: there is no way to ask for anyone else's."""
    gk = gk_instance()
    who = _signed_in(*PRIVACY_SIGN_IN)
    if who.member is None:
        raise PageError(404, _("No data to download"), _("The community holds no data about you yet."))
    document = gk.privacy.export(who.member.user_id)
    day = gk.clock().date().isoformat()
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="my-community-data-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


@pages.post("/privacy/leaderboards")
@page
def privacy_leaderboards() -> Any:
    csrf.check()
    gk = gk_instance()
    who = _signed_in(*PRIVACY_SIGN_IN)
    assert who.user_id is not None
    choice = request.form.get("leaderboards")
    if choice not in ("shown", "hidden"):
        raise PageError(400, _("Choose shown or hidden"), _("Go back and choose whether to be shown on leaderboards."))
    gk.privacy.set_leaderboard_opt_out(who.user_id, choice == "hidden")
    return redirect(url_for(".privacy", saved=1), code=303)
