"""``gk.objectives``: set targets on the analytics KPIs, follow them, decide them at their due date.

Changing methods take ``by``, the user id of a member with ``objectives.manage`` (admins have it),
or ``None`` for host code, which may name itself with ``via=`` for the audit log (the job passes
``"job"``). Every change writes the audit log (area ``objectives``) in its own transaction, and
moves the objective by the table in :mod:`.states`. KPI values come from ``gk.analytics`` only;
they are read before a write transaction opens (a KPI read may bring the analytics rollups up to
date, which writes), and the write checks that what it read them for has not changed since.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit import audit
from guildkit.definitions import Text, source
from guildkit.errors import FieldErrors, NotAllowed, UnknownMember, ValidationError
from guildkit.i18n import N_, format_number
from guildkit.i18n import gettext as _
from guildkit.models import Member, RoleGrant, table_of
from guildkit.notes import Said
from guildkit.objectives import readings, states
from guildkit.objectives.errors import UnknownObjective
from guildkit.objectives.hookspecs import ObjectiveDecision
from guildkit.objectives.models import DIRECTIONS, STATES, Objective
from guildkit.objectives.progress import Standing, meets
from guildkit.objectives.views import ObjectiveView, Upkept
from guildkit.text import is_row_id, multi_line, single_line

if TYPE_CHECKING:
    from guildkit.analytics.gauges import Kpi
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

OBJECTIVES = table_of(Objective)
MEMBERS = table_of(Member)
GRANTS = table_of(RoleGrant)
PERMISSION = "objectives.manage"
#: Who may see objectives (and own one): those who may see the analytics.
VIEW = "analytics.view"
AREA = "objectives"
#: The notification an objective's owner gets when it is decided.
DECIDED = "objectives.decided"
TITLE_MAX = 150
NOTES_MAX = 2000
#: The longest an objective may run, start to due date (five years).
SPAN_MAX_DAYS = 1830
#: Dates analytics can measure.
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)
#: The largest target (of a count or hours; a percentage is at most 100).
TARGET_MAX = 1_000_000_000
#: The most members the owner list offers.
OWNERS_MAX = 500
#: The fields :meth:`Objectives.update` may change.
FIELDS = ("title", "notes", "kpi", "direction", "target", "starts_on", "due_on", "owner")


def _select() -> sa.Select[Any]:
    owner, creator = aliased(Member), aliased(Member)
    return (
        sa.select(OBJECTIVES, owner.user_id.label("owner"), creator.user_id.label("creator"))
        .join(owner, owner.id == OBJECTIVES.c.owner_id)
        .outerjoin(creator, creator.id == OBJECTIVES.c.created_by)
    )


#: Active first (soonest due first), then decided (latest first), archived last.
_ORDER = (
    sa.case({"active": 0, "met": 1, "missed": 1}, value=OBJECTIVES.c.state, else_=2),
    sa.case((OBJECTIVES.c.state == "active", OBJECTIVES.c.due_on), else_=None),
    OBJECTIVES.c.due_on.desc(),
    OBJECTIVES.c.id.desc(),
)


class Objectives:
    """The community objectives of one ``GuildKit`` (``gk.objectives``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def today(self) -> date:
        """Today's date in the community's time zone (by ``gk.clock``), the days KPIs are read on."""
        return self.gk.clock().astimezone(self.gk.state.zone).date()

    def kpis(self) -> builtins.list[Kpi]:
        """The KPIs an objective can target (``gk.analytics.kpis()``): key, name, unit, better."""
        return list(self.gk.analytics.kpis())

    def kpi(self, key: object) -> Kpi:
        """The KPI ``key``; a :class:`ValidationError` naming ``kpi`` for an unknown one."""
        for kpi in self.kpis():
            if kpi.key == key:
                return kpi
        raise ValidationError(_("%(field)s must be one of the analytics KPIs", field="kpi"), field="kpi")

    def owners(self) -> builtins.list[tuple[str, str]]:
        """Who may own an objective, ``(user id, name)`` by name: the active members holding a
        role that may see the analytics (staff: a handful)."""
        roles = [slug for slug, role in self.gk.registry.roles.items() if {VIEW, "admin"} & set(role.permissions)]
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(MEMBERS.c.user_id, MEMBERS.c.display_name)
                .where(MEMBERS.c.status == "active", MEMBERS.c.id.in_(
                    sa.select(GRANTS.c.member_id).where(GRANTS.c.role_slug.in_(roles), GRANTS.c.revoked_at.is_(None))
                ))
                .order_by(MEMBERS.c.display_name, MEMBERS.c.user_id)
                .limit(OWNERS_MAX)
            ).all()  # fmt: skip
        return [(row.user_id, row.display_name or row.user_id) for row in rows]

    # -- reading --------------------------------------------------------------------------

    def get(self, objective_id: int) -> ObjectiveView:
        """Objective ``objective_id``; :class:`UnknownObjective` if there is none."""
        if not is_row_id(objective_id):
            raise UnknownObjective(objective_id)
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(_select().where(OBJECTIVES.c.id == objective_id)).first()
        if row is None:
            raise UnknownObjective(objective_id)
        return ObjectiveView.of(row)

    def list(self, *, states: Iterable[str] | None = None) -> builtins.list[ObjectiveView]:
        """Every objective (or those in ``states``): active ones first, soonest due first; then
        decided ones, latest due first; archived ones last."""
        query = _select().order_by(*_ORDER)
        if states is not None:
            wanted = builtins.list(states)
            if not set(wanted) <= set(STATES):
                raise ValidationError(_("%(field)s must be some of: %(states)s", field="state",
                                        states=", ".join(STATES)), field="state")  # fmt: skip
            query = query.where(OBJECTIVES.c.state.in_(wanted))
        with self.gk.store.engine.connect() as conn:
            return [ObjectiveView.of(row) for row in conn.execute(query)]

    def standings(self, objectives: Iterable[ObjectiveView] | None = None) -> dict[int, Standing]:
        """Where each objective (from :meth:`get` or :meth:`list`; ``None``: every one) stands
        today: progress, trend, projection, on track or not (:mod:`.progress`). Each KPI's
        readings are read once for all of them."""
        found = (
            self.list()
            if objectives is None
            else builtins.list(objectives)
            if isinstance(objectives, Iterable)
            else [objectives]
        )
        if not all(isinstance(o, ObjectiveView) for o in found):
            raise ValidationError("objectives must be objectives (from get or list)", field="objectives")
        return readings.standings(self.gk, self.today(), found)

    def standing(self, objective: ObjectiveView) -> Standing:
        """Where ``objective`` (from :meth:`get` or :meth:`list`) stands today."""
        if not isinstance(objective, ObjectiveView):
            raise ValidationError("objective must be an objective (from get or list)", field="objective")
        return self.standings([objective])[objective.id]

    # -- checking -------------------------------------------------------------------------

    def check(self, by: str | int | None = None, objective_id: int | None = None, **values: Any) -> dict[str, Any]:
        """An objective's fields (those :meth:`create` takes), checked but not saved: every bad
        field at once, in one :class:`ValidationError`. With ``objective_id``: that objective
        changed to ``values``, as :meth:`update` would. Returns the columns to store."""
        current = None
        if objective_id is not None:
            current = self.get(objective_id)
            values = _fields_of(current) | values
        elif values.get("owner") is None:
            values = values | {"owner": by}
        return self._check(values, current)

    def _check(self, values: dict[str, Any], current: ObjectiveView | None) -> dict[str, Any]:
        found = FieldErrors()
        today = self.today()
        checked = found.check_all(
            {
                "title": lambda: single_line(values.get("title"), "title", TITLE_MAX),
                "notes": lambda: multi_line(values.get("notes", ""), "notes", NOTES_MAX),
                "kpi": lambda: self.kpi(values.get("kpi")),
                "direction": lambda: _direction(values.get("direction")),
                "target": lambda: _number(values.get("target")),
                "starts_on": lambda: _day(values.get("starts_on"), "starts_on"),
                "due_on": lambda: _day(values.get("due_on"), "due_on"),
                "owner": lambda: self._owner(values.get("owner")),
            }
        )
        if "kpi" in checked and "target" in checked:
            found.check_all({"target": lambda: _in_unit(checked["target"], checked["kpi"].unit)})
        if "starts_on" in checked and "due_on" in checked:
            start, due = checked["starts_on"], checked["due_on"]
            if due <= start:
                found.add("due_on", _("%(field)s must be after the start date", field="due_on"))
            elif (due - start).days > SPAN_MAX_DAYS:
                found.add("due_on", _("%(field)s must be at most five years after the start date", field="due_on"))
            elif due <= today and (current is None or due != current.due_on):
                found.add("due_on", _("%(field)s must be after today", field="due_on"))
        found.raise_if_any()
        return {
            "title": checked["title"], "notes": checked["notes"], "kpi": checked["kpi"].key,
            "direction": checked["direction"], "target": checked["target"], "starts_on": checked["starts_on"],
            "due_on": checked["due_on"], "owner_id": checked["owner"],
        }  # fmt: skip

    def _owner(self, user_id: object) -> int:
        """The member id of an owner: an active member who may see the analytics."""
        if user_id is None or user_id == "":
            raise ValidationError(_("%(field)s is required: the member who answers for the objective", field="owner"),
                                  field="owner")  # fmt: skip
        try:
            member = self.gk.member(user_id if isinstance(user_id, str | int) else repr(user_id))
        except (UnknownMember, ValidationError):
            raise ValidationError(_("%(field)s must be a member of the community", field="owner"),
                                  field="owner") from None  # fmt: skip
        if member.status != "active" or not self.gk.has_permission(member.user_id, VIEW):
            raise ValidationError(
                _("%(field)s must be an active member who may see the analytics", field="owner"), field="owner"
            )
        return int(member.id)

    def _actor(self, by: str | int | None, via: str | None) -> str | None:
        if by is None:
            return via
        if not self.gk.has_permission(by, PERMISSION):
            raise NotAllowed(
                _("managing objectives needs the %(permission)s permission", permission=repr(PERMISSION)),
                user_id=str(by),
            )
        if self.gk.member(by).status != "active":
            raise NotAllowed(_("member %(user)s is not active", user=repr(str(by))), user_id=str(by))
        return str(by)

    def _baseline(self, kpi: str, starts_on: date) -> tuple[float | None, bool]:
        """The KPI on the start date, and whether it could be read (not before the start date)."""
        if starts_on > self.today():
            return None, False
        return self.gk.analytics.kpi_value(kpi, starts_on), True

    # -- changing -------------------------------------------------------------------------

    def create(
        self,
        by: str | int | None,
        *,
        title: str,
        kpi: str,
        direction: str,
        target: float,
        starts_on: date,
        due_on: date,
        notes: str = "",
        owner: str | int | None = None,
        via: str | None = None,
    ) -> ObjectiveView:
        """Set an objective: ``kpi`` (one of :meth:`kpis`) ``direction`` (``at_least`` or
        ``at_most``) ``target`` by ``due_on``, from ``starts_on`` (whose value is the baseline,
        captured now if the day has come, else by the job on that day). ``owner`` (default: ``by``)
        is told when it is decided."""
        actor = self._actor(by, via)
        fields = self.check(by, title=title, notes=notes, kpi=kpi, direction=direction, target=target,
                            starts_on=starts_on, due_on=due_on, owner=owner)  # fmt: skip
        baseline, captured = self._baseline(fields["kpi"], fields["starts_on"])
        creator = self.gk.member(by).id if by is not None else None

        def body(conn: sa.Connection) -> int:
            now = self.gk.clock()
            objective_id = int(
                conn.execute(
                    OBJECTIVES.insert()
                    .values(**fields, baseline=baseline, baseline_at=now if captured else None, state="active",
                            created_by=creator, created_at=now, updated_at=now)
                    .returning(OBJECTIVES.c.id)
                ).scalar_one()
            )  # fmt: skip
            audit.write(conn, now, area=AREA, actor=actor, action="objective.create",
                        target=f"objective:{objective_id}", details=_jsonable(fields))  # fmt: skip
            return objective_id

        return self.get(self.gk.store.run_write(body))

    def update(
        self, by: str | int | None, objective_id: int, *, via: str | None = None, **changes: Any
    ) -> ObjectiveView:
        """Change an active objective (:data:`FIELDS`). A new KPI or start date captures the
        baseline again."""
        actor = self._actor(by, via)
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ValidationError(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
        current = self.get(objective_id)
        states.next_state(current.state, "edit")
        fields = self.check(objective_id=objective_id, **changes)
        moved = (fields["kpi"], fields["starts_on"]) != (current.kpi, current.starts_on)
        baseline, captured = self._baseline(fields["kpi"], fields["starts_on"]) if moved else (None, False)

        def body(conn: sa.Connection) -> None:
            row = _locked(conn, objective_id)
            states.next_state(row.state, "edit")
            changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
            if not changed:
                return
            now = self.gk.clock()
            values: dict[str, Any] = {**changed, "updated_at": now}
            if (fields["kpi"], fields["starts_on"]) != (row.kpi, row.starts_on):
                values |= {"baseline": baseline, "baseline_at": now if captured else None}
            conn.execute(OBJECTIVES.update().where(OBJECTIVES.c.id == objective_id).values(values))
            details = {name: {"from": getattr(row, name), "to": value} for name, value in changed.items()}
            audit.write(conn, now, area=AREA, actor=actor, action="objective.update",
                        target=f"objective:{objective_id}", details=_jsonable(details))  # fmt: skip

        self.gk.store.run_write(body)
        return self.get(objective_id)

    def archive(self, by: str | int | None, objective_id: int, *, via: str | None = None) -> ObjectiveView:
        """Put an objective away (active, met or missed); a met or missed one keeps its outcome."""
        return self._move(by, via, objective_id, "archive")

    def restore(self, by: str | int | None, objective_id: int, *, via: str | None = None) -> ObjectiveView:
        """Bring back an archived objective: met or missed as decided, else active again."""
        return self._move(by, via, objective_id, "restore")

    def _move(self, by: str | int | None, via: str | None, objective_id: int, action: str) -> ObjectiveView:
        actor = self._actor(by, via)
        self.get(objective_id)

        def body(conn: sa.Connection) -> None:
            row = _locked(conn, objective_id)
            state = states.next_state(row.state, action, row.outcome)
            now = self.gk.clock()
            conn.execute(OBJECTIVES.update().where(OBJECTIVES.c.id == objective_id)
                         .values(state=state, updated_at=now))  # fmt: skip
            audit.write(conn, now, area=AREA, actor=actor, action=f"objective.{action}",
                        target=f"objective:{objective_id}", details={"from": row.state, "to": state})  # fmt: skip

        self.gk.store.run_write(body)
        return self.get(objective_id)

    # -- the due-date job -----------------------------------------------------------------

    def upkeep(self) -> Upkept:
        """Capture the baselines whose start date came, and decide the active objectives whose
        due date is over: met when the KPI on the due date meets the target, else missed (also
        when there is nothing to measure); the owner is told. Each is decided once, however
        often (or how many at once) this runs."""
        today = self.today()
        with self.gk.store.engine.connect() as conn:
            starting = conn.execute(
                sa.select(OBJECTIVES.c.id, OBJECTIVES.c.kpi, OBJECTIVES.c.starts_on).where(
                    OBJECTIVES.c.state == "active", OBJECTIVES.c.baseline_at.is_(None), OBJECTIVES.c.starts_on <= today
                )
            ).all()
            due = conn.execute(
                _select().where(OBJECTIVES.c.state == "active", OBJECTIVES.c.due_on < today).order_by(OBJECTIVES.c.id)
            ).all()
        reader = readings.Reader(self.gk, today)
        baselines = sum(self._capture(row.id, row.kpi, row.starts_on, reader) for row in starting)
        decided = [self._decide(ObjectiveView.of(row), reader) for row in due]
        return Upkept(baselines, decided.count("met"), decided.count("missed"))

    def _capture(self, objective_id: int, kpi: str, starts_on: date, reader: readings.Reader) -> int:
        value = reader.live(kpi, starts_on)

        def body(conn: sa.Connection) -> int:
            moved = conn.execute(
                OBJECTIVES.update()
                .where(OBJECTIVES.c.id == objective_id, OBJECTIVES.c.baseline_at.is_(None),
                       OBJECTIVES.c.kpi == kpi, OBJECTIVES.c.starts_on == starts_on)
                .values(baseline=value, baseline_at=self.gk.clock())
            )  # fmt: skip
            return int(moved.rowcount)

        captured: int = self.gk.store.run_write(body)
        return captured

    def _decide(self, objective: ObjectiveView, reader: readings.Reader) -> str | None:
        """Decide one objective; its outcome, or ``None`` when another run did (or it changed)."""
        value = reader.live(objective.kpi, objective.due_on)
        outcome = "met" if meets(objective.direction, objective.target, value) else "missed"
        kpi = self.kpi(objective.kpi)

        def body(tx: Transaction) -> str | None:
            state = states.next_state("active", "meet" if outcome == "met" else "miss")
            # Only while it is still active and still the objective the value was read for.
            moved = tx.conn.execute(
                OBJECTIVES.update()
                .where(OBJECTIVES.c.id == objective.id, OBJECTIVES.c.state == "active",
                       OBJECTIVES.c.kpi == objective.kpi, OBJECTIVES.c.due_on == objective.due_on,
                       OBJECTIVES.c.direction == objective.direction, OBJECTIVES.c.target == objective.target)
                .values(state=state, outcome=outcome, final_value=value, decided_at=tx.now, updated_at=tx.now)
            )  # fmt: skip
            if moved.rowcount != 1:
                return None
            owner = tx.conn.execute(
                sa.select(MEMBERS.c.id, MEMBERS.c.status).where(MEMBERS.c.user_id == objective.owner)
            ).one()
            if owner.status == "active":
                tx.tell(owner.id, DECIDED, _told(objective, outcome, kpi.name), objective_id=str(objective.id))
            details = {"value": value, "target": objective.target}
            audit.write(tx.conn, tx.now, area=AREA, actor="job", action=f"objective.{state}",
                        target=f"objective:{objective.id}", details=details)  # fmt: skip
            tx.announce("objective_decided", decision=ObjectiveDecision(
                objective_id=objective.id, title=objective.title, kpi=objective.kpi, unit=kpi.unit,
                direction=objective.direction, target=objective.target, baseline=objective.baseline, value=value,
                outcome=outcome, starts_on=objective.starts_on, due_on=objective.due_on, owner=objective.owner,
                decided_at=tx.now,
            ))  # fmt: skip
            return outcome

        decided: str | None = self.gk.transaction(body)
        return decided


def _told(objective: ObjectiveView, outcome: str, kpi_name: Text) -> Said:
    """What the owner is told, in each reader's language (the KPI's name is a word to translate)."""
    values: dict[str, Any] = {"title": objective.title, "due": objective.due_on, "kpi": source(kpi_name)}
    if outcome == "met":
        message = N_("Your objective “%(title)s” was met: on its due date, %(due)s, %(kpi)s reached the target.")
    else:
        message = N_(
            "Your objective “%(title)s” was missed: on its due date, %(due)s, %(kpi)s had not reached the target."
        )
    return Said(message, values, ("kpi",))


def _locked(conn: sa.Connection, objective_id: int) -> Any:
    """The objective's row, locked until the transaction ends (SQLite: the write lock is held)."""
    row = conn.execute(sa.select(OBJECTIVES).where(OBJECTIVES.c.id == objective_id).with_for_update()).first()
    if row is None:
        raise UnknownObjective(objective_id)
    return row


def _fields_of(objective: ObjectiveView) -> dict[str, Any]:
    return {
        "title": objective.title, "notes": objective.notes, "kpi": objective.kpi, "direction": objective.direction,
        "target": objective.target, "starts_on": objective.starts_on, "due_on": objective.due_on,
        "owner": objective.owner,
    }  # fmt: skip


def _direction(value: object) -> str:
    if value not in DIRECTIONS:
        raise ValidationError(_("%(field)s must be at_least or at_most", field="direction"), field="direction")
    return str(value)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(_("%(field)s must be a number", field="target"), field="target")
    return float(value)


def _in_unit(value: float, unit: str) -> float:
    if unit == "percent" and not 0 <= value <= 100:
        raise ValidationError(_("%(field)s must be a percentage from 0 to 100", field="target"), field="target")
    if not 0 <= value <= TARGET_MAX:
        raise ValidationError(
            _("%(field)s must be a number from 0 to %(most)s", field="target", most=format_number(TARGET_MAX)),
            field="target",
        )
    return value


def _day(value: object, field: str) -> date:
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD)", field=field), field=field)
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(_("%(field)s must be a date from 1970 to 2999", field=field), field=field)
    return value


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: dates as ISO 8601."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {key: plain(value) for key, value in values.items()}
