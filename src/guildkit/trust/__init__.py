"""Trust levels 0-4, promoted from activity criteria: ``gk.trust``.

The criteria are data (``GUILDKIT_TRUST_LEVELS``): each level 1-3 lists :class:`Criterion` objects,
each a measure over the member's live (not retracted) activities of one type, as actor or target,
optionally only those of the last ``window_days``. Evaluation reads ``guildkit_activities`` with
plain queries, so every number a member sees can be checked against their activity log.

* :meth:`Trust.evaluate` promotes one level at a time while the next level's criteria hold
  (each step is its own change), up to level 3. A level-3 member who stops meeting the level-3
  criteria keeps the level for ``GUILDKIT_TRUST_GRACE_DAYS`` (``lapsed_since`` says since when),
  then drops to 2; meeting them again clears ``lapsed_since``. Levels 1 and 2 are never lost.
* Level 4 is set by staff only (:meth:`Trust.set_level`); a locked member is never changed by
  evaluation; suspended, banned and deleted members are not evaluated.
* :meth:`Trust.sweep` evaluates members with activity since the last sweep, and every level-3
  member (for demotion): run it daily (``flask guildkit trust sweep``).

Each change runs in one :meth:`GuildKit.transaction`: the row is updated, a
``guildkit.trust_level`` activity is recorded, the member is told, and
``guildkit_trust_level_changed`` is announced after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.activity import TYPE_RE, user_ref
from guildkit.config import parsed
from guildkit.errors import ConfigurationError, ValidationError
from guildkit.i18n import N_, translated
from guildkit.models import Activity, Member, table_of
from guildkit.notes import Said
from guildkit.store import upsert
from guildkit.text import check_row_id, check_text
from guildkit.trust.hookspecs import TrustLevelChange
from guildkit.trust.models import TRUST_LEVELS, TrustLevel, TrustSweep

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

#: The activity type of a change of trust level (recorded with the member as target).
TRUST_LEVEL = "guildkit.trust_level"
#: The activity type of staff locking or unlocking a member's level.
TRUST_LOCK = "guildkit.trust_lock"
#: The highest level evaluation promotes to; level 4 is set by staff.
AUTOMATIC_MAX = 3
#: The level that is lost when its criteria lapse (after the grace period).
DEMOTABLE = 3

MEASURES = ("count", "distinct_subjects", "distinct_days")
PAYLOAD_SUM = "payload_sum:"

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
LEVELS = table_of(TrustLevel)
SWEEPS = table_of(TrustSweep)


def _criterion(
    label: str, type: str, measure: str, threshold: int, role: str = "actor", window: int | None = None
) -> dict[str, Any]:
    return {
        "label": label,
        "type": type,
        "role": role,
        "measure": measure,
        "threshold": threshold,
        "window_days": window,
    }


#: Discourse's defaults, over activity types the host reports (see docs/trust.md). The names and
#: labels are shown in the reader's language (the host's own too, when its catalogue has them).
DEFAULT_LEVELS: dict[int, dict[str, Any]] = {
    0: {"name": N_("New")},
    1: {
        "name": N_("Basic"),
        "criteria": [
            _criterion(N_("topics entered"), "topic.entered", "distinct_subjects", 5),
            _criterion(N_("posts read"), "post.read", "count", 30),
            _criterion(N_("seconds spent reading"), "post.read", "payload_sum:seconds", 600),
        ],
    },
    2: {
        "name": N_("Member"),
        "criteria": [
            _criterion(N_("days visited"), "site.visited", "distinct_days", 15),
            _criterion(N_("likes given"), "post.liked", "count", 1),
            _criterion(N_("likes received"), "post.liked", "count", 1, role="target"),
            _criterion(N_("topics replied to"), "post.replied", "distinct_subjects", 3),
            _criterion(N_("topics entered"), "topic.entered", "distinct_subjects", 20),
            _criterion(N_("posts read"), "post.read", "count", 100),
            _criterion(N_("seconds spent reading"), "post.read", "payload_sum:seconds", 3600),
        ],
    },
    3: {
        "name": N_("Regular"),
        "criteria": [
            _criterion(N_("days visited in the last 100 days"), "site.visited", "distinct_days", 50, window=100),
            _criterion(
                N_("topics replied to in the last 100 days"), "post.replied", "distinct_subjects", 10, window=100
            ),
            _criterion(N_("topics entered in the last 100 days"), "topic.entered", "distinct_subjects", 25, window=100),
            _criterion(N_("posts read in the last 100 days"), "post.read", "count", 250, window=100),
            _criterion(N_("likes received in the last 100 days"), "post.liked", "count", 20, role="target", window=100),
            _criterion(N_("likes given in the last 100 days"), "post.liked", "count", 30, window=100),
        ],
    },
    4: {"name": N_("Leader")},
}


@dataclass(frozen=True)
class Criterion:
    """One requirement: ``measure`` over the member's ``type`` activities (as ``role``) ≥ ``threshold``."""

    label: str
    type: str
    role: str
    #: ``count``, ``distinct_subjects``, ``distinct_days`` or ``payload_sum:<field>``.
    measure: str
    threshold: int
    #: Only activities of the last this many days count (``None``: all of them).
    window_days: int | None = None


