"""What the host reads about members: balances, the ledger, badges, roles, progress, leaderboards
and notifications. :class:`~guildkit.extension.GuildKit` inherits these methods; the queries live
in :mod:`guildkit.queries` and :mod:`guildkit.leaderboards`.

Every argument is checked before it reaches the database: a wrong type or an unknown name raises
from guildkit's error tree, never a ``TypeError`` from deep inside a query.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import expiry, leaderboards, queries
from guildkit.activity import user_ref
from guildkit.errors import UnknownPointType, ValidationError
from guildkit.leaderboards import PERIODS, Standing
from guildkit.models import BadgeAward, LedgerEntry, Member, Notification
from guildkit.text import check_id, check_row_id, check_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from guildkit.extension import GuildKitState
    from guildkit.plugins import PluginCalls
    from guildkit.registry import Registry
    from guildkit.store import Store


@dataclass(frozen=True)
class Leaderboard:
    """One page of a leaderboard: ``standings`` best first (ties share a rank), and ``me``, the
    standing of the member it was asked ``around`` (``None`` otherwise). Read from the read
    replica when one is configured (``GUILDKIT_READ_DATABASE_URI``), so it may trail the latest
    writes by the replication delay."""

    point_type: str
    period: str
    #: Where the period starts (midnight in the community's time zone); ``None`` for all time.
    since: datetime | None
    standings: list[Standing]
    me: Standing | None
    #: Pass as ``after=`` for the next page; ``None`` on the last one.
    next_after: Standing | None


def _among(among: object) -> sa.ColumnElement[bool] | None:
    """The leaderboard's narrowing condition on the balance rows' member."""
    if among is None:
        return None
    if isinstance(among, sa.Select):
        return leaderboards.BALANCES.c.member_id.in_(among)
    if (
        isinstance(among, Collection)
        and not isinstance(among, str | bytes)
        and all(isinstance(m, int) and not isinstance(m, bool) for m in among)
    ):
        return leaderboards.BALANCES.c.member_id.in_(sorted(set(among)))
    raise ValidationError("among must be member ids or a SELECT of them", field="among")


def check_limit(value: object, field: str = "limit", most: int = 1000) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise ValidationError(f"{field} must be an integer from 1 to {most}", field=field)
    return value


class Reading:
    """The read side of :class:`~guildkit.extension.GuildKit` (a mixin)."""

    if TYPE_CHECKING:
        clock: Callable[[], datetime]

        @property
        def session(self) -> Session: ...
        @property
        def registry(self) -> Registry: ...
        @property
        def state(self) -> GuildKitState: ...
        @property
        def store(self) -> Store: ...

        calls: PluginCalls

    def member(self, user_id: str | int) -> Member:
        """The member for host user ``user_id``; :class:`~guildkit.errors.UnknownMember` if none."""
        return queries.get_member(self.session, user_ref(user_id))

    def _point_type(self, point_type: object) -> str:
        if not isinstance(point_type, str):
            raise ValidationError(f"point_type must be text, got {type(point_type).__name__}", field="point_type")
        if point_type not in self.registry.point_types:
            raise UnknownPointType(point_type)
        return point_type

    def balance(self, user_id: str | int, point_type: str) -> int:
        """The member's balance of ``point_type`` (0 before their first points of it)."""
        self._point_type(point_type)
        expiry.bring_up_to_date(self, (point_type,))  # type: ignore[arg-type]
        return queries.balances(self.session, self.member(user_id).id).get(point_type, 0)

    def balances(self, user_id: str | int) -> dict[str, int]:
        """The member's balances, by point type."""
        expiry.bring_up_to_date(self, self.registry.point_types)  # type: ignore[arg-type]
        return queries.balances(self.session, self.member(user_id).id)

    def expiring(self, user_id: str | int, point_type: str | None = None) -> list[expiry.Expiring]:
        """What of the member's points expires when, soonest first (point types with
        ``expires_after_days``; ``point_type`` for one of them)."""
        wanted = [self._point_type(point_type)] if point_type is not None else sorted(self.registry.point_types)
        member = self.member(user_id)
        expiry.bring_up_to_date(self, wanted)  # type: ignore[arg-type]
        found = [e for p in wanted for e in expiry.schedule(self, member.id, p)]  # type: ignore[arg-type]
        return sorted(found, key=lambda e: (e.on, e.point_type))

    def balances_of(self, user_ids: Iterable[str | int], point_type: str) -> dict[str, int]:
        """``point_type`` balances of many host users in one query, by user id as text: 0 for
        users without points of it, members or not (for listing pages: no query per row)."""
        self._point_type(point_type)
        if isinstance(user_ids, str | bytes) or not isinstance(user_ids, Iterable):
            raise ValidationError("user_ids must be a list of user ids", field="user_ids")
        wanted = sorted({user_ref(u, "user_ids") for u in user_ids})
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):  # bounded IN lists
            found |= queries.balances_of(self.session, point_type, wanted[start : start + 500])
        return {u: found.get(u, 0) for u in wanted}

    def ledger(
        self, user_id: str | int, *, point_type: str | None = None, limit: int = 50, before: int | None = None
    ) -> list[LedgerEntry]:
        """The member's ledger rows, newest first: each names its activity, rule and reason.

        Page with ``before``: the smallest ``id`` of the previous page.
        """
        check_limit(limit)
        check_id(before, "before")
        if point_type is not None:
            self._point_type(point_type)
        return queries.ledger(self.session, self.member(user_id).id, point_type, limit, before)

    def describe_ledger(self, user_id: str | int, entries: Iterable[LedgerEntry]) -> list[str]:
        """Each of the member's ledger rows said in words, in the reader's language, as guildkit's
        pages say them ("Your answer to How do I … was accepted"), never the rule's internal reason."""
        from guildkit.words import ledger_sentences

        entries = list(entries)
        member_id = self.member(user_id).id
        done = {a.id: a for a in queries.activities_by_id(self.session, {e.activity_id for e in entries})}
        return ledger_sentences(self, member_id, [(e, done[e.activity_id]) for e in entries])  # type: ignore[arg-type]

    def badges(self, user_id: str | int) -> list[BadgeAward]:
        """The member's live badge awards, newest first."""
        return queries.badge_awards(self.session, self.member(user_id).id)

    def holder_counts(self) -> dict[str, int]:
        """How many members hold each badge (at any level, live awards), by slug."""
        return queries.badge_holder_counts(self.session)

    def roles(self, user_id: str | int) -> list[str]:
        """The slugs of the roles the member holds now."""
        return queries.role_slugs(self.session, self.member(user_id).id)

    def has_permission(self, user_id: str | int, permission: str) -> bool:
        """Whether any role the member holds carries ``permission`` (``admin`` carries them all).

        ``False`` for a host user who is not a member.
        """
        check_text(permission, "permission", one_line=True)
        try:
            held = self.roles(user_id)
        except LookupError:
            return False
        allowed = self.registry.permissions_of(held)
        return permission in allowed or "admin" in allowed

    def progress(self, user_id: str | int) -> list[queries.BadgeProgress]:
        """Where the member stands on every threshold badge (secret ones only once earned)."""
        return queries.progress(self.session, self.registry, self.member(user_id).id, self.clock())

    # -- leaderboards ----------------------------------------------------------------------

    def leaderboard(
        self,
        point_type: str,
        *,
        period: str = "all",
        limit: int = 10,
        around: str | int | None = None,
        after: Standing | None = None,
        among: sa.Select[Any] | Collection[int] | None = None,
    ) -> Leaderboard:
        """The best members by ``point_type`` over ``period`` (``"all"``, ``"week"``, ``"month"``).

        ``around=user_id`` gives the ``limit`` standings around that member instead of the top
        (and their own standing as ``me``, also when they have no points yet); ``after=`` a
        standing from the previous page gives the next page. Weeks start on Monday and months
        on the 1st, in ``GUILDKIT_TIMEZONE``; ties share a rank.

        ``among`` narrows the board to some members, ranked among themselves: member ids
        (``guildkit_members.id``), or a SELECT of them (one group's members:
        ``gk.groups.members_query(group_id)``).
        """
        self._point_type(point_type)
        if period not in PERIODS:
            raise ValidationError(f"period must be one of {', '.join(PERIODS)}", field="period")
        check_limit(limit, most=100)
        if after is not None and not isinstance(after, Standing):
            raise ValidationError("after must be a Standing from a previous page", field="after")
        if after is not None and around is not None:
            raise ValidationError("give around or after, not both", field="after")
        narrowed = _among(among)
        expiry.bring_up_to_date(self, (point_type,))  # type: ignore[arg-type]
        board = leaderboards.Board.of(point_type, period, self.clock(), self.state.zone)
        me = None
        read = self.store.read_session  # the read replica, when there is one
        if around is not None:
            me = leaderboards.standing_of(read, board, self.member(around), narrowed)
            rows = leaderboards.window(read, board, me, limit, narrowed)
        else:
            cursor = (after.points, after.member_id) if after is not None else None
            rows = leaderboards.standings(read, board, limit, cursor, narrowed)
        more = len(rows) > limit
        rows = rows[:limit]
        return Leaderboard(point_type, period, board.since, rows, me, rows[-1] if more and rows else None)

    # -- notifications ---------------------------------------------------------------------

    def notifications(
        self, user_id: str | int, *, unread: bool = False, limit: int = 50, before: int | None = None
    ) -> list[Notification]:
        """The member's notifications, newest first (only unread ones with ``unread=True``).

        Page with ``before``: the smallest ``id`` of the previous page.
        """
        check_limit(limit)
        check_row_id(before, "before")
        if not isinstance(unread, bool):
            raise ValidationError("unread must be True or False", field="unread")
        member = self.member(user_id)
        hidden = self.calls.hidden_notification_kinds(member.id)
        return queries.notifications_page(self.session, member.id, limit, before, unread=unread, hidden=hidden)[:limit]

    def unread_count(self, user_id: str | int) -> int:
        """How many notifications the member has not read (of the kinds they see in the app)."""
        member = self.member(user_id)
        return queries.unread_count(self.session, member.id, hidden=self.calls.hidden_notification_kinds(member.id))

    def mark_read(self, user_id: str | int, *, up_to: int | None = None) -> int:
        """Mark the member's notifications read (those with ``id <= up_to``, or all); returns how many."""
        check_row_id(up_to, "up_to")
        member = self.member(user_id)
        return queries.mark_read(self.session, member.id, self.clock(), up_to)
