"""Group goals: making one (checked, every bad field at once), and reading goals with their
progress. Counting lives in :mod:`.counting`, the badges in :mod:`.awarding` and :mod:`.badges`.

A goal counts activities of one type done by the group's members, ``target`` of them in a
period: its own range, or (``recurring="monthly"``) each calendar month of it in the
community's zone. It counts what is recorded while it exists: a goal made mid-period starts
from zero (history is never recounted). Reaching it earns the group the goal's badge, and the
contributors with at least ``min_contribution`` of the period's activities the same badge: one
the goal names, or one it defines (``group-goal-<id>``, named after the goal).
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import audit
from guildkit.errors import FieldErrors, NotAllowed, ValidationError
from guildkit.groups import membership
from guildkit.groups.errors import UnknownGoal, UnknownGroup
from guildkit.groups.models import RECURRENCES, Group, GroupGoal, GroupGoalContribution, GroupGoalPeriod
from guildkit.groups.views import GoalView, Progress, goal_state, period_of
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.text import single_line

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
GOALS = table_of(GroupGoal)
PERIODS = table_of(GroupGoalPeriod)
CONTRIBUTIONS = table_of(GroupGoalContribution)
MEMBERS = table_of(Member)
NAME_MAX = 150
TARGET_MAX = 10_000_000
#: Activity types a goal never counts: guildkit's own (awards, status changes) are not what
#: members do, and a goal on awards would count the awards it gives.
RESERVED_PREFIX = "guildkit."
#: A defined badge's slug: the goal's id makes it unique.
DEFINED = "group-goal-{id}"
ORDER = {"running": 0, "upcoming": 1, "ended": 2}


def known_types(registry: Registry) -> set[str]:
    """The activity types the community knows: described in words, or counted by a rule or metric."""
    triggers = {t for t in (*registry.rules_by_trigger, *registry.metrics_by_trigger) if not t.startswith("points:")}
    return {t for t in set(registry.activity_types) | triggers if not t.startswith(RESERVED_PREFIX)}


def check(gk: GuildKit, values: dict[str, Any]) -> dict[str, Any]:
    """A goal's fields checked, every bad one named in one :class:`ValidationError`; the columns to store."""
    found = FieldErrors()
    registry = gk.registry
    checked = found.check_all(
        {
            "name": lambda: single_line(values.get("name"), "name", NAME_MAX),
            "activity_type": lambda: _activity_type(values.get("activity_type"), registry),
            "target": lambda: _whole(values.get("target"), "target", 1, TARGET_MAX),
            "starts_at": lambda: _aware(values.get("starts_at"), "starts_at"),
            "ends_at": lambda: None if values.get("ends_at") is None else _aware(values.get("ends_at"), "ends_at"),
            "recurring": lambda: _recurring(values.get("recurring")),
            "min_contribution": lambda: _whole(
                values.get("min_contribution", current_app.config["GUILDKIT_GROUPS_MIN_CONTRIBUTION"]),
                "min_contribution", 1, TARGET_MAX,
            ),
            "badge": lambda: _badge(values.get("badge"), registry),
        }
    )  # fmt: skip
    starts, ends = checked.get("starts_at"), checked.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        found.add("ends_at", _("a goal must end after it starts"))
    if "ends_at" in checked and "recurring" in checked and ends is None and checked["recurring"] is None:
        found.add("ends_at", _("%(field)s is needed unless the goal recurs every month", field="ends_at"))
    found.raise_if_any()
    return checked


def create(gk: GuildKit, by: str | None, group_id: int, **values: Any) -> GoalView:
    """Make a goal for the group: its owners and maintainers (or ``groups.manage``), or host code."""
    unknown = set(values) - {"name", "activity_type", "target", "starts_at", "ends_at", "recurring",
                             "min_contribution", "badge"}  # fmt: skip
    if unknown:
        raise ValidationError(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
    fields = check(gk, values)

    def body(tx: Transaction) -> int:
        group = tx.conn.execute(sa.select(GROUPS.c.id, GROUPS.c.slug).where(GROUPS.c.id == group_id)).first()
        if group is None:
            raise UnknownGroup(group_id)
        maker = None
        if by is not None:
            maker = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == by))
            if maker is None or not membership.can_manage(gk, tx.conn, group_id, maker):
                raise NotAllowed(_("only the group's owners and maintainers may do this"), user_id=by)
        own = fields["badge"] is None
        goal_id = int(
            tx.conn.execute(
                GOALS.insert()
                .values(group_id=group_id, created_by=maker, created_at=tx.now, revision=1,
                        **{**fields, "badge": fields["badge"] or "pending"})
                .returning(GOALS.c.id)
            ).scalar_one()
        )  # fmt: skip
        if own:
            slug = DEFINED.format(id=goal_id)
            tx.conn.execute(GOALS.update().where(GOALS.c.id == goal_id).values(badge=slug, defined_badge=slug))
        audit.write(tx.conn, tx.now, area=membership.AREA, actor=by, action="goal.create",
                    subject=f"group:{group.slug}", details=_jsonable({"goal": goal_id, **fields}))  # fmt: skip
        return goal_id

    goal_id = gk.transaction(body)
    if fields["badge"] is None:
        gk.reload_definitions()  # the goal's own badge, in this process's registry now
    return get(gk, goal_id)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


