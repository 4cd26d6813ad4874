"""Shaping shared by the JSON API and the community pages: members, badges and standings as plain dicts,
and the lookups both answer 404 for (unknown members, unknown or still-secret badges).

Words come out as text in the reader's language (:func:`~guildkit.definitions.shown`): a
definition's lazy translation is said here, never handed to a template (where it would count as
markup, unescaped)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from guildkit import caps, expiry, flair, leaderboards, movement, queries
from guildkit.definitions import BadgeDef, shown
from guildkit.errors import UnknownBadge
from guildkit.extension import GuildKit
from guildkit.i18n import format_number, ngettext, translated
from guildkit.i18n import gettext as _
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry, Member
from guildkit.notes import Entry, others_too, subject_of
from guildkit.subjects import resolve
from guildkit.words import Words, ledger_sentences


def names(gk: GuildKit, user_ids: Iterable[str]) -> dict[str, str]:
    """Display names for host user ids (the member's name, else the host's ``user_info``)."""
    wanted = set(user_ids)
    stored: dict[str, str | None] = {}
    if wanted:
        stored = dict(
            gk.session.execute(sa.select(Member.user_id, Member.display_name).where(Member.user_id.in_(wanted))).all()
        )
    hosts = gk.user_infos(user_id for user_id in wanted if not stored.get(user_id))
    return {user_id: stored.get(user_id) or hosts[user_id].name for user_id in wanted}


def members_out(gk: GuildKit, members: Iterable[Member]) -> list[dict[str, Any]]:
    """Members as pages and the API show them, the host's user info asked for all at once; their
    ``flair`` (:mod:`guildkit.flair`) is asked for, with every other member the page shows, when
    a template first reads it."""
    members = list(members)
    infos = gk.user_infos(member.user_id for member in members)
    shown = [
        {
            "user_id": member.user_id,
            "name": member.display_name or infos[member.user_id].name,
            "status": member.status,
            "joined_at": member.joined_at,
            "profile_url": infos[member.user_id].profile_url,
            "avatar_url": infos[member.user_id].avatar_url,
        }
        for member in members
    ]
    flair.attach(gk, shown)
    return shown


def member_out(gk: GuildKit, member: Member) -> dict[str, Any]:
    return members_out(gk, [member])[0]


def member_detail_out(gk: GuildKit, member: Member, *, private: bool = False) -> dict[str, Any]:
    """A member with balances, levels and roles; with ``private`` (the member, or staff allowed
    to read their history), what of each balance expires when, which tells when it was earned."""
    registry = gk.registry
    expiring: dict[str, list[dict[str, Any]]] = {}
    due = gk.expiring(member.user_id) if private else []
    expiry.bring_up_to_date(gk, registry.point_types)  # today's expiries first: no expired points below
    for e in due:
        expiring.setdefault(e.point_type, []).append({"points": e.points, "on": e.on})
    balances = []
    for row in gk.session.scalars(sa.select(Balance).where(Balance.member_id == member.id)):
        levels = registry.levels.get(row.point_type)
        point_type = registry.point_types.get(row.point_type)
        balances.append(
            {
                "point_type": row.point_type,
                "name": shown(point_type.name) if point_type else row.point_type,
                "balance": row.balance,
                "level": row.level,
                "level_name": shown(levels.name_of(row.level)) if levels and row.level else None,
                "expires": expiring.get(row.point_type, []),
            }
        )
    badge_count = gk.session.scalar(
        sa.select(sa.func.count())
        .select_from(BadgeAward)
        .where(BadgeAward.member_id == member.id, BadgeAward.revoked_at.is_(None))
    )
    out = member_out(gk, member)
    return {
        **out,
        **flair.as_data(out["flair"]),
        "balances": sorted(balances, key=lambda b: b["point_type"]),
        "roles": queries.role_slugs(gk.session, member.id),
        "badge_count": badge_count or 0,
    }


def ledger_out(
    gk: GuildKit, member: Member, pairs: Iterable[tuple[LedgerEntry, Activity]], *, html: bool = False
) -> list[dict[str, Any]]:
    """Points history rows, each with ``description``: what happened in words, from the side
    the member was on, the subject titled (and linked, with ``html``) by the subject resolver."""
    pairs = list(pairs)
    said = ledger_sentences(gk, member.id, pairs, html=html)
    rows = [
        {
            "id": e.id,
            "point_type": e.point_type,
            "amount": e.amount,
            "balance_after": e.balance_after,
            "rule": e.rule,
            "reason": e.reason,
            "activity_key": a.key,
            "activity_type": a.type,
            "subject": a.subject,
            "description": description,
            "note": _note(e.reason, a),
            "reverses_id": e.reverses_id,
            "created_at": e.created_at,
        }
        for (e, a), description in zip(pairs, said, strict=True)
    ]
    for row in rows:
        # A rule whose reason only repeats what happened ("Visited the community") adds nothing.
        if row["note"] and str(row["note"]).lower() in str(row["description"]).lower():
            row["note"] = ""
    return rows


def _note(reason: str, activity: Activity) -> str:
    """What a row's reason adds to its description: a rule's own words, or a cap's note, without
    the ``"<type> on <subject>"`` a rule with no reason of its own stores; in the reader's
    language (a host's reason through the host's catalogue, when it has it)."""
    for default in (f"{activity.type} on {activity.subject}", activity.type):
        if reason.startswith(default):
            reason = reason[len(default) :].strip()
            break
    cap = next((note for note in caps.NOTES if reason.endswith(note)), "")
    said = translated(reason[: len(reason) - len(cap)].strip())
    return f"{said} {translated(cap)}".strip()


def notification_lines(gk: GuildKit, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Each grouped notification as pages and emails say it: ``html`` and ``text`` (an activity
    said again from its data in the member's words, with who did it and the subject titled, and
    linked in ``html``; any other kind its stored text), ``badge`` (a badge to link to), ``more``
    (others collapsed into it)."""
    words = Words(gk.registry)
    subjects = resolve(gk, (entry.subject or subject_of(entry.newest) for entry in entries))
    people = names(gk, (actor for entry in entries for actor in entry.actors))
    lines = []
    for entry in entries:
        note, data = entry.newest, entry.newest.data or {}
        subject = subjects.get(data.get("subject") or "")
        more = 0 if entry.headline else entry.count - 1  # a kind's phrase for several says how many
        if data.get("activity_type"):
            who = [people.get(a, a) for a in entry.actors]
            # Said of the newest alone (its verb agrees with one person), then how many others did it too.
            said = {
                form: words.sentence(
                    data["activity_type"], "target", subject_key=data.get("subject"), subject=subject,
                    actor=who[0] if who else None, html=form == "html",
                )
                for form in ("html", "text")
            }  # fmt: skip
            if len(who) > 1:
                said = {form: others_too(sentence, len(who) - 1) for form, sentence in said.items()}
            more = 0 if len(who) == entry.count else more  # the count of others already says how many
        else:
            said = {"html": Markup.escape(entry.text), "text": entry.text}
        lines.append({**said, "badge": data.get("badge"), "more": more, "unread": entry.unread,
                      "created_at": note.created_at})  # fmt: skip
    return lines


