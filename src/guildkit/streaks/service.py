"""``gk.streaks``: a member's streaks, freezes and absences; declaring and cancelling absences;
staff granting freezes.

Days are the member's own (their ``time_zone``, else the community's), as the streaks count
them. Declaring an absence is one :meth:`GuildKit.transaction` holding the member's row, so two
declarations at once cannot overlap; every bad field is named at once and nothing is written.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from guildkit import queries
from guildkit.activity import user_ref
from guildkit.errors import FieldErrors, NotAllowed, UnknownMember, ValidationError
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext
from guildkit.metrics import Streak
from guildkit.streaks import freezes
from guildkit.streaks.config import Settings
from guildkit.streaks.errors import AbsenceStarted, UnknownAbsence
from guildkit.streaks.freezes import ABSENCES, COUNTERS, LOG, MEMBERS
from guildkit.streaks.views import AbsenceView, FreezeEntry, Overview, StreakView
from guildkit.text import check_text, require_row_id
from guildkit.words import Words

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

#: Who may grant freezes.
PERMISSION = "streaks.grant_freezes"
REASON_MAX = 500
#: The freeze history a member's page shows.
HISTORY = 50


def _day(value: object, field: str) -> date:
    """A day: a :class:`date` or its ISO text (``2026-05-05``)."""
    if isinstance(value, datetime):
        raise ValidationError(_("%(field)s must be a day (YYYY-MM-DD)", field=field), field=field)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(_("%(field)s must be a day (YYYY-MM-DD)", field=field), field=field)


class Streaks:
    """The streaks feature of one ``GuildKit`` (``gk.streaks``); methods take host user ids."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- days ------------------------------------------------------------------------------

    def _today(self, time_zone: str | None) -> date:
        """Today in a member's time zone (``Member.time_zone``; ``None``: the community's)."""
        zone: Any = self.gk.state.zone
        if time_zone:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                zone = ZoneInfo(time_zone)
        return self.gk.clock().astimezone(zone).date()

    def metrics(self) -> list[Streak]:
        """Every streak the rules count, each once, in a stable order."""
        found = {
            m for metrics in self.gk.registry.metrics_by_trigger.values() for m in metrics if isinstance(m, Streak)
        }
        return sorted(found, key=lambda m: (m.type, m.role))

    # -- reading ---------------------------------------------------------------------------

    def overview(self, user_id: str | int) -> Overview:
        """The member's streaks, freezes held and their history, and absences not yet over.
        A host user who is not a member yet has none of them."""
        user = user_ref(user_id)
        member = queries.find_member(self.gk.session, user)
        today = self._today(member.time_zone if member is not None else None)
        if member is None:
            return Overview(user, today, [], 0, [], [])
        conn = self.gk.session.connection()
        held = freezes.held(conn, member.id)
        return Overview(
            user,
            today,
            self._streaks(conn, member.id, today, held),
            held,
            self._history(conn, member.id),
            self._absences(conn, member.id, today),
        )

    def held(self, user_id: str | int) -> int:
        """How many freezes the member holds."""
        return freezes.held(self.gk.session.connection(), self.gk.member(user_id).id)

    def _streaks(self, conn: sa.Connection, member_id: int, today: date, held: int) -> list[StreakView]:
        metrics = self.metrics()
        if not metrics:
            return []
        names = [n for m in metrics for n in (m.name, m.current_name, m.last_name)]
        values = dict(
            conn.execute(
                sa.select(COUNTERS.c.name, COUNTERS.c.value).where(
                    COUNTERS.c.member_id == member_id, COUNTERS.c.name.in_(names)
                )
            ).all()
        )
        frozen = dict(
            conn.execute(
                sa.select(LOG.c.streak, sa.func.max(LOG.c.day))
                .where(LOG.c.member_id == member_id, LOG.c.kind == "used")
                .group_by(LOG.c.streak)
            ).all()
        )
        words = Words(self.gk.registry)
        found = []
        for metric in metrics:
            best = int(values.get(metric.name, 0))
            if best <= 0:
                continue
            last = int(values.get(metric.last_name, 0))
            current = int(values.get(metric.current_name, 0))
            last_day = date.fromordinal(last) if last > 0 else None
            needed = self._needed(conn, member_id, metric, last_day, today)
            alive = needed is not None and needed <= held
            found.append(
                StreakView(
                    metric.type, metric.role, words.label(metric.type), current if alive else 0, best, last_day,
                    at_risk=alive and last_day is not None and last_day < today,
                    freezes_needed=needed or 0 if alive else 0,
                    last_frozen=frozen.get(freezes.streak_key(metric.type, metric.role)),
                )
            )  # fmt: skip
        return found

    def _needed(
        self, conn: sa.Connection, member_id: int, metric: Streak, last: date | None, today: date
    ) -> int | None:
        """Freezes the days since ``last`` (up to yesterday) would take; ``None``: too many to say."""
        if last is None or last >= today - timedelta(days=1):
            return 0
        first, end = last + timedelta(days=1), today - timedelta(days=1)
        if (end - first).days >= freezes.LONGEST_GAP:
            return None
        covered = set(
            conn.scalars(
                sa.select(LOG.c.day).where(
                    LOG.c.member_id == member_id, LOG.c.kind == "used",
                    LOG.c.streak == freezes.streak_key(metric.type, metric.role), LOG.c.day.between(first, end),
                )
            )
        )  # fmt: skip
        absent = freezes.absent_days(conn, member_id, first, end)
        return sum(1 for d in freezes.days_between(first, end) if d not in covered and d not in absent)

    def _history(self, conn: sa.Connection, member_id: int) -> list[FreezeEntry]:
        words = Words(self.gk.registry)
        rows = conn.execute(
            sa.select(LOG).where(LOG.c.member_id == member_id).order_by(LOG.c.at.desc(), LOG.c.id.desc()).limit(HISTORY)
        ).all()
        found = []
        for row in rows:
            activity_type = row.streak.rpartition(":")[0] or None
            label = words.label(activity_type) if activity_type else None
            found.append(
                FreezeEntry(
                    row.id, row.kind, row._mapping["count"], activity_type, label, row.day, row.at, row.reason, row.by
                )
            )
        return found

    def _absences(self, conn: sa.Connection, member_id: int, today: date) -> list[AbsenceView]:
        rows = conn.execute(
            sa.select(ABSENCES)
            .where(ABSENCES.c.member_id == member_id, ABSENCES.c.ends_on >= today)
            .order_by(ABSENCES.c.starts_on, ABSENCES.c.id)
        ).all()
        return [AbsenceView(r.id, r.starts_on, r.ends_on, r.declared_at, r.starts_on > today) for r in rows]

    # -- absences --------------------------------------------------------------------------

    def check_absence(self, starts_on: object, ends_on: object, *, today: date) -> tuple[date, date]:
        """The days of an absence, checked (not its overlaps): one error naming every bad field."""
        most = Settings.current().max_absence_days
        found = FieldErrors()
        checked = found.check_all(
            {"starts_on": lambda: _day(starts_on, "starts_on"), "ends_on": lambda: _day(ends_on, "ends_on")}
        )
        start, end = checked.get("starts_on"), checked.get("ends_on")
        if start is not None and start < today:
            found.add("starts_on", _("%(field)s must be today or later", field="starts_on"))
        if start is not None and end is not None:
            if end < start:
                found.add("ends_on", _("%(field)s must be on or after the first day", field="ends_on"))
            elif (end - start).days + 1 > most:
                found.add("ends_on", ngettext(
                    "%(field)s: an absence may last at most %(num)s day",
                    "%(field)s: an absence may last at most %(num)s days", most, field="ends_on", num=most,
                ))  # fmt: skip
        found.raise_if_any()
        assert start is not None and end is not None
        return start, end

    def declare_absence(self, user_id: str | int, starts_on: object, ends_on: object) -> AbsenceView:
        """The member will be away from ``starts_on`` to ``ends_on`` (days, both included, in
        their time zone): the missed days keep their streaks going, spending no freeze.

        Refused, with nothing written: a day that is not one, a start before today, an end
        before the start, an absence longer than ``GUILDKIT_STREAKS_MAX_ABSENCE_DAYS``, one
        overlapping another of theirs (each a ``ValidationError`` naming its field, all at once).
        """
        user = user_ref(user_id)

        def body(tx: Transaction) -> AbsenceView:
            member_id = tx.members(user)[user]
            tx.lock(MEMBERS, member_id)
            member = tx.conn.execute(sa.select(MEMBERS.c.time_zone).where(MEMBERS.c.id == member_id)).one()
            today = self._today(member.time_zone)
            start, end = self.check_absence(starts_on, ends_on, today=today)
            overlapping = tx.conn.scalar(
                sa.select(ABSENCES.c.id).where(
                    ABSENCES.c.member_id == member_id, ABSENCES.c.starts_on <= end, ABSENCES.c.ends_on >= start
                )
            )
            if overlapping is not None:
                message = _("%(field)s: these days overlap an absence you declared", field="starts_on")
                raise ValidationError(message, field="starts_on")
            absence_id = tx.conn.execute(
                ABSENCES.insert()
                .values(member_id=member_id, starts_on=start, ends_on=end, declared_at=tx.now)
                .returning(ABSENCES.c.id)
            ).scalar_one()
            return AbsenceView(absence_id, start, end, tx.now, start > today)

        return self.gk.transaction(body)

    def cancel_absence(self, user_id: str | int, absence_id: object) -> None:
        """Cancel one of the member's absences that has not started yet."""
        user = user_ref(user_id)
        try:
            wanted = require_row_id(absence_id, "absence_id")
        except ValidationError:
            raise UnknownAbsence(absence_id) from None

        def body(tx: Transaction) -> None:
            row = tx.conn.execute(
                sa.select(ABSENCES.c.starts_on, MEMBERS.c.time_zone)
                .join(MEMBERS, MEMBERS.c.id == ABSENCES.c.member_id)
                .where(ABSENCES.c.id == wanted, MEMBERS.c.user_id == user)
            ).first()
            if row is None:
                raise UnknownAbsence(wanted)
            if row.starts_on <= self._today(row.time_zone):
                raise AbsenceStarted(wanted)
            tx.conn.execute(ABSENCES.delete().where(ABSENCES.c.id == wanted))

        self.gk.transaction(body)

    # -- freezes ---------------------------------------------------------------------------

    def grant_freezes(
        self, user_id: str | int, count: object = 1, *, reason: object, by: str | int | None = None
    ) -> int:
        """Give a member ``count`` freezes (beyond the most they may earn), with a ``reason`` they
        read; ``by``: the staff member granting, who needs ``streaks.grant_freezes`` (``None``:
        the host or an operator). Returns how many the member holds now.

        Refused, with nothing written: :class:`~guildkit.errors.NotAllowed` for ``by`` without
        the permission, :class:`~guildkit.errors.UnknownMember`, a count that is not a whole
        number from 1 to ``GUILDKIT_STREAKS_MAX_GRANT`` or an empty reason (naming the field).
        """
        user = user_ref(user_id)
        granter = None if by is None else user_ref(by, "by")
        if granter is not None and not self.gk.has_permission(granter, PERMISSION):
            raise NotAllowed(_("granting freezes needs the %(permission)s permission", permission=PERMISSION))
        most = Settings.current().max_grant
        found = FieldErrors()

        def whole() -> int:
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= most:
                raise ValidationError(
                    _("%(field)s must be a whole number from 1 to %(most)s", field="count", most=most), field="count"
                )
            return count

        checked = found.check_all(
            {"count": whole, "reason": lambda: check_text(reason, "reason", max_length=REASON_MAX, one_line=True)}
        )
        found.raise_if_any()

        def body(tx: Transaction) -> int:
            member_id = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user))
            if member_id is None:
                raise UnknownMember(user)
            return freezes.grant(tx, member_id, checked["count"], checked["reason"], granter)

        return self.gk.transaction(body)