# -- reading -------------------------------------------------------------------------------


def _shown_period(row: Any, now: datetime, gk: GuildKit) -> tuple[datetime, datetime | None]:
    """The period a page shows for a goal: the running one, else the first (upcoming) or the
    last (ended)."""
    zone = gk.state.zone
    state = goal_state(row.starts_at, row.ends_at, now)
    moment = now if state == "running" else row.starts_at
    if state == "ended":
        moment = row.ends_at - timedelta(microseconds=1)
    found = period_of(row.starts_at, row.ends_at, row.recurring, moment, zone)
    assert found is not None
    return found


def _views(gk: GuildKit, conn: sa.Connection, rows: builtins.list[Any]) -> builtins.list[GoalView]:
    now = gk.clock()
    shown = {row.id: _shown_period(row, now, gk) for row in rows}
    counts: dict[tuple[int, datetime], Any] = {}
    if rows:
        wanted = sa.tuple_(PERIODS.c.goal_id, PERIODS.c.period_start).in_(
            [(goal_id, start) for goal_id, (start, _end) in shown.items()]
        )
        for found in conn.execute(sa.select(PERIODS).where(wanted)):
            counts[(found.goal_id, found.period_start)] = found
    views = []
    for row in rows:
        start, end = shown[row.id]
        stored = counts.get((row.id, start))
        progress = Progress(start, end, int(stored.count) if stored else 0, stored.reached_at if stored else None)
        views.append(
            GoalView(row.id, row.group_id, row.name, row.activity_type, row.target, row.starts_at, row.ends_at,
                     row.recurring, row.min_contribution, row.badge, row.defined_badge is not None, row.created_at,
                     goal_state(row.starts_at, row.ends_at, now), progress)
        )  # fmt: skip
    return views


def of_group(gk: GuildKit, group_id: int) -> builtins.list[GoalView]:
    with gk.store.engine.connect() as conn:
        rows = conn.execute(sa.select(GOALS).where(GOALS.c.group_id == group_id).order_by(GOALS.c.id)).all()
        views = _views(gk, conn, list(rows))
    return sorted(views, key=lambda g: (ORDER[g.state], g.starts_at, g.id))


def get(gk: GuildKit, goal_id: int) -> GoalView:
    if not isinstance(goal_id, int) or isinstance(goal_id, bool):
        raise UnknownGoal(goal_id)
    with gk.store.engine.connect() as conn:
        row = conn.execute(sa.select(GOALS).where(GOALS.c.id == goal_id)).first()
        if row is None:
            raise UnknownGoal(goal_id)
        return _views(gk, conn, [row])[0]


def contributions(gk: GuildKit, goal_id: int, period_start: datetime | None) -> builtins.list[tuple[str, int]]:
    start = _aware(period_start, "period_start") if period_start is not None else get(gk, goal_id).progress.period_start
    with gk.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(MEMBERS.c.user_id, CONTRIBUTIONS.c.count)
            .join(MEMBERS, MEMBERS.c.id == CONTRIBUTIONS.c.member_id)
            .where(CONTRIBUTIONS.c.goal_id == goal_id, CONTRIBUTIONS.c.period_start == start)
            .order_by(CONTRIBUTIONS.c.count.desc(), MEMBERS.c.user_id)
        ).all()
    return [(user_id, int(count)) for user_id, count in rows]


# -- field checks ----------------------------------------------------------------------------


def _activity_type(value: object, registry: Registry) -> str:
    if not isinstance(value, str) or value not in known_types(registry):
        raise ValidationError(
            _("%(field)s must be one of the community's kinds of activity", field="activity_type"),
            field="activity_type",
        )
    return value


def _whole(value: object, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(
            _("%(field)s must be a whole number from %(low)s to %(high)s", field=field, low=format_number(low),
              high=format_number(high)), field=field)  # fmt: skip
    return value


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(_("%(field)s must be an aware datetime", field=field), field=field)
    return value


def _recurring(value: object) -> str | None:
    if value is not None and value not in RECURRENCES:
        raise ValidationError(_("%(field)s must be monthly, or none", field="recurring"), field="recurring")
    return None if value is None else str(value)


def _badge(value: object, registry: Registry) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in registry.badges:
        raise ValidationError(_("%(field)s must be the slug of an existing badge", field="badge"), field="badge")
    return value
