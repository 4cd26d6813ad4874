"""``gk.kudos``: give kudos, read the wall and a member's kudos, and a member's budget.

Giving is one :meth:`GuildKit.transaction`: the receiver is checked, the giver's trust level is
asked of ``gk.trust`` (when the trust feature is on and a minimum is set), the kudos row is
stored under the giver's idempotency key, one kudos is taken from the budget in the database
(:func:`guildkit.kudos.budget.spend`), and the ``kudos.given`` activity is recorded, so the
rules reward it (points to the receiver, the Generous badge to the giver, and whatever the host
adds) and caps and the review hook apply as to any activity. Anything refused raises before the
commit: nothing is written. ``guildkit_kudos_given`` is told after the commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit.activity import ActivityResult, user_ref
from guildkit.errors import FieldErrors, ValidationError
from guildkit.kudos import budget as budgets
from guildkit.kudos.config import Settings
from guildkit.kudos.errors import KeyReused, KudosToSelf, OverBudget, TrustTooLow, UnknownKudos, UnknownReceiver
from guildkit.kudos.hookspecs import KudosGiven
from guildkit.kudos.models import Kudos as KudosRow
from guildkit.kudos.views import BudgetView, KudosPage, KudosView, Position
from guildkit.models import Activity, LedgerEntry, Member, table_of
from guildkit.reading import check_limit
from guildkit.store import upsert
from guildkit.text import check_text, require_row_id, single_line

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

KUDOS = table_of(KudosRow)
MEMBERS = table_of(Member)
ACTIVITIES = table_of(Activity)
LEDGER = table_of(LedgerEntry)
#: The activity a kudos records: its giver is the actor, its receiver the target.
ACTIVITY_TYPE = "kudos.given"
KEY_MAX = 100
GIVER = aliased(MEMBERS, name="giver_member")
RECEIVER = aliased(MEMBERS, name="receiver_member")
SELECT = (
    sa.select(
        KUDOS.c.id,
        GIVER.c.user_id.label("giver"),
        RECEIVER.c.user_id.label("receiver"),
        KUDOS.c.message,
        KUDOS.c.given_at,
        KUDOS.c.period,
    )
    .join(GIVER, GIVER.c.id == KUDOS.c.giver_id)
    .join(RECEIVER, RECEIVER.c.id == KUDOS.c.receiver_id)
    # A kudos whose activity was retracted (by a moderator, or as serial voting) is gone.
    .outerjoin(ACTIVITIES, ACTIVITIES.c.id == KUDOS.c.activity_id)
    .where(ACTIVITIES.c.retracted_at.is_(None))
)


def activity_key(kudos_id: int) -> str:
    """The key of the ``kudos.given`` activity of a kudos."""
    return f"guildkit.kudos:{kudos_id}"


def subject_key(kudos_id: int) -> str:
    """What the activity is about, for the words (``kudos:12``)."""
    return f"kudos:{kudos_id}"


class Kudos:
    """The kudos of one ``GuildKit`` (``gk.kudos``); every method takes host user ids."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- giving ---------------------------------------------------------------------------

    def give(self, giver: str | int, receiver: str | int, message: str, *, key: str | None = None) -> KudosView:
        """``giver`` thanks ``receiver`` with ``message``, from their budget.

        ``key`` makes the give idempotent: sent again (by a retry, a double click) it returns the
        first kudos with ``duplicate=True`` and spends nothing; sent with another receiver or
        message it is :class:`~guildkit.kudos.errors.KeyReused`. Without a key each call is a new give.

        Refused, with nothing written: :class:`KudosToSelf`, :class:`UnknownReceiver` (not an
        active member), a message empty or too long (``ValidationError`` on ``message``),
        :class:`TrustTooLow`, :class:`OverBudget`, and ``MemberInactive`` for a suspended giver.
        """
        settings = Settings.current()
        giver_id = user_ref(giver, "giver")
        fields = self.check(giver_id, receiver, message, key=key)
        receiver_id, text = fields["receiver"], fields["message"]
        given_key = fields["key"] or uuid.uuid4().hex
        zone = self.gk.state.zone
        trust = self._trust() if settings.min_trust_level > 0 else None

        def body(tx: Transaction) -> tuple[int, KudosView | None]:
            giver_member = tx.members(giver_id)[giver_id]
            receiver_member = _receiver_member(tx.conn, receiver_id)
            earlier = _by_key(tx.conn, giver_member, given_key)
            if earlier is not None:
                return _replayed(earlier, receiver_member, text, given_key), None
            if trust is not None:
                level = int(trust.level_of(tx.conn, giver_member))
                if level < settings.min_trust_level:
                    raise TrustTooLow(level, settings.min_trust_level)
            period = budgets.period_of(tx.now, settings.period, zone)
            kudos_id = tx.conn.scalar(
                upsert(tx.dialect, KUDOS, ("giver_id", "key"), returning=("id",)).values(
                    giver_id=giver_member, receiver_id=receiver_member, message=text, given_at=tx.now,
                    period=period.start, key=given_key,
                )
            )  # fmt: skip
            if kudos_id is None:  # a give with this key committed while this one waited for it
                earlier = _by_key(tx.conn, giver_member, given_key)
                assert earlier is not None
                return _replayed(earlier, receiver_member, text, given_key), None
            if not budgets.spend(tx.conn, giver_member, period.start, settings.budget):
                raise OverBudget(settings.budget, settings.period, period.refills_at)
            result = tx.record(
                ACTIVITY_TYPE, key=activity_key(kudos_id), actor=giver_id, target=receiver_id,
                subject=subject_key(kudos_id),
            )  # fmt: skip
            tx.conn.execute(KUDOS.update().where(KUDOS.c.id == kudos_id).values(activity_id=result.activity_id))
            view = KudosView(
                id=kudos_id, giver=giver_id, receiver=receiver_id, message=text, given_at=tx.now, period=period.start,
                points=_earned(result, receiver_id),
            )  # fmt: skip
            tx.announce("kudos_given", kudos=KudosGiven(
                view.id, giver_id, receiver_id, text, tx.now, period.start, activity_key(kudos_id)
            ))  # fmt: skip
            return kudos_id, view

        kudos_id, view = self.gk.transaction(body)
        return view if view is not None else self.get(kudos_id, duplicate=True)

    def check(self, giver: str | int, receiver: object, message: object, *, key: object = None) -> dict[str, Any]:
        """The fields of a give, checked but not saved (the receiver's membership is checked when
        giving): one error naming every bad field at once, or the field's own error when only
        one is bad (:class:`KudosToSelf` …). Returns ``receiver``, ``message`` and ``key``."""
        settings = Settings.current()
        giver_id = user_ref(giver, "giver")
        refused: list[ValidationError] = []

        def checked(check: Any) -> Any:
            try:
                return check()
            except ValidationError as exc:
                refused.append(exc)
                return None

        fields = {
            "receiver": checked(lambda: _receiver(receiver, giver_id)),
            "message": checked(lambda: _message(message, settings.message_max)),
            "key": checked(lambda: _key(key)),
        }
        if len(refused) == 1:
            raise refused[0]
        if refused:
            found = FieldErrors()
            for exc in refused:
                found.add_error(exc)
            found.raise_if_any()
        return fields

    def _trust(self) -> Any:
        """``gk.trust`` when the trust feature is on (features never import each other)."""
        return self.gk.trust if "trust" in self.gk.services() else None

    # -- reading --------------------------------------------------------------------------

    def get(self, kudos_id: int, *, duplicate: bool = False) -> KudosView:
        """One kudos; :class:`UnknownKudos` when there is none (or its activity was retracted)."""
        try:
            _row_id(kudos_id, "kudos_id")
        except ValidationError:
            raise UnknownKudos(kudos_id) from None
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(SELECT.where(KUDOS.c.id == kudos_id)).first()
            if row is None:
                raise UnknownKudos(kudos_id)
            points = _points(conn, [row.id])
        return KudosView.of(row, points.get(row.id, ()), duplicate=duplicate)

    def wall(self, *, limit: int = 20, before: Position | None = None) -> KudosPage:
        """Everyone's kudos, newest first (by when given); ``before``: the ``next_before`` of
        the page above."""
        return self._page(None, limit, before)

    def received(self, user_id: str | int, *, limit: int = 20, before: Position | None = None) -> KudosPage:
        """The kudos a member received, newest first."""
        return self._page(KUDOS.c.receiver_id == self.gk.member(user_id).id, limit, before)

    def given(self, user_id: str | int, *, limit: int = 20, before: Position | None = None) -> KudosPage:
        """The kudos a member gave, newest first."""
        return self._page(KUDOS.c.giver_id == self.gk.member(user_id).id, limit, before)

    def counts(self, user_id: str | int) -> dict[str, int]:
        """How many kudos a member received and gave (``{"received": n, "given": m}``)."""
        member_id = self.gk.member(user_id).id
        query = (
            sa.select(
                sa.func.count().filter(KUDOS.c.receiver_id == member_id),
                sa.func.count().filter(KUDOS.c.giver_id == member_id),
            )
            .select_from(KUDOS)
            .outerjoin(ACTIVITIES, ACTIVITIES.c.id == KUDOS.c.activity_id)
            .where(sa.or_(KUDOS.c.receiver_id == member_id, KUDOS.c.giver_id == member_id))
            .where(ACTIVITIES.c.retracted_at.is_(None))
        )
        received, given = self.gk.session.execute(query).one()
        return {"received": int(received), "given": int(given)}

    def _page(self, where: sa.ColumnElement[bool] | None, limit: int, before: Position | None) -> KudosPage:
        check_limit(limit, most=100)
        query = SELECT.order_by(KUDOS.c.given_at.desc(), KUDOS.c.id.desc()).limit(limit + 1)
        if where is not None:
            query = query.where(where)
        if before is not None:
            given_at, kudos_id = _position(before)
            query = query.where(
                sa.tuple_(KUDOS.c.given_at, KUDOS.c.id)
                < sa.tuple_(sa.literal(given_at, KUDOS.c.given_at.type), sa.literal(kudos_id))
            )
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(query).all()
            points = _points(conn, [row.id for row in rows[:limit]])
        items = [KudosView.of(row, points.get(row.id, ())) for row in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return KudosPage(items, (last.given_at, last.id) if last is not None else None)

    def budget(self, user_id: str | int) -> BudgetView:
        """The member's budget in the period in force, and whether they may give kudos at all
        (a host user who is not a member yet has their whole budget)."""
        settings = Settings.current()
        user = user_ref(user_id)
        period = budgets.period_of(self.gk.clock(), settings.period, self.gk.state.zone)
        with self.gk.store.engine.connect() as conn:
            member_id = conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user))
            used = budgets.used(conn, member_id, period.start) if member_id is not None else 0
            trusted = True
            trust = self._trust() if settings.min_trust_level > 0 else None
            if trust is not None:
                level = int(trust.level_of(conn, member_id)) if member_id is not None else 0
                trusted = level >= settings.min_trust_level
        return BudgetView(settings.budget, used, settings.period, period.start, period.refills_at, trusted,
                          settings.min_trust_level if trust is not None else 0)  # fmt: skip