@dataclass(frozen=True)
class LevelDef:
    level: int
    name: str
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class CriterionProgress:
    label: str
    value: int
    threshold: int
    met: bool
    window_days: int | None


@dataclass(frozen=True)
class TrustStatus:
    """Where a member stands: their level, and the criteria of the level they work toward (or keep)."""

    user_id: str
    level: int
    name: str
    locked: bool
    since: datetime
    lapsed_since: datetime | None
    #: The level the criteria are for: the next one, or 3 for a level-3 member (to keep it).
    criteria_level: int | None
    criteria: tuple[CriterionProgress, ...]


def parse_levels(raw: object) -> dict[int, LevelDef]:
    """``GUILDKIT_TRUST_LEVELS`` as :class:`LevelDef` objects; :class:`ConfigurationError` if malformed."""
    key = "GUILDKIT_TRUST_LEVELS"
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{key} must map levels 0-4 to {{name, criteria}}")
    levels: dict[int, LevelDef] = {}
    for level_key, spec in raw.items():
        try:
            level = int(level_key)
        except (TypeError, ValueError):
            raise ConfigurationError(f"{key}: {level_key!r} is not a level 0-4") from None
        if level not in TRUST_LEVELS or not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
            raise ConfigurationError(f"{key}[{level_key!r}] must be a level 0-4 with a name")
        criteria = spec.get("criteria") or []
        if criteria and not 1 <= level <= AUTOMATIC_MAX:
            raise ConfigurationError(f"{key}[{level}]: only levels 1-3 have criteria (0 is the start, 4 is manual)")
        levels[level] = LevelDef(level, spec["name"], tuple(_parse_criterion(key, level, c) for c in criteria))
    missing = sorted(set(TRUST_LEVELS) - set(levels))
    if missing:
        raise ConfigurationError(f"{key} must define every level 0-4 (missing {missing})")
    return levels


def _parse_criterion(key: str, level: int, raw: object) -> Criterion:
    where = f"{key}[{level}] criterion {raw!r}"
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{where} must be a mapping")
    unknown = set(raw) - {"label", "type", "role", "measure", "threshold", "window_days"}
    if unknown:
        raise ConfigurationError(f"{where} has unknown keys {sorted(unknown)}")
    type_ = raw.get("type")
    measure = raw.get("measure", "count")
    threshold = raw.get("threshold")
    window = raw.get("window_days")
    role = raw.get("role", "actor")
    if not isinstance(type_, str) or not TYPE_RE.match(type_):
        raise ConfigurationError(f"{where}: type must be an activity type")
    if role not in ("actor", "target"):
        raise ConfigurationError(f"{where}: role must be 'actor' or 'target'")
    if not isinstance(measure, str) or not (
        measure in MEASURES or (measure.startswith(PAYLOAD_SUM) and len(measure) > len(PAYLOAD_SUM))
    ):
        raise ConfigurationError(f"{where}: measure must be one of {', '.join(MEASURES)} or payload_sum:<field>")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ConfigurationError(f"{where}: threshold must be a positive integer")
    if window is not None and (not isinstance(window, int) or isinstance(window, bool) or window < 1):
        raise ConfigurationError(f"{where}: window_days must be None or a positive integer")
    label = raw.get("label") or f"{measure} of {type_}"
    return Criterion(str(label), type_, role, measure, threshold, window)


