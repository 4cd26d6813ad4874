"""Rule-set snapshots, their content hash and their diff (guildkit.rules.versions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from guildkit import BadgeDef, BadgeLevel, BadgeRule, Count, PointsRule, PointTypeDef
from guildkit.rules.ruleset import RuleSet
from guildkit.rules.versions import KINDS, Change, content_hash, diff, snapshot
from guildkit.testing import make_app
from tests.plugins import qa_rules

ROOT = Path(__file__).resolve().parent.parent

HASH_OF_QA_RULES = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from guildkit.testing import make_app
from guildkit.rules.versions import content_hash, snapshot
from tests.plugins import qa_rules
with make_app("sqlite", Path(sys.argv[2]), plugins=(qa_rules,)) as (app, gk):
    print(content_hash(snapshot(gk.registry)))
"""


def _snapshot(tmp_path: Path, *plugins: object) -> dict[str, Any]:
    with make_app("sqlite", tmp_path, plugins=plugins) as (_, gk):
        return snapshot(gk.registry)


def _answers(thresholds: tuple[int, ...], points: int = 10) -> RuleSet:
    return RuleSet(
        point_types=[PointTypeDef("rep", "Reputation")],
        badges=[BadgeDef("answerer", "Answerer", levels=(BadgeLevel("bronze"), BadgeLevel("silver")))],
        rules=[
            PointsRule("answer-upvoted", "answer.upvoted", points, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.posted"), thresholds),
        ],
    )


def test_a_snapshot_is_plain_json_with_every_kind(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, qa_rules)
    assert list(snap) == list(KINDS)
    assert json.loads(json.dumps(snap)) == snap
    answerer = snap["rules"]["answerer"]
    assert answerer["class"] == "guildkit.rules.builtin.BadgeRule"
    assert answerer["thresholds"] == [2, 4, 6]
    assert answerer["metric"] == {
        "class": "guildkit.metrics.Count",
        "type": "answer.posted",
        "role": "actor",
        "when": None,
        "label": None,
    }
    assert answerer["triggers"] == ["answer.posted"]
    assert snap["badges"]["answerer"]["levels"][1]["tier"] == "silver"
    assert snap["levels"]["xp"]["names"] == ["Novice", "Adept", "Expert"]


def test_the_hash_is_the_same_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    here = content_hash(_snapshot(tmp_path / "here", qa_rules))
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", HASH_OF_QA_RULES, str(ROOT), str(tmp_path / f"seed{seed}")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == here


def test_the_order_rules_are_registered_in_does_not_change_the_hash(tmp_path: Path) -> None:
    forward = _answers((5, 15))
    backward = RuleSet(forward.point_types, forward.badges, forward.roles, list(reversed(forward.rules)))
    assert content_hash(_snapshot(tmp_path / "a", forward)) == content_hash(_snapshot(tmp_path / "b", backward))


def test_a_threshold_change_is_one_changed_rule_naming_the_field(tmp_path: Path) -> None:
    before = _snapshot(tmp_path / "a", _answers((5, 15)))
    after = _snapshot(tmp_path / "b", _answers((3, 15)))
    assert content_hash(before) != content_hash(after)
    assert diff(before, after) == [Change("rules", "answerer", "changed", {"thresholds": ([5, 15], [3, 15])})]
    assert diff(before, before) == []


def test_added_and_removed_definitions(tmp_path: Path) -> None:
    before = _snapshot(tmp_path / "a", _answers((5, 15)))
    smaller = _answers((5, 15))
    smaller.rules = smaller.rules[1:]
    smaller.point_types.append(PointTypeDef("xp", "Experience"))
    after = _snapshot(tmp_path / "b", smaller)
    assert [(c.kind, c.name, c.change) for c in diff(before, after)] == [
        ("point_types", "xp", "added"),
        ("rules", "answer-upvoted", "removed"),
    ]
    assert diff(before, after)[1].as_json() == {
        "kind": "rules",
        "name": "answer-upvoted",
        "change": "removed",
        "fields": {},
    }


# -- the diff as a property --------------------------------------------------------------------

values = st.one_of(st.integers(-5, 5), st.text("ab", max_size=2), st.lists(st.integers(0, 3), max_size=3))
items = st.dictionaries(st.sampled_from(["type", "points", "thresholds", "on"]), values, min_size=1, max_size=4)
snapshots = st.fixed_dictionaries(
    {kind: st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), items, max_size=4) for kind in KINDS}
)