# -- checks --------------------------------------------------------------------------------


def _position(value: object) -> Position:
    if not isinstance(value, tuple) or len(value) != 2 or not isinstance(value[0], datetime) or value[0].tzinfo is None:
        raise ValidationError("before must be the next_before of a page: (given_at, id)", field="before")
    return value[0], _row_id(value[1], "before")


def _row_id(value: object, field: str) -> int:
    """A row id; ``None`` is refused too."""
    return require_row_id(value, field)


def _receiver(value: object, giver: str) -> str:
    receiver = user_ref(value, "receiver")
    if receiver == giver:
        raise KudosToSelf()
    return receiver


def _message(value: object, most: int) -> str:
    """The message, stripped, its line endings made ``\\n``: not empty, at most ``most`` characters."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return check_text(value, "message", max_length=most)


def _key(value: object) -> str | None:
    return None if value is None else single_line(value, "key", KEY_MAX)


def _receiver_member(conn: sa.Connection, user_id: str) -> int:
    row = conn.execute(sa.select(MEMBERS.c.id, MEMBERS.c.status).where(MEMBERS.c.user_id == user_id)).first()
    if row is None:
        raise UnknownReceiver(user_id)
    if row.status != "active":
        raise UnknownReceiver(user_id, inactive=True)
    return int(row.id)


def _by_key(conn: sa.Connection, giver_id: int, key: str) -> Any:
    return conn.execute(
        sa.select(KUDOS.c.id, KUDOS.c.receiver_id, KUDOS.c.message).where(
            KUDOS.c.giver_id == giver_id, KUDOS.c.key == key
        )
    ).first()


def _replayed(earlier: Any, receiver_id: int, message: str, key: str) -> int:
    """The id of the kudos given before under this key, if the give is the same; else :class:`KeyReused`."""
    if earlier.receiver_id != receiver_id or earlier.message != message:
        raise KeyReused(key)
    return int(earlier.id)


def _earned(result: ActivityResult, receiver: str) -> tuple[tuple[str, int], ...]:
    """What recording a kudos gave its receiver, by point type (a gain a cap cut to 0 is none)."""
    earned: dict[str, int] = {}
    for change in result.points:
        if change.user_id == receiver:
            earned[change.point_type] = earned.get(change.point_type, 0) + change.amount
    return tuple(sorted((slug, amount) for slug, amount in earned.items() if amount))


def _points(conn: sa.Connection, ids: list[int]) -> dict[int, tuple[tuple[str, int], ...]]:
    """What each kudos's receiver earned from its activity so far (net of what was taken back)."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(KUDOS.c.id, LEDGER.c.point_type, sa.func.sum(LEDGER.c.amount))
        .join(LEDGER, sa.and_(LEDGER.c.activity_id == KUDOS.c.activity_id, LEDGER.c.member_id == KUDOS.c.receiver_id))
        .where(KUDOS.c.id.in_(ids))
        .group_by(KUDOS.c.id, LEDGER.c.point_type)
        .order_by(KUDOS.c.id, LEDGER.c.point_type)
    ).all()
    found: dict[int, list[tuple[str, int]]] = {}
    for kudos_id, point_type, amount in rows:
        if amount:
            found.setdefault(kudos_id, []).append((point_type, int(amount)))
    return {kudos_id: tuple(points) for kudos_id, points in found.items()}