class Trust:
    """Trust levels for one :class:`~guildkit.GuildKit`; every method takes host user ids."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    @property
    def levels(self) -> dict[int, LevelDef]:
        return parsed("GUILDKIT_TRUST_LEVELS", parse_levels)

    def name(self, level: int) -> str:
        """The name of trust level ``level`` (0-4), in the reader's language."""
        if not isinstance(level, int) or isinstance(level, bool) or level not in self.levels:
            raise ValidationError(f"level must be one of {sorted(self.levels)}", field="level")
        return translated(self.levels[level].name)

    # -- reading ---------------------------------------------------------------------------

    def level(self, user_id: str | int) -> int:
        """The member's trust level (0 for members never evaluated; raises for non-members)."""
        member = self.gk.member(user_id)
        level = self.gk.session.scalar(sa.select(LEVELS.c.level).where(LEVELS.c.member_id == member.id))
        return int(level or 0)

    def level_of(self, conn: sa.Connection, member_id: int) -> int:
        """A member's stored trust level read on ``conn`` (in another feature's transaction); 0 when
        never evaluated."""
        if not isinstance(conn, sa.Connection):
            raise ValidationError("conn must be the SQLAlchemy Connection of a transaction", field="conn")
        check_row_id(member_id, "member_id")
        return int(conn.scalar(sa.select(LEVELS.c.level).where(LEVELS.c.member_id == member_id)) or 0)

    def status(self, user_id: str | int) -> TrustStatus:
        """The member's level and their progress on the criteria of the next level (or of level 3, to keep it)."""
        member = self.gk.member(user_id)
        row = self.gk.session.execute(sa.select(LEVELS).where(LEVELS.c.member_id == member.id)).first()
        level = row.level if row else 0
        levels = self.levels
        target = None if level >= 4 else (DEMOTABLE if level == DEMOTABLE else level + 1)
        conn = self.gk.session.connection()
        now = self.gk.clock()
        criteria = () if target is None else tuple(self._progress(conn, member.id, levels[target], now))
        return TrustStatus(
            user_id=member.user_id,
            level=level,
            name=translated(levels[level].name),
            locked=bool(row.locked) if row else False,
            since=row.since if row else member.joined_at,
            lapsed_since=row.lapsed_since if row else None,
            criteria_level=target,
            criteria=criteria,
        )

    def _progress(self, conn: sa.Connection, member_id: int, level: LevelDef, now: datetime) -> list[CriterionProgress]:
        out = []
        for c in level.criteria:
            value = measure(conn, member_id, c, now, self.gk.state.zone)
            out.append(CriterionProgress(translated(c.label), value, c.threshold, value >= c.threshold, c.window_days))
        return out

    def _meets(self, conn: sa.Connection, member_id: int, level: LevelDef, now: datetime) -> bool:
        return all(p.met for p in self._progress(conn, member_id, level, now))

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(self, user_id: str | int) -> list[TrustLevelChange]:
        """Promote or demote the member by their criteria now; returns the changes (often none)."""
        user = user_ref(user_id, "user_id")
        self.gk.member(user)
        levels = self.levels
        grace = timedelta(days=current_app.config["GUILDKIT_TRUST_GRACE_DAYS"])

        def body(tx: Transaction) -> list[TrustLevelChange]:
            member_id = tx.members(user, active=False)[user]
            status = tx.conn.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.id == member_id))
            row = _row(tx, member_id)
            if status != "active" or row.locked or row.level > AUTOMATIC_MAX:
                return []
            changes = []
            level = row.level
            while level < AUTOMATIC_MAX and self._meets(tx.conn, member_id, levels[level + 1], tx.now):
                changes.append(self._change(tx, user, member_id, level, level + 1, None, ""))
                level += 1
            if level == DEMOTABLE and not changes:
                if self._meets(tx.conn, member_id, levels[DEMOTABLE], tx.now):
                    if row.lapsed_since is not None:
                        _update(tx, member_id, lapsed_since=None)
                elif row.lapsed_since is None:
                    _update(tx, member_id, lapsed_since=tx.now)
                elif tx.now - row.lapsed_since >= grace:
                    reason = f"the level-{DEMOTABLE} criteria lapsed for {grace.days} days"
                    changes.append(self._change(tx, user, member_id, level, level - 1, None, reason))
            return changes

        return self.gk.transaction(body)

    def sweep(self) -> dict[str, int]:
        """Evaluate members with activity since the last sweep and every level-3 member.

        Returns counts: ``evaluated``, ``promoted``, ``demoted``. Running it again with nothing
        new changes nothing.
        """
        session = self.gk.session
        since = session.scalar(sa.select(sa.func.max(SWEEPS.c.last_activity_id))) or 0
        newest = session.scalar(sa.select(sa.func.max(ACTIVITIES.c.id))) or 0
        fresh = sa.and_(ACTIVITIES.c.id > since, ACTIVITIES.c.id <= newest, ACTIVITIES.c.type != TRUST_LEVEL)
        active_ids = sa.union(
            sa.select(ACTIVITIES.c.actor_id.label("id")).where(fresh, ACTIVITIES.c.actor_id.is_not(None)),
            sa.select(ACTIVITIES.c.target_id.label("id")).where(fresh, ACTIVITIES.c.target_id.is_not(None)),
            sa.select(LEVELS.c.member_id.label("id")).where(LEVELS.c.level == DEMOTABLE, LEVELS.c.locked.is_(False)),
        ).subquery()
        users = session.scalars(
            sa.select(MEMBERS.c.user_id)
            .where(MEMBERS.c.id.in_(sa.select(active_ids.c.id)), MEMBERS.c.status == "active")
            .order_by(MEMBERS.c.id)
        ).all()
        session.commit()  # end the read transaction before the writes
        counts = {"evaluated": 0, "promoted": 0, "demoted": 0}
        for user in users:
            counts["evaluated"] += 1
            for change in self.evaluate(user):
                counts["promoted" if change.new_level > change.old_level else "demoted"] += 1
        changed = counts["promoted"] + counts["demoted"]
        self.gk.store.run_write(
            lambda conn: conn.execute(
                sa.insert(SWEEPS).values(
                    swept_at=self.gk.clock(), last_activity_id=newest, evaluated=counts["evaluated"], changed=changed
                )
            )
        )
        return counts

    # -- staff -----------------------------------------------------------------------------

    def set_level(
        self, user_id: str | int, level: int, *, reason: str, by: str | int | None = None
    ) -> TrustLevelChange | None:
        """Set the member's level by hand (the only way to level 4). ``None`` if it already was."""
        return self.update(user_id, level=level, reason=reason, by=by)[0]

    def lock(self, user_id: str | int, *, reason: str, by: str | int | None = None) -> None:
        """Keep the member's level as it is: evaluation will not change it."""
        self.update(user_id, locked=True, reason=reason, by=by)

    def unlock(self, user_id: str | int, *, reason: str, by: str | int | None = None) -> None:
        """Let evaluation change the member's level again."""
        self.update(user_id, locked=False, reason=reason, by=by)

    def update(
        self,
        user_id: str | int,
        *,
        reason: str,
        level: int | None = None,
        locked: bool | None = None,
        by: str | int | None = None,
    ) -> tuple[TrustLevelChange | None, bool]:
        """Set the level and/or the lock in one transaction. Returns the level change (if any) and
        whether the level is now locked."""
        check_text(reason, "reason", max_length=2000)
        if level is None and locked is None:
            raise ValidationError("give a level, or locked true or false", field="level")
        if level is not None and (not isinstance(level, int) or isinstance(level, bool) or level not in TRUST_LEVELS):
            raise ValidationError("level must be an integer from 0 to 4", field="level")
        if locked is not None and not isinstance(locked, bool):
            raise ValidationError("locked must be true or false", field="locked")
        user = user_ref(user_id, "user_id")
        self.gk.member(user)

        def body(tx: Transaction) -> tuple[TrustLevelChange | None, bool]:
            member_id = tx.members(user, active=False)[user]
            by_id = tx.members(user_ref(by, "by"), active=False)[user_ref(by, "by")] if by is not None else None
            row = _row(tx, member_id)
            change = None
            if level is not None and level != row.level:
                change = self._change(tx, user, member_id, row.level, level, by, reason)
            now_locked = row.locked if locked is None else locked
            if locked is not None and locked != row.locked:
                _update(tx, member_id, locked=locked, locked_by=by_id if locked else None, reason=reason)
                tx.record(
                    TRUST_LOCK,
                    key=f"{TRUST_LOCK}:{uuid.uuid4()}",
                    actor=by,
                    target=user,
                    payload={"locked": locked, "level": row.level if level is None else level, "reason": reason},
                )
            return change, now_locked

        return self.gk.transaction(body)

    def _change(
        self, tx: Transaction, user: str, member_id: int, old: int, new: int, by: str | int | None, reason: str
    ) -> TrustLevelChange:
        name = self.levels[new].name  # as configured: hooks and the stored notification never depend on a reader
        _update(tx, member_id, level=new, since=tx.now, lapsed_since=None, reason=reason)
        tx.record(
            TRUST_LEVEL,
            key=f"{TRUST_LEVEL}:{user}:{uuid.uuid4()}",
            actor=by,
            target=user,
            payload={"old": old, "new": new, "reason": reason},
        )
        said = Said(N_("You are now trust level %(level)s: %(name)s"), {"level": new, "name": name}, ("name",))
        tx.tell(member_id, "trust_level", said, old=old, new=new)
        change = TrustLevelChange(user, old, new, name, None if by is None else user_ref(by, "by"), reason)
        tx.announce("trust_level_changed", change=change)
        return change