@given(snapshots, snapshots)
def test_the_diff_names_exactly_what_differs(before: dict[str, Any], after: dict[str, Any]) -> None:
    changes = diff(before, after)
    assert diff(before, before) == []
    assert (content_hash(before) == content_hash(after)) == (changes == [])
    seen = {(c.kind, c.name): c for c in changes}
    for kind in KINDS:
        for name in before[kind].keys() | after[kind].keys():
            old, new = before[kind].get(name), after[kind].get(name)
            change = seen.get((kind, name))
            if old == new:
                assert change is None
            elif old is None:
                assert change is not None and change.change == "added"
            elif new is None:
                assert change is not None and change.change == "removed"
            else:
                assert change is not None and change.change == "changed"
                # Replaying the fields' "after" values on the old item gives the new one.
                patched = {**old, **{f: b for f, (_, b) in change.fields.items()}}
                assert {k: v for k, v in patched.items() if v is not None} == new


# -- stored versions and the CLI ---------------------------------------------------------------


def _cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["guildkit", "rules", *args])


def test_each_distinct_rule_set_is_stored_once_and_the_cli_shows_what_changed(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(_answers((5, 15)),)) as (app, gk):
        assert gk.registry.version == 1
        listed = json.loads(_cli(app, "versions", "--json").output)
        assert [(v["version"], v["in_force"]) for v in listed] == [(1, True)]
    with make_app("sqlite", tmp_path, plugins=(_answers((3, 15), points=12),)) as (app, gk):
        assert gk.registry.version == 2
        out = _cli(app, "diff")
        assert out.exit_code == 0, out.output
        assert out.output.splitlines() == [
            "v1 → v2: 2 changes",
            "  rule answer-upvoted changed: points 10 → 12",
            "  rule answerer changed: thresholds [5, 15] → [3, 15]",
        ]
        as_json = json.loads(_cli(app, "diff", "1", "2", "--json").output)
        assert as_json["changes"][1] == {
            "kind": "rules",
            "name": "answerer",
            "change": "changed",
            "fields": {"thresholds": {"before": [5, 15], "after": [3, 15]}},
        }
        missing = _cli(app, "diff", "1", "9")
        assert missing.exit_code == 2 and "there is no rule-set version 9" in missing.output
    # Going back to the first rules is version 1 again, in force; nothing new is stored.
    with make_app("sqlite", tmp_path, plugins=(_answers((5, 15)),)) as (app, gk):
        assert gk.registry.version == 1
        listed = json.loads(_cli(app, "versions", "--json").output)
        assert [(v["version"], v["in_force"], v["changes_from_previous"]) for v in listed] == [
            (1, True, 0),
            (2, False, 2),
        ]
        assert "v1    " in _cli(app, "versions").output


def test_processes_starting_together_store_one_version(gk_backend: str, tmp_path: Path) -> None:
    """Eight threads store the same new rule set at once (as web processes starting together
    would): one version, every thread told its number; the rules already in force are v1."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from guildkit.rules import versions

    changed = _snapshot(tmp_path / "other", _answers((3, 15)))
    with make_app(gk_backend, tmp_path, plugins=(_answers((5, 15)),)) as (app, gk):
        assert gk.registry.version == 1
        now = datetime.now(UTC)

        def store(_: int) -> int:
            with app.app_context():
                return int(gk.store.run_write(lambda conn: versions.record(conn, changed, now)))

        with ThreadPoolExecutor(8) as pool:
            numbers = set(pool.map(store, range(8)))
        assert numbers == {2}
        with gk.store.engine.connect() as conn:
            rows = versions.stored(conn)
        assert [(r.id, r.content_hash) for r in rows][1:] == [(2, content_hash(changed))]
        assert rows[1].snapshot == changed
