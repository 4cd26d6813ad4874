"""The community guidelines service: publishing (who, what, which version), accepting the current
version, and the earning gate (``GUILDKIT_REQUIRE_GUIDELINES``) on every backend."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuidelinesPublished, GuildKit, hookimpl, signals
from guildkit.errors import ConfigurationError, NotAllowed, ValidationError
from guildkit.guidelines import ACCEPTED, render_markdown
from guildkit.guidelines.errors import UnknownGuidelines
from guildkit.guidelines.models import GuidelinesAcceptance
from guildkit.models import Activity, LedgerEntry, Notification
from guildkit.testing import Clock, Members, make_app

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"GUILDKIT_REQUIRE_GUIDELINES": True}


def publish(gk: GuildKit, n: int = 1) -> int:
    return gk.guidelines.publish(None, title=f"Rules v{n}", body=f"Be kind ({n}).", summary=f"change {n}").version


def test_admins_publish_versions_that_increase(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    assert gk.guidelines.current() is None and gk.guidelines.history() == []
    with pytest.raises(NotAllowed):
        gk.guidelines.publish(ann, title="Mine", body="Rules")
    first = gk.guidelines.publish(admin, title="Code of conduct", body="# Be kind\n\nAlways.")
    assert (first.version, first.title, first.summary, first.published_by) == (1, "Code of conduct", "", admin)
    assert first.published_at == gk_clock.now
    gk_clock.advance(days=1)
    second = gk.guidelines.publish(admin, title="Code of conduct", body="Be kinder.", summary="kinder")
    assert second.version == 2
    current = gk.guidelines.current()
    assert current is not None and (current.version, current.body, current.summary) == (2, "Be kinder.", "kinder")
    assert [v.version for v in gk.guidelines.history()] == [2, 1]
    # Versions are immutable: the first is exactly as published.
    assert gk.guidelines.version(1) == first
    assert gk.guidelines.version(1).html == "<h1>Be kind</h1>\n<p>Always.</p>\n"
    with pytest.raises(UnknownGuidelines):
        gk.guidelines.version(3)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "t" * 192, "body": "x"}, "title"),
        ({"title": "T", "body": "   "}, "body"),
        ({"title": "T", "body": "b" * 100_001}, "body"),
        ({"title": "T", "body": "x", "summary": "s" * 2001}, "summary"),
        ({"title": "T", "body": 3}, "body"),
    ],
)
def test_publish_names_the_bad_field(gk: GuildKit, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        gk.guidelines.publish(None, **fields)
    assert raised.value.field == field
    assert gk.guidelines.current() is None


def test_concurrent_publishes_get_distinct_versions(gk_app: Flask, gk: GuildKit) -> None:
    publish(gk)  # the table exists and has a row: the threads race for the next number
    start = threading.Barrier(4)
    errors: list[Exception] = []
    versions: list[int] = []

    def work(n: int) -> None:
        with gk_app.app_context():
            start.wait()
            try:
                versions.append(gk.guidelines.publish(None, title=f"T{n}", body="b").version)
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert sorted(versions) == [2, 3, 4, 5]


def test_accept_the_current_version_once(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    ann = gk_members()
    assert gk.guidelines.pending(ann) is False  # nothing to accept
    with pytest.raises(ValidationError) as raised:
        gk.guidelines.accept(ann, 1)
    assert raised.value.field == "version"
    publish(gk, 1)
    assert gk.guidelines.pending(ann) is True and gk.guidelines.has_accepted(ann) is False
    first = gk.guidelines.accept(ann, 1)
    assert (first.user_id, first.version, first.accepted_at) == (ann, 1, gk_clock.now)
    gk_clock.advance(hours=1)
    assert gk.guidelines.accept(ann, 1) == first  # idempotent: the first time is kept
    assert gk.guidelines.acceptance(ann) == first
    assert gk.guidelines.pending(ann) is False and gk.guidelines.has_accepted(ann) is True
    activities = gk.session.scalars(sa.select(Activity).where(Activity.type == ACCEPTED)).all()
    assert [(a.key, a.payload) for a in activities] == [(f"guidelines:1:{ann}", {"version": 1})]

    publish(gk, 2)  # a new version asks again
    assert gk.guidelines.pending(ann) is True and gk.guidelines.acceptance(ann) is None
    for stale in (1, 3, True):
        with pytest.raises(ValidationError) as raised:
            gk.guidelines.accept(ann, stale)
        assert raised.value.field == "version"
    gk.guidelines.accept(ann, 2)
    assert gk.guidelines.pending(ann) is False
    rows = gk.session.scalars(sa.select(GuidelinesAcceptance).order_by(GuidelinesAcceptance.version)).all()
    assert [r.version for r in rows] == [1, 2]
    # Someone who never took part is pending too, and becomes a member by accepting.
    assert gk.guidelines.pending("newcomer") is True
    gk.guidelines.accept("newcomer", 2)
    assert gk.member("newcomer").user_id == "newcomer"


def test_published_hook_and_signal(gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    told: list[GuidelinesPublished] = []
    received: list[GuidelinesPublished] = []

    class Listener:
        @hookimpl
        def guildkit_guidelines_published(self, gk: GuildKit, guidelines: GuidelinesPublished) -> None:
            # Told after the commit: the version is readable.
            assert gk.guidelines.version(guidelines.version).title == guidelines.title
            told.append(guidelines)

    def receive(sender: GuildKit, guidelines: GuidelinesPublished) -> None:
        received.append(guidelines)

    gk.register(Listener())
    notes = sa.select(sa.func.count()).select_from(Notification)
    before = gk.session.scalar(notes)
    gk.session.commit()
    signals.guidelines_published.connect(receive, sender=gk)
    try:
        gk.guidelines.publish(admin, title="Rules", body="Be kind", summary="first")
    finally:
        signals.guidelines_published.disconnect(receive, sender=gk)
    assert told == received == [GuidelinesPublished(1, "Rules", "first", admin)]
    # Members are not notified one by one.
    assert gk.session.scalar(notes) == before


def test_markdown_is_rendered_without_raw_html_or_unsafe_links() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) [data](data:text/html;base64,xx) [ok](https://example.com)\n\n"
        '<a href="https://evil.example">raw</a> **bold**'
    )
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert '<a href="https://example.com">ok</a>' in html
    assert "<a href=" + '"https://evil.example"' not in html and "<strong>bold</strong>" in html


# -- the earning gate ------------------------------------------------------------------------


def reputation(gk: GuildKit, user: str) -> int:
    return gk.balances(user).get("reputation", 0)


def test_gate_is_off_by_default(gk: GuildKit) -> None:
    publish(gk)
    gk.record("answer.upvoted", actor="bob", target="ann", key="v1")
    assert reputation(gk, "ann") == 10


@pytest.mark.parametrize("gk_config", [REQUIRED])
def test_members_who_have_not_accepted_earn_nothing(gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="bob", target="ann", key="v0")
    assert reputation(gk, "ann") == 10  # no guidelines yet: the gate is open
    publish(gk)
    result = gk.record("answer.posted", actor="ann", key="p1")
    gk.record("answer.upvoted", actor="bob", target="ann", key="v1")
    assert result.points == () and result.badges == ()
    assert reputation(gk, "ann") == 10 and gk.badges("ann") == []
    rows = gk.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.activity_id.is_not(None))).all()
    assert len(rows) == 1  # like a suspended member: no ledger rows for what was not earned
    assert gk.session.scalars(sa.select(Notification.kind)).all() == []

    gk.guidelines.accept("ann", 1)
    gk.record("answer.upvoted", actor="bob", target="ann", key="v2")
    assert reputation(gk, "ann") == 20  # earns again; what was missed is not backfilled
    gk.record("answer.posted", actor="ann", key="p2")
    # Counters kept counting (as for a suspended member): the threshold badges now held are granted.
    assert sorted(a.badge_slug for a in gk.badges("ann")) == ["answerer", "first-answer"]

    publish(gk, 2)  # a new version closes the gate again until accepted
    gk.record("answer.upvoted", actor="bob", target="ann", key="v3")
    assert reputation(gk, "ann") == 20
    gk.guidelines.accept("ann", 2)
    gk.record("answer.upvoted", actor="bob", target="ann", key="v4")
    assert reputation(gk, "ann") == 30


@pytest.mark.parametrize("gk_config", [REQUIRED])
def test_gate_lets_revocations_and_retractions_through(gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="bob", target="ann", key="v1")
    for n in range(5):
        gk.record("answer.upvoted", actor=f"u{n}", target="ann", key=f"r{n}")
    assert "trusted" in gk.roles("ann")  # 60 reputation
    publish(gk)
    for n in range(5):
        gk.retract(f"r{n}", reason="unvote")
    assert reputation(gk, "ann") == 10 and "trusted" not in gk.roles("ann")


@pytest.mark.parametrize("gk_config", [REQUIRED])
def test_gate_and_suspension_both_hold(gk: GuildKit) -> None:
    publish(gk)
    gk.guidelines.accept("ann", 1)
    gk.set_status("ann", "suspended", reason="spam")
    gk.record("answer.upvoted", actor="bob", target="ann", key="v1")
    assert reputation(gk, "ann") == 0  # accepting does not lift a suspension
    gk.set_status("ann", "active", reason="appeal")
    gk.record("answer.upvoted", actor="bob", target="ann", key="v2")
    assert reputation(gk, "ann") == 10


def test_config_must_be_a_bool(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match="GUILDKIT_REQUIRE_GUIDELINES"),
        make_app("sqlite", tmp_path, config={"GUILDKIT_REQUIRE_GUIDELINES": "yes"}),
    ):
        pass


def test_benchmark_still_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "record_bench.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--single" in done.stdout