def _row(tx: Transaction, member_id: int) -> Any:
    """The member's trust row, made at level 0 if missing, locked for this transaction."""
    row = tx.conn.execute(sa.select(LEVELS).where(LEVELS.c.member_id == member_id)).first()
    if row is None:
        # ON CONFLICT DO NOTHING: a concurrent first evaluation may have made the row since we looked.
        tx.conn.execute(
            upsert(tx.dialect, LEVELS, ("member_id",)),
            {"member_id": member_id, "level": 0, "locked": False, "reason": "", "since": tx.now},
        )
        row = tx.conn.execute(sa.select(LEVELS).where(LEVELS.c.member_id == member_id)).one()
    tx.lock(LEVELS, row.id)
    return tx.conn.execute(sa.select(LEVELS).where(LEVELS.c.id == row.id)).one()


def _update(tx: Transaction, member_id: int, **values: Any) -> None:
    tx.conn.execute(sa.update(LEVELS).where(LEVELS.c.member_id == member_id).values(**values))


def measure(conn: sa.Connection, member_id: int, criterion: Criterion, now: datetime, zone: Any) -> int:
    """The member's value for one criterion, from their live activities."""
    side = ACTIVITIES.c.actor_id if criterion.role == "actor" else ACTIVITIES.c.target_id
    where = [side == member_id, ACTIVITIES.c.type == criterion.type, ACTIVITIES.c.retracted_at.is_(None)]
    if criterion.window_days is not None:
        where.append(ACTIVITIES.c.occurred_at >= now - timedelta(days=criterion.window_days))
    if criterion.measure == "count":
        return int(conn.scalar(sa.select(sa.func.count()).where(*where)) or 0)
    if criterion.measure == "distinct_subjects":
        column = sa.func.count(sa.distinct(ACTIVITIES.c.subject))
        return int(conn.scalar(sa.select(column).where(*where, ACTIVITIES.c.subject.is_not(None))) or 0)
    if criterion.measure == "distinct_days":
        # Days begin at the community's midnight (GUILDKIT_TIMEZONE): counted here, not in SQL.
        moments = conn.scalars(sa.select(ACTIVITIES.c.occurred_at).where(*where)).all()
        return len({moment.astimezone(zone).date() for moment in moments})
    field = criterion.measure.removeprefix(PAYLOAD_SUM)
    payloads = conn.scalars(sa.select(ACTIVITIES.c.payload).where(*where)).all()
    return int(sum(_number(p.get(field)) for p in payloads if isinstance(p, dict)))


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 0.0
