"""The retention policy: old activities lose their payload, nothing else changes.

On SQLite (guildkit's own database and the host's) and PostgreSQL: compaction drops the payload
of activities older than ``GUILDKIT_RETENTION_DAYS`` only, keeps key, fingerprint, subject and
the fields plugins ask for, never touches the ledger or counters, and runs in batches that can
be interrupted and rerun. Replays of a compacted key are still duplicates or conflicts; a
compacted activity cannot be retracted. KPIs, trust progress and the privacy export read the same.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, IdempotencyConflict
from guildkit.errors import ActivityCompacted, ConfigurationError, GuildKitError
from guildkit.models import Activity, Counter, LedgerEntry, table_of
from guildkit.retention import compaction
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

ACTIVITIES = table_of(Activity)
LEDGER = table_of(LedgerEntry)
COUNTERS = table_of(Counter)
DAYS = 30
PAYLOAD = {"words": 120, "text": "an answer body " * 8, "tags": ["python", "sql"]}


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_RETENTION_DAYS": DAYS, "GUILDKIT_RETENTION_BATCH_SIZE": 3}


def rows(gk: GuildKit) -> dict[str, Any]:
    with gk.store.engine.connect() as conn:
        return {row.key: row for row in conn.execute(sa.select(ACTIVITIES).order_by(ACTIVITIES.c.id))}


def snapshot(gk: GuildKit, table: sa.Table) -> list[tuple[Any, ...]]:
    with gk.store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]


def community(gk: GuildKit, clock: Clock) -> datetime:
    """Answers and votes from 100 days ago to today; returns "now"."""
    now = clock()
    for day in range(100, -1, -10):
        moment = now - timedelta(days=day)
        for who in ("ann", "bob", "cat"):
            gk.record(
                "answer.posted",
                key=f"post:{who}:{day}",
                actor=who,
                subject=f"answer:{who}:{day}",
                payload=PAYLOAD,
                occurred_at=moment,
            )
        gk.record("answer.upvoted", key=f"vote:{day}", actor="bob", target="ann", occurred_at=moment)
        gk.record("visit", key=f"visit:{day}", actor="cat", payload={"path": "/q/1"}, occurred_at=moment)
    return now


def test_old_activities_lose_their_payload_and_nothing_else(gk: GuildKit, gk_clock: Clock) -> None:
    now = community(gk, gk_clock)
    before, ledger, counters = rows(gk), snapshot(gk, LEDGER), snapshot(gk, COUNTERS)
    done = gk.retention.compact()
    after = rows(gk)
    cutoff = now - timedelta(days=DAYS)
    old = {key for key, row in before.items() if row.occurred_at < cutoff}
    assert done.compacted == len(old) == 7 * 5 and done.batches == -(-len(old) // 3)
    assert done.cutoff == cutoff and done.out()["active"] is True
    for key, row in after.items():
        was = before[key]
        if key in old:
            assert (row.payload, row.compacted_at) == ({}, now)
        else:
            assert (row.payload, row.compacted_at) == (was.payload, None)
        kept = ("id", "key", "type", "actor_id", "target_id", "subject", "occurred_at", "recorded_at", "fingerprint")
        assert [getattr(row, c) for c in kept] == [getattr(was, c) for c in kept]
    assert snapshot(gk, LEDGER) == ledger and snapshot(gk, COUNTERS) == counters


def test_a_second_run_changes_nothing_and_a_dry_run_nothing_at_all(gk: GuildKit, gk_clock: Clock) -> None:
    community(gk, gk_clock)
    before = rows(gk)
    planned = gk.retention.compact(dry_run=True)
    assert (planned.compacted, planned.batches, planned.dry_run) == (35, 0, True)
    assert rows(gk) == before
    assert gk.retention.compact().compacted == 35
    compacted = rows(gk)
    again = gk.retention.compact()
    assert (again.compacted, again.batches) == (0, 0)
    assert rows(gk) == compacted
    gk_clock.advance(days=10)  # the cutoff moved on: the rows of 30 days ago are due now
    assert gk.retention.compact().compacted == 5


def test_a_run_killed_midway_loses_nothing(gk: GuildKit, gk_clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    community(gk, gk_clock)
    real = compaction._compact_batch
    calls = 0

    def dies_on_the_third_batch(*args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("killed")
        return real(*args)

    monkeypatch.setattr(compaction, "_compact_batch", dies_on_the_third_batch)
    with pytest.raises(RuntimeError, match="killed"):
        gk.retention.compact()
    monkeypatch.undo()
    assert sum(1 for row in rows(gk).values() if row.compacted_at is not None) == 6  # two batches committed
    assert gk.retention.compact().compacted == 29
    assert gk.retention.compact().compacted == 0


def test_replays_of_a_compacted_key_are_duplicates_or_conflicts(gk: GuildKit, gk_clock: Clock) -> None:
    now = community(gk, gk_clock)
    moment = now - timedelta(days=90)
    first = gk.record(
        "answer.upvoted", key="vote:old", actor="cat", target="ann", subject="answer:ann:90", occurred_at=moment
    )
    assert first.points
    gk.retention.compact()
    assert rows(gk)["vote:old"].compacted_at is not None
    replay = gk.record(
        "answer.upvoted", key="vote:old", actor="cat", target="ann", subject="answer:ann:90", occurred_at=moment
    )
    assert replay.duplicate and replay.points == first.points and replay.badges == first.badges
    same = gk.record(
        "answer.posted",
        key="post:ann:90",
        actor="ann",
        subject="answer:ann:90",
        payload=PAYLOAD,
        occurred_at=moment,
    )
    assert same.duplicate  # the payload is gone, its fingerprint is not
    with pytest.raises(IdempotencyConflict):
        gk.record(
            "answer.posted",
            key="post:ann:90",
            actor="ann",
            subject="answer:ann:90",
            payload={**PAYLOAD, "words": 121},
            occurred_at=moment,
        )
    with pytest.raises(IdempotencyConflict):
        gk.record("answer.upvoted", key="vote:old", actor="bob", target="ann", occurred_at=moment)


def test_a_compacted_activity_cannot_be_retracted(gk: GuildKit, gk_clock: Clock) -> None:
    now = community(gk, gk_clock)
    gk.retract("vote:90", reason="serial voting")  # retracted before compaction
    retracted = gk.retract("vote:90", reason="serial voting")
    gk.retention.compact()
    ledger, counters = snapshot(gk, LEDGER), snapshot(gk, COUNTERS)
    with pytest.raises(ActivityCompacted, match=r"'vote:80' was compacted .* can no longer be retracted") as caught:
        gk.retract("vote:80", reason="too late")
    assert caught.value.key == "vote:80" and caught.value.compacted_at == now
    assert snapshot(gk, LEDGER) == ledger and snapshot(gk, COUNTERS) == counters
    assert rows(gk)["vote:80"].retracted_at is None
    # A retraction done before compaction stays answerable: its result comes from the ledger.
    again = gk.retract("vote:90", reason="serial voting")
    assert again.duplicate and again.points == retracted.points
    assert rows(gk)["vote:90"].retract_reason == "serial voting"
    young = gk.retract("vote:0", reason="fine")
    assert young.points and not young.duplicate


def test_types_and_kept_fields(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    gk_app.config["GUILDKIT_RETENTION_TYPES"] = ["answer.posted", "post.read"]
    gk_app.config["GUILDKIT_RETENTION_KEEP_PAYLOAD"] = {"answer.posted": ["words", "missing"]}
    now = community(gk, gk_clock)
    for day in (90, 60, 3):
        gk.record(
            "post.read",
            key=f"read:{day}",
            actor="dan",
            subject=f"post:{day}",
            payload={"seconds": 300, "scroll": 0.5},
            occurred_at=now - timedelta(days=day),
        )
    trust_before = gk.trust.status("dan")
    policy = gk.retention.policy()
    # trust sums post.read's "seconds" over every live activity: it asks for the field.
    assert policy.out()["keep_payload"] == {"answer.posted": ["missing", "words"], "post.read": ["seconds"]}
    assert gk.retention.compact().compacted == 7 * 3 + 2
    after = rows(gk)
    assert after["post:ann:90"].payload == {"words": 120}
    assert after["read:90"].payload == {"seconds": 300} and after["read:3"].payload["scroll"] == 0.5
    assert after["visit:90"].payload == {"path": "/q/1"} and after["visit:90"].compacted_at is None
    assert gk.trust.status("dan") == trust_before


def test_kpis_and_the_privacy_export_read_the_same(gk: GuildKit, gk_clock: Clock) -> None:
    community(gk, gk_clock)
    a = gk.analytics
    rng = a.range(date(2025, 9, 1), date(2026, 1, 5), "week")

    def kpis() -> list[Any]:
        a.refresh(rebuild=True)
        return [
            a.activity(rng),
            a.actives(rng),
            a.retention(rng),
            a.churn(rng),
            a.first_response(rng),
            a.levels(rng),
            a.recognition(rng),
            a.programmes(rng),
        ]

    before, leaderboard = kpis(), gk.leaderboard("reputation")
    export = gk.privacy.export("ann")
    gk.retention.compact()
    assert kpis() == before and gk.leaderboard("reputation") == leaderboard
    compacted = gk.privacy.export("ann")
    assert len(compacted["activities"]) == len(export["activities"])
    by_key = {item["key"]: item for item in compacted["activities"]}
    assert by_key["post:ann:90"]["payload"] == {} and by_key["post:ann:0"]["payload"] == PAYLOAD
    assert by_key["post:ann:90"]["subject"] == "answer:ann:90"
    assert compacted["ledger"] == export["ledger"]


def test_the_daily_job_and_the_commands(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    assert gk.jobs.registered()["guildkit.retention.compact"].description.startswith("Compact activities")
    assert {e.job: e.seconds for e in gk.jobs.schedule()}["guildkit.retention.compact"] == 86400.0
    community(gk, gk_clock)
    runner = gk_app.test_cli_runner()
    planned = runner.invoke(args=["guildkit", "retention", "compact", "--dry-run"])
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.output) | {"seconds": 0} == {
        "active": True,
        "dry_run": True,
        "cutoff": (gk_clock() - timedelta(days=DAYS)).isoformat(),
        "compacted": 35,
        "batches": 0,
        "seconds": 0,
        "policy": {"days": DAYS, "types": None, "keep_payload": {"post.read": ["seconds"]}, "batch_size": 3},
    }
    policy = runner.invoke(args=["guildkit", "retention", "policy"])
    assert json.loads(policy.output)["days"] == DAYS
    assert gk.jobs.run("guildkit.retention.compact")["compacted"] == 35
    done = runner.invoke(args=["guildkit", "retention", "compact"])
    assert done.exit_code == 0 and json.loads(done.output)["compacted"] == 0


def test_with_the_policy_off_the_job_does_nothing(tmp_path: Path, gk_backend: str) -> None:
    clock = Clock()
    with make_app(gk_backend, tmp_path, plugins=(qa_rules,), clock=clock) as (_, gk):
        community(gk, clock)
        before = rows(gk)
        done = gk.jobs.run("guildkit.retention.compact")
        assert done == {
            "active": False,
            "dry_run": False,
            "cutoff": None,
            "compacted": 0,
            "batches": 0,
            "seconds": 0.0,
            "policy": {"days": None, "types": None, "keep_payload": {}, "batch_size": 1000},
        }
        assert rows(gk) == before


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("GUILDKIT_RETENTION_DAYS", 0, "None .never compact. or a positive number of days"),
        ("GUILDKIT_RETENTION_DAYS", "30", "positive number of days, got '30'"),
        ("GUILDKIT_RETENTION_DAYS", True, "positive number of days"),
        ("GUILDKIT_RETENTION_TYPES", "answer.posted", "non-empty list of activity types"),
        ("GUILDKIT_RETENTION_TYPES", [], "non-empty list of activity types"),
        ("GUILDKIT_RETENTION_KEEP_PAYLOAD", {"post.read": "seconds"}, "lists of payload field names"),
        ("GUILDKIT_RETENTION_KEEP_PAYLOAD", ["seconds"], "lists of payload field names"),
        ("GUILDKIT_RETENTION_BATCH_SIZE", 0, "integer from 1 to 50000"),
        ("GUILDKIT_RETENTION_BATCH_SIZE", 10**6, "integer from 1 to 50000"),
    ],
)
def test_bad_config_fails_at_start_up(tmp_path: Path, key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message), make_app("sqlite", tmp_path, config={key: value}):
        pass


def test_a_plugin_names_the_payload_it_still_reads(tmp_path: Path) -> None:
    from guildkit import hookimpl

    class Reader:
        @hookimpl
        def guildkit_register_retained_payload(self, gk: GuildKit) -> dict[str, list[str]]:
            return {"answer.posted": ["words"]}

    class Broken:
        @hookimpl
        def guildkit_register_retained_payload(self, gk: GuildKit) -> object:
            return {"answer.posted": "words"}

    config = {"GUILDKIT_RETENTION_DAYS": 1, "GUILDKIT_PLUGINS_DENY": ["guildkit.moderation", "guildkit.trust"]}
    with make_app("sqlite", tmp_path, config=config, plugins=(Reader(),)) as (_, gk):
        assert gk.retention.policy().keep == {"answer.posted": frozenset({"words"})}  # trust is off: only Reader's
        gk.register(Broken(), name="broken")
        # A plugin that cannot say what it needs stops the run before anything is dropped.
        with pytest.raises(GuildKitError, match="guildkit_register_retained_payload of broken"):
            gk.retention.compact()


def test_the_retention_plugin_is_part_of_the_core(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match=r"'guildkit\.retention' is part of guildkit's core"),
        make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.retention"]}),
    ):
        pass
