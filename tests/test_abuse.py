"""Serial-voting detection (`flask guildkit detect-abuse`): exact reversals on synthetic votes, run twice."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ConfigurationError
from guildkit.moderation.abuse import SerialVoting, serial_runs
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

SETTINGS = {"types": ["answer.upvoted"], "threshold": 3, "window_hours": 24, "lookback_days": 7}
REASON = "serial voting: {n} votes from {voter} to {target}, more than 3 within 24 hours"


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_SERIAL_VOTING": SETTINGS}


def votes(gk: GuildKit, voter: str, target: str, hours: list[float], start: datetime) -> list[str]:
    keys = []
    for n, h in enumerate(hours):
        key = f"{voter}>{target}:{n}"
        gk.record("answer.upvoted", actor=voter, target=target, key=key, occurred_at=start + timedelta(hours=h))
        keys.append(key)
    return keys


def synthetic(gk: GuildKit, clock: Clock) -> dict[str, list[str]]:
    """Votes over the last days; the clock ends 2 days after the first of them."""
    start = clock.now - timedelta(days=2)
    keys = {
        # 4 within 3 hours: more than 3 in 24 hours. The fifth, 30 hours on, is alone in its window.
        "bob": votes(gk, "bob", "ann", [0, 1, 2, 3, 30], start),
        # exactly the threshold: allowed
        "carol": votes(gk, "carol", "ann", [0, 0.5, 1], start),
        # 4 votes, 10 hours apart: never more than 3 in a day
        "dan": votes(gk, "dan", "eve", [0, 10, 20, 30], start),
        # the run is 1h, 2h, 24.5h, 25h: the vote at 0h is more than 24 hours before 24.5h
        "frank": votes(gk, "frank", "gina", [0, 1, 2, 24.5, 25], start),
        # voting for yourself is never serial voting (and earns nothing anyway)
        "ann": votes(gk, "ann", "ann", [0, 0.1, 0.2, 0.3, 0.4], start),
        # outside the 7-day lookback
        "hal": votes(gk, "hal", "ann", [0, 0.1, 0.2, 0.3, 0.4], start - timedelta(days=6)),
    }
    return keys


def test_serial_runs_marks_every_vote_in_a_window_over_the_threshold() -> None:
    t0 = datetime(2026, 1, 1)
    times = [t0 + timedelta(hours=h) for h in (0, 1, 2, 24.5, 25, 60)]
    assert serial_runs(times, 3, timedelta(hours=24)) == [1, 2, 3, 4]
    assert serial_runs(times, 4, timedelta(hours=24)) == []
    assert serial_runs(times[:3], 2, timedelta(hours=2)) == [0, 1, 2]


def test_detection_reverses_exactly_the_serial_votes_and_flags_the_voters(gk: GuildKit, gk_clock: Clock) -> None:
    keys = synthetic(gk, gk_clock)
    before = {user: gk.balance(user, "reputation") for user in ("ann", "eve", "gina")}
    assert before == {"ann": 130, "eve": 40, "gina": 50}

    findings = {f.voter: f for f in gk.abuse.detect()}

    assert sorted(findings) == ["bob", "frank"]
    bob, frank = findings["bob"], findings["frank"]
    assert (bob.target, bob.keys, bob.points) == ("ann", tuple(keys["bob"][:4]), {"reputation": -40})
    assert (frank.target, frank.keys, frank.points) == ("gina", tuple(keys["frank"][1:]), {"reputation": -40})
    assert {user: gk.balance(user, "reputation") for user in ("ann", "eve", "gina")} == {
        "ann": 90,
        "eve": 40,
        "gina": 10,
    }
    reason = "retracted: " + REASON.format(n=4, voter="bob", target="ann")
    reversals = [e for e in gk.ledger("ann", limit=10) if e.reason == reason]
    assert sorted(e.amount for e in reversals) == [-10, -10, -10, -10]

    cases = {c.subject: c for c in gk.moderation.queue(None)}
    assert sorted(cases) == ["member:bob", "member:frank"]
    case = gk.moderation.case(None, cases["member:bob"].id)
    assert case.id == bob.case_id and case.user_id == "bob"
    (report,) = case.reports
    assert (report.category, report.comment) == ("other", REASON.format(n=4, voter="bob", target="ann"))
    audit = [(a.action, a.target, a.case_id) for a in gk.moderation.audit(None) if a.action == "reverse_votes"]
    assert sorted(audit) == sorted([("reverse_votes", "bob", bob.case_id), ("reverse_votes", "frank", frank.case_id)])


def test_running_twice_changes_nothing_the_second_time(gk: GuildKit, gk_clock: Clock) -> None:
    synthetic(gk, gk_clock)
    assert len(gk.abuse.detect()) == 2
    balances = {user: gk.balance(user, "reputation") for user in ("ann", "gina")}
    cases = [c.id for c in gk.moderation.queue(None)]
    assert gk.abuse.detect() == []
    assert {user: gk.balance(user, "reputation") for user in ("ann", "gina")} == balances
    assert [c.id for c in gk.moderation.queue(None)] == cases
    assert [len(gk.moderation.case(None, c).reports) for c in cases] == [1, 1]


def test_a_dry_run_reports_and_changes_nothing(gk: GuildKit, gk_clock: Clock) -> None:
    synthetic(gk, gk_clock)
    found = gk.abuse.detect(dry_run=True)
    assert [(f.voter, len(f.keys), f.case_id) for f in found] == [("bob", 4, None), ("frank", 4, None)]
    assert gk.balance("ann", "reputation") == 130
    assert gk.moderation.queue(None) == []


def test_the_cli_prints_the_findings(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    synthetic(gk, gk_clock)
    result = gk_app.test_cli_runner().invoke(args=["guildkit", "detect-abuse"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["dry_run"] is False
    assert [(f["voter"], f["target"], f["votes"], f["points"]) for f in printed["findings"]] == [
        ("bob", "ann", 4, {"reputation": -40}),
        ("frank", "gina", 4, {"reputation": -40}),
    ]
    again = gk_app.test_cli_runner().invoke(args=["guildkit", "detect-abuse"])
    assert json.loads(again.output)["findings"] == []


def test_concurrent_runs_reverse_once(gk_backend: str, tmp_path: Path) -> None:
    clock = Clock()
    config = {"GUILDKIT_SERIAL_VOTING": SETTINGS}
    with make_app(gk_backend, tmp_path, config=config, plugins=(qa_rules,), clock=clock) as (app, gk):
        with app.app_context():
            synthetic(gk, clock)
        start = threading.Barrier(3)
        found: list[int] = []

        def work() -> None:
            with app.app_context():
                start.wait()
                found.append(len(gk.abuse.detect()))

        workers = [threading.Thread(target=work) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert sorted(found) == [0, 0, 2]
        with app.app_context():
            assert gk.balance("ann", "reputation") == 90
            assert len(gk.moderation.queue(None)) == 2


@pytest.mark.parametrize(
    "value",
    [
        {"threshold": 0},
        {"types": "answer.upvoted"},
        {"types": []},
        {"window_hours": 48, "lookback_days": 1},
        {"surprise": 1},
        ["answer.upvoted"],
    ],
)
def test_bad_settings_are_a_configuration_error(value: object) -> None:
    with pytest.raises(ConfigurationError, match="GUILDKIT_SERIAL_VOTING"):
        SerialVoting.from_config(value)