def badge_out(gk: GuildKit, slug: str, holders: dict[str, int], members: int) -> dict[str, Any]:
    definition = gk.registry.badges[slug]
    words = Words(gk.registry)
    criteria = words.criteria(slug)
    count = holders.get(slug, 0)
    rule = gk.registry.badge_rule(slug)
    levels = definition.levels_as_json(gk.registry.badge_thresholds(slug))
    for level in levels:  # what each level takes, in words ("Answer 15 questions")
        level["name"] = definition.level_title(level["level"])
        level["description"] = shown(level["description"])
        threshold = level["threshold"]
        level["goal"] = words.goal(rule.metric, threshold) if rule and threshold is not None else None
    return {
        "slug": slug,
        "name": shown(definition.name),
        "description": shown(definition.description),
        "category": definition.category,
        "levels": levels,
        "repeatable": definition.repeatable,
        "secret": definition.secret,
        "image": definition.image,
        "criteria": criteria if criteria and not definition.secret else None,
        "holders": count,
        "rarity": round(100.0 * count / members, 2) if members else 0.0,
    }


def rank_summary(gk: GuildKit, member: Member, point_type: str | None) -> dict[str, Any] | None:
    """Where the member stands on the all-time board of ``point_type``: ``rank``, ``of`` (members
    on the board), ``top`` (the smallest whole percent they are in); ``None`` when they are not
    listed or have no points. Two index reads (the board's score counts)."""
    listed = member.status == "active" and not member.leaderboard_opt_out and not member.excluded_roles
    if point_type is None or not listed:
        return None
    board = leaderboards.Board.of(point_type, "all", gk.clock(), gk.state.zone)
    read = gk.store.read_session
    standing = leaderboards.standing_of(read, board, member)
    of = leaderboards.size(read, board)
    if standing.points <= 0 or not of:
        return None
    top = max(1, -(-100 * standing.rank // of))  # ceiling: #12 of 4,000 is in the top 1%
    point_type_name = shown(gk.registry.point_types[point_type].name)
    return {"rank": standing.rank, "of": of, "top": top, "point_type": point_type_name}


def find_member(gk: GuildKit, user_id: str) -> Member:
    return queries.get_member(gk.session, user_id)


def visible_badge(gk: GuildKit, slug: str) -> BadgeDef:
    """The badge's definition: secret badges exist for the API and pages only once someone holds them."""
    definition = gk.registry.badges.get(slug)
    if definition is None or (definition.secret and not queries.badge_holder_counts(gk.session).get(slug)):
        raise UnknownBadge(slug)
    return definition


def standings_out(gk: GuildKit, standings: Iterable[leaderboards.Standing]) -> list[dict[str, Any]]:
    """Board rows; the names members have not stored are asked of the host all at once."""
    standings = list(standings)
    hosts = gk.user_infos(s.user_id for s in standings if not s.name)
    shown = [
        {"rank": s.rank, "user_id": s.user_id, "name": s.name or hosts[s.user_id].name, "points": s.points}
        for s in standings
    ]
    flair.attach(gk, shown)
    return shown


def standing_out(gk: GuildKit, standing: leaderboards.Standing) -> dict[str, Any]:
    return standings_out(gk, [standing])[0]


def moved_out(standing: dict[str, Any], previous: int | None) -> dict[str, Any]:
    """A board row with its change since the board's baseline: ``previous_rank`` (``None``: not
    on the board then) and ``movement``, places up (down when negative; ``None`` when new)."""
    places = None if previous is None else previous - standing["rank"]
    return {**standing, "previous_rank": previous, "movement": places}


def board_out(
    gk: GuildKit,
    board: leaderboards.Board,
    standings: Sequence[leaderboards.Standing],
    me: leaderboards.Standing | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, datetime]:
    """A page of ``board`` and the reader's standing, each with its change since the board's
    baseline (all their previous ranks in one statement), and the baseline's moment."""
    baseline = movement.Baseline.of(board, gk.clock(), gk.state.zone)
    wanted = [s.member_id for s in standings] + ([me.member_id] if me is not None else [])
    previous = movement.previous_ranks(gk.store.read_session, board, baseline, wanted)
    outs = standings_out(gk, standings)
    rows = [moved_out(out, previous.get(s.member_id)) for s, out in zip(standings, outs, strict=True)]
    mine = None if me is None else moved_out(standing_out(gk, me), previous.get(me.member_id))
    return rows, mine, baseline.at


def movement_heading(period: str) -> str:
    """The heading of a board's column of changes."""
    return str({"week": _("Since last week"), "month": _("Since last month")}.get(period) or _("This week"))


def movement_words(period: str, movement: int | None) -> dict[str, str]:
    """A row's change as pages show it: ``symbol`` ("▲ 3", "▼ 1", "=", "new"), ``words`` that
    say the same for screen readers and tooltips ("Up 3 places since last week"), and
    ``direction`` (``up``, ``down``, ``same``, ``new``) for styling: never colour alone."""
    if movement is None:
        said = {"week": _("New since last week"), "month": _("New since last month")}.get(period)
        return {"symbol": _("new"), "words": said or _("New this week"), "direction": "new"}
    if movement == 0:
        said = {"week": _("Same place as last week"), "month": _("Same place as last month")}.get(period)
        return {"symbol": "=", "words": said or _("Same place as at the start of the week"), "direction": "same"}
    n, places = abs(movement), format_number(abs(movement))
    if movement > 0:
        words = {
            "week": ngettext(
                "Up %(places)s place since last week", "Up %(places)s places since last week", n, places=places
            ),
            "month": ngettext(
                "Up %(places)s place since last month", "Up %(places)s places since last month", n, places=places
            ),
            "all": ngettext("Up %(places)s place this week", "Up %(places)s places this week", n, places=places),
        }
        return {"symbol": f"▲ {places}", "words": words[period], "direction": "up"}
    words = {
        "week": ngettext(
            "Down %(places)s place since last week", "Down %(places)s places since last week", n, places=places
        ),
        "month": ngettext(
            "Down %(places)s place since last month", "Down %(places)s places since last month", n, places=places
        ),
        "all": ngettext("Down %(places)s place this week", "Down %(places)s places this week", n, places=places),
    }
    return {"symbol": f"▼ {places}", "words": words[period], "direction": "down"}


def award_out(gk: GuildKit, award: BadgeAward) -> dict[str, Any] | None:
    """A badge award as the API and the pages show it; ``None`` if its badge is gone."""
    definition = gk.registry.badges.get(award.badge_slug)
    if definition is None or not 0 < award.level <= len(definition.levels):
        return None
    return {
        "id": award.id,
        "badge": award.badge_slug,
        "name": definition.level_title(award.level),
        "level": award.level,
        "tier": definition.levels[award.level - 1].tier,
        "rule": award.rule,
        "reason": award.reason,
        "awarded_at": award.awarded_at,
        "count": 1,
    }
