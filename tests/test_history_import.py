"""History import (``gk.import_history``, ``flask guildkit import``): the two forms, idempotency,
what is switched off, refusing bad files, the rejects, the CLI; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import guildkit_webhooks
import pytest
import sqlalchemy as sa
from guildkit_webhooks.admin import create_endpoint

from guildkit import BadgeDef, BadgeRule, Count, GuildKit, ValidationError, signals
from guildkit.history import ImportFileError
from guildkit.testing import make_app, require_backend
from tests.plugins import qa_rules

DOCS = Path(__file__).parent.parent / "docs"
COUNTED = ("guildkit_activities", "guildkit_ledger", "guildkit_badge_awards", "guildkit_role_grants",
           "guildkit_members", "guildkit_counters", "guildkit_balances")  # fmt: skip


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, guildkit_webhooks)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_WEBHOOKS_WORKER": False}


def write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def activity(key: str, type: str = "answer.posted", day: int = 1, **fields: Any) -> dict[str, Any]:
    return {"type": type, "key": key, "actor": "ann", "occurred_at": f"2020-01-{day:02d}T12:00:00Z", **fields}


def count(gk: GuildKit, table: str) -> int:
    with gk.store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def counts(gk: GuildKit) -> dict[str, int]:
    return {table: count(gk, table) for table in COUNTED}


def test_activities_import_with_their_dates_and_a_second_import_changes_nothing(gk: GuildKit, tmp_path: Path) -> None:
    path = write(
        tmp_path / "h.jsonl",
        [
            activity("p1", day=3),
            activity("p2", day=4),
            activity("v1", "answer.upvoted", day=5, actor="bob", target="ann", subject="answer:1"),
            activity("p0", day=1),  # out of order: ann joined on the 1st all the same
        ],
    )
    summary = gk.import_history(path)
    assert (summary.lines, summary.imported, summary.duplicates, summary.rejected) == (4, 4, 0, 0)
    assert (summary.members_created, summary.points, summary.badges) == (2, 25, 2)  # 3x5 xp and 10 rep; 2 badges
    assert gk.balance("ann", "reputation") == 10
    assert gk.ledger("ann", point_type="reputation")[0].created_at.day == 5  # dated when earned
    assert gk.member("ann").joined_at.day == 1
    before = counts(gk)
    again = gk.import_history(path)
    assert (again.imported, again.duplicates, again.points, again.badges) == (0, 4, 0, 0)
    assert counts(gk) == before
    entries = gk.audit_log(action="history.import")
    assert len(entries) == 2 and entries[1].details["imported"] == 4 and entries[0].actor == "host"


def test_an_iterable_of_mappings_imports_too(gk: GuildKit) -> None:
    summary = gk.import_history(iter([activity("p1"), activity("p2", day=2)]), chunk=1)
    assert (summary.imported, summary.chunks) == (2, 2)
    assert [a.badge_slug for a in gk.badges("ann")].count("answerer") == 1


@pytest.mark.parametrize(
    ("line", "field", "says"),
    [
        ('{"type": "answer.posted", "key": ', "json", "bad JSON"),
        (activity("x", "answer.pondered"), "type", "unknown activity type"),
        ({"type": "answer.posted", "actor": "ann", "occurred_at": "2020-01-01T00:00:00Z"}, "key", "missing field"),
        (activity("x", occurred_at="2020-01-01 12:00"), "occurred_at", "no time zone"),
        (activity("x", occurred_at="yesterday"), "occurred_at", "bad timestamp"),
        (activity("x", occurred_at=None), "occurred_at", "missing field"),
        (activity("p1", actor="bob"), "key", "is used on line 1 for other content"),
        (
            {"member": "ann", "key": "o", "occurred_at": "2020-01-01T00:00:00Z", "points": {"karma": 5}},
            "payload.points.karma",
            "unknown point type",
        ),
    ],
)
def test_a_bad_line_refuses_the_file_naming_line_and_field_and_nothing_is_written(
    gk: GuildKit, tmp_path: Path, line: Any, field: str, says: str
) -> None:
    before = counts(gk)
    path = write(tmp_path / "bad.jsonl", [activity("p1"), line, activity("p3")])
    with pytest.raises(ImportFileError, match=says) as caught:
        gk.import_history(path)
    assert (caught.value.line, caught.value.field) == (2, field)
    assert str(caught.value).startswith(f"line 2: {field}: ")
    assert counts(gk) == before


def test_a_key_stored_with_other_content_is_refused(gk: GuildKit, tmp_path: Path) -> None:
    gk.record("answer.posted", actor="bob", key="p1")
    before = counts(gk)
    with pytest.raises(ImportFileError, match=r"line 1: key: .*already stored.*differs in: actor") as caught:
        gk.import_history(write(tmp_path / "h.jsonl", [activity("p1"), activity("p2")]))
    assert caught.value.count == 1
    assert counts(gk) == before


def test_skip_bad_writes_the_rejects_with_reasons_and_imports_the_rest(gk: GuildKit, tmp_path: Path) -> None:
    path = write(tmp_path / "h.jsonl", [activity("p1"), "not json", activity("x", "nope"), activity("p2", day=2)])
    rejects = tmp_path / "rejects.jsonl"
    summary = gk.import_history(path, skip_bad=True, rejects=rejects)
    assert (summary.imported, summary.rejected, summary.rejects) == (2, 2, str(rejects))
    rows = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert [(r["line"], r["reasons"][0]["field"]) for r in rows] == [(2, "json"), (3, "type")]
    assert rows[0]["text"] == "not json"
    assert "unknown activity type 'nope'" in rows[1]["reasons"][0]["message"]
    assert gk.balance("ann", "xp") == 10


def test_types_lets_in_what_no_rule_counts_yet(gk: GuildKit) -> None:
    summary = gk.import_history([activity("x", "answer.pondered")], types=["answer.pondered"])
    assert summary.imported == 1


def test_totals_give_the_badges_roles_and_levels_they_qualify_for(gk: GuildKit, tmp_path: Path) -> None:
    gk.define(
        badges=[BadgeDef("liked", "Liked", "Received many upvotes")],
        rules=[BadgeRule("liked", "liked", Count("answer.upvoted", role="target"), (50,))],
    )
    totals = {
        "member": "cat",
        "key": "opening:cat",
        "occurred_at": "2021-06-01T00:00:00Z",
        "counts": {"answer.posted": 5},
        "received": {"answer.upvoted": 60},
        "points": {"reputation": 120, "xp": 60},
    }
    summary = gk.import_history(write(tmp_path / "t.jsonl", [totals]))
    assert summary.imported == 1
    assert gk.balance("cat", "reputation") == 120
    held = sorted((a.badge_slug, a.level) for a in gk.badges("cat"))
    assert held == [("answerer", 1), ("answerer", 2), ("centurion", 1), ("first-answer", 1), ("liked", 1)]
    assert "trusted" in gk.roles("cat")
    with gk.store.engine.connect() as conn:
        level = conn.execute(sa.text("SELECT level FROM guildkit_balances WHERE point_type = 'xp'")).scalar_one()
    assert level == 2  # 60 xp: "Adept"
    # Later activities add to the opening counts: the sixth answer is gold.
    gk.record("answer.posted", actor="cat", key="p6")
    assert ("answerer", 3) in {(a.badge_slug, a.level) for a in gk.badges("cat")}
    # The totals are an activity: retracting it takes everything it gave back.
    gk.retract("opening:cat", reason="wrong export")
    assert gk.balance("cat", "reputation") == 1  # reputation's floor


@pytest.fixture
def told() -> Iterator[list[str]]:
    heard: list[str] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        heard.append("badge_awarded")

    signals.badge_awarded.connect(receiver)
    yield heard
    signals.badge_awarded.disconnect(receiver)


@pytest.mark.slow
# 100,000 on PostgreSQL; on SQLite 20,000 show the same (import speed is bench/'s to measure).
@pytest.mark.parametrize(("backend", "size"), [("sqlite", 20_000), ("postgresql", 100_000)])
def test_a_large_import_makes_no_notifications_or_outbox_rows_and_happens_once(
    backend: str, size: int, tmp_path: Path, told: list[str]
) -> None:
    config = {"GUILDKIT_WEBHOOKS_WORKER": False}
    plugins = (qa_rules, guildkit_webhooks)
    with make_app(require_backend(backend), tmp_path, config=config, plugins=plugins) as (_, gk):
        create_endpoint(gk, "https://hooks.example.com/in", ["*"])
        path = tmp_path / "big.jsonl"
        with path.open("w") as file:
            for n in range(size):
                user, other = f"u{n % 2000}", f"u{(n * 7 + 1) % 2000}"
                when = f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z"
                if n % 2:
                    line = {"type": "answer.upvoted", "key": f"v{n}", "actor": user, "target": other,
                            "occurred_at": when}  # fmt: skip
                else:
                    line = {"type": "answer.posted", "key": f"p{n}", "actor": user, "occurred_at": when}
                file.write(json.dumps(line) + "\n")
        notes, outbox = count(gk, "guildkit_notifications"), count(gk, "guildkit_webhooks_deliveries")
        summary = gk.import_history(path, chunk=1000)
        assert (summary.imported, summary.members_created) == (size, 2000)
        assert summary.badges > 0 and summary.points > 0
        assert count(gk, "guildkit_notifications") == notes == 0
        assert count(gk, "guildkit_webhooks_deliveries") == outbox == 0
        assert told == []
        before = counts(gk)
        again = gk.import_history(path)
        assert (again.imported, again.duplicates) == (0, size)
        assert counts(gk) == before
        # The same pipeline outside an import does tell: the test above would have seen it.
        gk.record("answer.posted", actor="newcomer", key="live")
        assert count(gk, "guildkit_notifications") > 0 and count(gk, "guildkit_webhooks_deliveries") > 0 and told


def test_rate_limits_and_the_guidelines_gate_are_off_for_an_import(tmp_path: Path) -> None:
    config = {"GUILDKIT_RATE_LIMITS": {"*": "2/day"}, "GUILDKIT_REQUIRE_GUIDELINES": True}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules,)) as (_, gk):
        gk.guidelines.publish(None, title="Rules", body="Be kind.")
        summary = gk.import_history([activity(f"p{n}", day=1) for n in range(5)])
        assert summary.imported == 5
        assert gk.balance("ann", "xp") == 25  # not withheld though ann never accepted


def test_the_cli_imports_with_progress_and_a_summary(gk_app: Any, gk: GuildKit, tmp_path: Path) -> None:
    path = write(tmp_path / "h.jsonl", [activity("p1"), activity("p2", day=2), "{oops"])
    runner = gk_app.test_cli_runner()
    refused = runner.invoke(args=["guildkit", "import", str(path)])
    assert refused.exit_code == 1
    assert "line 3: json: bad JSON" in refused.output and "nothing was written" in refused.output
    done = runner.invoke(args=["guildkit", "import", str(path), "--skip-bad", "--chunk", "1"])
    assert done.exit_code == 0, done.output
    assert "Imported 2 activities from 3 lines (0 duplicates, 1 rejected" in done.output
    assert (tmp_path / "h.jsonl.rejects.jsonl").exists()
    again = runner.invoke(args=["guildkit", "import", str(path), "--skip-bad", "--json"])
    assert json.loads(again.output.splitlines()[-1])["duplicates"] == 2
    assert gk.audit_log(action="history.import")[0].actor == "cli"


@pytest.mark.parametrize("example", ["import-stackexchange.jsonl", "import-discourse.jsonl"])
def test_the_docs_example_files_import(tmp_path: Path, example: str) -> None:
    config = {"GUILDKIT_RULES_FILE": str(DOCS / "examples" / "import-rules.toml")}
    with make_app("sqlite", tmp_path, config=config) as (_, gk):
        summary = gk.import_history(DOCS / "examples" / example)
        assert summary.imported > 0 and summary.rejected == 0


def test_switched_off_there_is_no_import(tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.history"]}
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        with pytest.raises(AttributeError, match="GUILDKIT_PLUGINS_DENY"):
            gk.import_history  # noqa: B018
        assert "import" not in app.cli.commands["guildkit"].commands  # type: ignore[attr-defined]


def test_the_conversion_steps_in_the_docs_run_and_their_output_imports(tmp_path: Path, monkeypatch: Any) -> None:
    import re

    blocks = re.findall(r"<!-- import:convert .*?-->\n```python\n(.*?)```", (DOCS / "import.md").read_text(), re.S)
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    config = {"GUILDKIT_RULES_FILE": str(DOCS / "examples" / "import-rules.toml")}
    with make_app("sqlite", tmp_path / "app", config=config) as (_, gk):
        for code in blocks:
            exec(compile(code, "docs/import.md", "exec"), {})
            summary = gk.import_history(tmp_path / "history.jsonl")
            assert summary.imported > 0 and summary.rejected == 0
        assert gk.balance("se:7", "reputation") == 25  # an upvote and an acceptance
        assert {"regular", "bookworm", "writer", "well-liked"} <= {a.badge_slug for a in gk.badges("discourse:12")}


def test_a_source_that_is_neither_a_file_nor_lines_is_refused(gk: GuildKit, tmp_path: Path) -> None:
    for source in (42, b"{}", {"type": "answer.posted"}, tmp_path / "missing.jsonl"):
        with pytest.raises(ValidationError, match=r"source|no such file"):
            gk.import_history(source)
    assert gk.audit_log(action="history.import") == []
