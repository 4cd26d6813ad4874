"""Read point types, badges, roles and rules from a TOML or YAML file a non-programmer can edit.

The format is documented with a full example in ``docs/rules.md``. Every table is checked:
an unknown key (a typo) or a bad value fails with the file, the entry and the key named,
for example ``rules.toml: badges[2].earned_by: unknown key 'treshold'``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from guildkit.definitions import ActivityTypeDef, BadgeDef, BadgeLevel, PointTypeDef, RoleDef
from guildkit.errors import GuildKitError, RuleFileError
from guildkit.metrics import Count, Distinct, Metric, PointsTotal, Streak
from guildkit.rules.builtin import BadgeRule, EventBadgeRule, Levels, PointsRule, RoleRule
from guildkit.rules.ruleset import RuleSet

SECTIONS = ("point_types", "roles", "badges", "points", "role_rules", "levels", "activity_types")
METRIC_KEYS = ("count", "distinct", "streak", "points")


def load_rule_file(path: str | Path) -> RuleSet:
    """Parse ``path`` (``.toml``, ``.yaml`` or ``.yml``) into a :class:`RuleSet` plugin."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(str(path), "file", f"cannot read: {exc.strerror}") from exc
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = _yaml_on_key(yaml.safe_load(text) or {})
        else:
            raise RuleFileError(str(path), "file", "use a .toml, .yaml or .yml file")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RuleFileError(str(path), "file", f"not valid {path.suffix[1:].upper()}: {exc}") from exc
    return parse_rules(data, str(path))


