"""Nominations under concurrency (guildkit/nominations, docs/nominations.md): two approvers giving
the last approval a nomination needs at once award the badge exactly once and approve it once;
concurrent nominations of one member for one badge leave one pending. Real threads released
together by a barrier, on every backend (``gk_backend``: sqlite, sqlite-host, postgresql)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import InvalidTransition
from guildkit.models import Activity, BadgeAward, Member
from guildkit.nominations.errors import AlreadyVoted, DuplicateNomination
from tests.test_nominations import CHAMPION, NOMINATIONS, VOTES, Told, gk_plugins, nominate, people, told

__all__ = ["gk_plugins", "people", "told"]  # the fixtures, shared with tests/test_nominations.py


def race(app: Flask, calls: Sequence[Callable[[], Any]]) -> list[str]:
    """Run ``calls`` in threads released together; each outcome is ``ok`` or the error's name."""
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))

    def work(call: Callable[[], Any]) -> None:
        try:
            with app.app_context():
                start.wait()
                try:
                    call()
                    outcomes.append("ok")
                except (InvalidTransition, AlreadyVoted, DuplicateNomination) as exc:
                    outcomes.append(type(exc).__name__)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return outcomes


ROUNDS = 4


def test_two_approvers_giving_the_last_approval_at_once_award_the_badge_exactly_once(
    gk_app: Flask, people: GuildKit, told: Told
) -> None:
    gk = people
    nominees = [f"n{round_}" for round_ in range(ROUNDS)]
    for user in nominees:
        gk.join(user, name=user.upper())
    ids = []
    for user in nominees:
        nomination_id = nominate(gk, user)
        gk.nominations.approve("mo", nomination_id, reason="First.")  # one of two: the next is the last
        ids.append(nomination_id)
    for nomination_id in ids:
        calls = [partial(gk.nominations.approve, who, nomination_id, reason="Last.") for who in ("max", "cy")]
        assert Counter(race(gk_app, calls)) == {"ok": 1, "InvalidTransition": 1}
    check_awarded_once(gk, told, ids, nominees)


def test_the_two_approvals_a_nomination_needs_given_at_once_approve_it_once(
    gk_app: Flask, people: GuildKit, told: Told
) -> None:
    gk = people
    nominees = [f"m{round_}" for round_ in range(ROUNDS)]
    ids = []
    for user in nominees:
        gk.join(user, name=user.upper())
        ids.append(nominate(gk, user))
    for nomination_id in ids:
        calls = [partial(gk.nominations.approve, who, nomination_id, reason="Yes.") for who in ("max", "cy")]
        assert race(gk_app, calls) == ["ok", "ok"]
    check_awarded_once(gk, told, ids, nominees)


def check_awarded_once(gk: GuildKit, told: Told, ids: list[int], nominees: list[str]) -> None:
    with gk.store.engine.connect() as conn:
        rows = conn.execute(sa.select(NOMINATIONS).where(NOMINATIONS.c.id.in_(ids))).all()
        assert {(r.state, r.approvals, r.needed) for r in rows} == {("approved", 2, 2)}
        assert conn.scalar(sa.select(sa.func.count()).select_from(VOTES).where(VOTES.c.nomination_id.in_(ids))) == (
            2 * len(ids)
        )
        keys = [f"nomination:{i}:award" for i in ids]
        assert conn.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.key.in_(keys))) == len(ids)
        held = conn.execute(
            sa.select(Member.user_id, sa.func.count())
            .join(BadgeAward, BadgeAward.member_id == Member.id)
            .where(BadgeAward.badge_slug == CHAMPION, Member.user_id.in_(nominees))
            .group_by(Member.user_id)
        ).all()
    assert dict(held) == dict.fromkeys(nominees, 1)
    assert sorted(d.nomination_id for d in told.decisions if d.state == "approved") == sorted(ids)


def test_concurrent_nominations_of_one_member_for_one_badge_leave_one_pending(gk_app: Flask, people: GuildKit) -> None:
    gk = people
    calls = [partial(nominate, gk, "bob", by=by) for by in ("ann", "dan", "mo", "max")]
    assert Counter(race(gk_app, calls)) == {"ok": 1, "DuplicateNomination": 3}
    assert [n.state for n in gk.nominations.list()] == ["pending"]
