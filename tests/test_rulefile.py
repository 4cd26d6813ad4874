"""Declarative rule files (TOML and YAML): the documented example, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import RuleFileError
from guildkit.rules.loader import load_rule_file

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


@pytest.mark.parametrize("name", ["rules.toml", "rules.yaml"])
def test_documented_example_loads(name: str) -> None:
    ruleset = load_rule_file(EXAMPLES / name)
    assert [p.slug for p in ruleset.point_types] == ["reputation", "xp"]
    assert [b.slug for b in ruleset.badges] == ["answerer", "daily-visitor", "generous", "helpful", "legend"]
    assert sorted(r.name for r in ruleset.rules if hasattr(r, "name")) == [
        "answer-accepted",
        "answer-upvoted",
        "badge:answerer",
        "badge:daily-visitor",
        "badge:generous",
        "badge:helpful",
        "badge:legend",
        "posting-xp",
        "trusted-at-500",
    ]


def test_toml_and_yaml_examples_agree() -> None:
    assert load_rule_file(EXAMPLES / "rules.toml") == load_rule_file(EXAMPLES / "rules.yaml")


@pytest.fixture
def gk_config() -> dict[str, object]:
    return {"GUILDKIT_RULES_FILE": str(EXAMPLES / "rules.toml")}


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return ()


def test_rules_file_drives_the_engine(gk_app: Flask, gk: GuildKit) -> None:
    for n in range(12):
        gk.record("answer.posted", actor="ann", key=f"p{n}")
    assert gk.balance("ann", "xp") == 50  # posting-xp's own daily cap
    assert sorted((a.badge_slug, a.level) for a in gk.badges("ann")) == [("answerer", 1), ("answerer", 2)]
    for n in range(10):
        gk.record("answer.upvoted", actor="bob", target=f"u{n}", key=f"up{n}")
    assert [a.badge_slug for a in gk.badges("bob")] == ["generous"]
    gk.record("answer.accepted", actor="bob", target="ann", key="acc")
    assert gk.balance("ann", "reputation") == 15
    assert "helpful" in [a.badge_slug for a in gk.badges("ann")]


def write(tmp_path: Path, text: str, suffix: str = ".toml") -> Path:
    path = tmp_path / f"rules{suffix}"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            "[[badges]]\nslug='a'\nname='A'\n[badges.earned_by]\ncount='x'\ntreshold=[1]\n",
            "badges[0].earned_by",
            "unknown key 'treshold'",
        ),
        (
            "[[badges]]\nslug='a'\nname='A'\n[badges.earned_by]\ncount='x'\n",
            "badges[0].earned_by",
            "missing 'thresholds'",
        ),
        (
            "[[badges]]\nslug='a'\nname='A'\n[badges.earned_by]\ncount='x'\nstreak='y'\nthresholds=[1]\n",
            "badges[0].earned_by",
            "exactly one of",
        ),
        ("[[points]]\nname='p'\non='a.b'\npoints=5\n", "points[0]", "point_type"),
        ("[[points]]\nname='p'\non='a.b'\npoints=5\npoint_type='xp'\nto='all'\n", "points[0].to", "'to' must be"),
        ("[[point_types]]\nslug='Bad Slug'\nname='x'\n", "point_types[0].slug", "slug must be"),
        ("[[levels]]\npoint_type='xp'\n", "levels[0]", "missing key 'thresholds'"),
        ("[[badgez]]\nslug='a'\n", "file", "unknown section 'badgez'"),
        ("points = 5\n", "points", "must be a list"),
        ("[[badges]]\nslug='a'\nname='A'\ntiers=['platinum']\n", "badges[0].tier", "tier must be one of"),
        ("[[role_rules]]\nname='r'\nrole='x'\ncount='a.b'\n", "role_rules[0]", "needs 'name', 'role' and 'threshold'"),
        ("not toml at all [", "file", "not valid TOML"),
    ],
)
def test_errors_name_file_entry_and_key(tmp_path: Path, text: str, where: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    assert info.value.where == where
    assert problem in str(info.value)
    assert str(path) in str(info.value)


def test_yaml_unquoted_on_key_means_on(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "point_types:\n- {slug: xp, name: XP}\npoints:\n- name: v\n  on: visit\n  to: actor\n"
        "  points: 1\n  point_type: xp\n",
        ".yaml",
    )
    (rule,) = load_rule_file(path).rules
    assert rule.triggers == frozenset({"visit"})


def test_unreadable_or_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rule_file(tmp_path / "missing.toml")
    with pytest.raises(RuleFileError, match=r"use a \.toml"):
        load_rule_file(write(tmp_path, "x", ".ini"))
    with pytest.raises(RuleFileError, match="not valid YAML"):
        load_rule_file(write(tmp_path, "a: [", ".yaml"))
    with pytest.raises(RuleFileError, match="top level"):
        load_rule_file(write(tmp_path, "- 1\n- 2\n", ".yaml"))