def _yaml_on_key(data: Any) -> Any:
    """YAML 1.1 reads an unquoted ``on:`` key as ``True``; give it its meaning back."""
    if isinstance(data, dict):
        return {("on" if key is True else key): _yaml_on_key(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_yaml_on_key(item) for item in data]
    return data


def parse_rules(data: Any, source: str = "<rules>") -> RuleSet:
    """Build a :class:`RuleSet` from already-parsed data (a mapping of the sections)."""
    if not isinstance(data, Mapping):
        raise RuleFileError(source, "file", "the top level must be a table/mapping")
    for key in data:
        if key not in SECTIONS:
            raise RuleFileError(source, "file", f"unknown section {key!r} (known: {', '.join(SECTIONS)})")
    ruleset = RuleSet()
    _each(data, "point_types", source, lambda e: ruleset.point_types.append(_point_type(e)))
    _each(data, "roles", source, lambda e: ruleset.roles.append(_role(e)))
    _each(data, "badges", source, lambda e: _badge(e, ruleset))
    _each(data, "points", source, lambda e: ruleset.rules.append(_points(e)))
    _each(data, "role_rules", source, lambda e: ruleset.rules.append(_role_rule(e)))
    _each(data, "levels", source, lambda e: ruleset.rules.append(_levels(e)))
    _each(data, "activity_types", source, lambda e: ruleset.activity_types.append(_activity_type(e)))
    return ruleset


class _EntryError(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem


def _each(data: Mapping[str, Any], section: str, source: str, build: Callable[[Mapping[str, Any]], None]) -> None:
    entries = data.get(section, [])
    if not isinstance(entries, list):
        raise RuleFileError(source, section, "must be a list of tables ([[...]] in TOML)")
    for index, entry in enumerate(entries):
        where = f"{section}[{index}]"
        if not isinstance(entry, Mapping):
            raise RuleFileError(source, where, "must be a table/mapping")
        try:
            build(entry)
        except _EntryError as exc:
            raise RuleFileError(source, f"{where}{exc.where}", exc.problem) from exc
        except GuildKitError as exc:
            field = getattr(exc, "field", None)
            raise RuleFileError(source, f"{where}.{field}" if field else where, exc.message) from exc
        except KeyError as exc:
            raise RuleFileError(source, where, f"missing key {exc.args[0]!r}") from exc
        except TypeError as exc:
            raise RuleFileError(source, where, str(exc)) from exc


def _only(entry: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    for key in entry:
        if key not in allowed:
            raise _EntryError(where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")


def _point_type(e: Mapping[str, Any]) -> PointTypeDef:
    _only(e, {"slug", "name", "description", "floor", "expires_after_days", *_CAPS[:3]})
    return PointTypeDef(**e)


def _activity_type(e: Mapping[str, Any]) -> ActivityTypeDef:
    _only(e, {f.name for f in dataclasses.fields(ActivityTypeDef)})
    return ActivityTypeDef(**e)


def _role(e: Mapping[str, Any]) -> RoleDef:
    _only(e, {"slug", "name", "description", "permissions"})
    return RoleDef(**{**e, "permissions": tuple(e.get("permissions", ()))})


def _metric(e: Mapping[str, Any], where: str) -> Metric:
    kinds = [k for k in METRIC_KEYS if k in e]
    if len(kinds) != 1:
        raise _EntryError(where, f"give exactly one of {', '.join(METRIC_KEYS)}")
    kind = kinds[0]
    role = e.get("as", "actor")
    if role not in ("actor", "target"):
        raise _EntryError(where, "'as' must be 'actor' or 'target'")
    if kind == "count":
        return Count(e["count"], role)
    if kind == "streak":
        return Streak(e["streak"], role)
    if kind == "distinct":
        of = e.get("of", "target")
        if of not in ("actor", "target", "subject"):
            raise _EntryError(where, "'of' must be 'actor', 'target' or 'subject'")
        return Distinct(e["distinct"], role, of)
    return PointsTotal(e["points"])


def _badge(e: Mapping[str, Any], ruleset: RuleSet) -> None:
    _only(
        e,
        {"slug", "name", "description", "category", "tiers", "repeatable", "secret", "image", "criteria", "earned_by"},
    )
    tiers = e.get("tiers", ["bronze"])
    if not isinstance(tiers, list) or not tiers:
        raise _EntryError(".tiers", "must be a non-empty list such as ['bronze', 'silver', 'gold']")
    fields = {k: v for k, v in e.items() if k not in ("tiers", "earned_by")}
    badge = BadgeDef(**fields, levels=tuple(BadgeLevel(tier=t) for t in tiers))
    ruleset.badges.append(badge)
    earned = e.get("earned_by")
    if earned is None:
        return
    if not isinstance(earned, Mapping):
        raise _EntryError(".earned_by", "must be a table")
    if "each" in earned:
        _only(earned, {"each", "as"}, ".earned_by")
        ruleset.rules.append(
            EventBadgeRule(f"badge:{badge.slug}", badge.slug, earned["each"], earned.get("as", "actor"))
        )
        return
    _only(earned, {*METRIC_KEYS, "as", "of", "thresholds"}, ".earned_by")
    if "thresholds" not in earned:
        raise _EntryError(".earned_by", "missing 'thresholds' (one number per tier)")
    metric = _metric(earned, ".earned_by")
    ruleset.rules.append(BadgeRule(f"badge:{badge.slug}", badge.slug, metric, tuple(earned["thresholds"])))


_CAPS = ("daily_cap", "weekly_cap", "pair_weekly_cap", "total_cap")


def _points(e: Mapping[str, Any]) -> PointsRule:
    _only(e, {"name", "on", "points", "point_type", "to", "reason", "self_award", "capped", *_CAPS})
    on = e.get("on")
    return PointsRule(**{**e, "on": tuple(on) if isinstance(on, list) else on})


def _role_rule(e: Mapping[str, Any]) -> RoleRule:
    _only(e, {"name", "role", "threshold", *METRIC_KEYS, "as", "of"})
    if "threshold" not in e or "role" not in e or "name" not in e:
        raise _EntryError("", "needs 'name', 'role' and 'threshold'")
    return RoleRule(e["name"], e["role"], _metric(e, ""), e["threshold"])


def _levels(e: Mapping[str, Any]) -> Levels:
    _only(e, {"point_type", "thresholds", "names"})
    return Levels(e["point_type"], tuple(e["thresholds"]), tuple(e.get("names", ())))
