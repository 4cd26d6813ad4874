"""``gk.groups``: groups, their members, goals, badges and boards.

Methods that change something take ``by``, the host user id of who acts, or ``None`` for host
code (which may do anything: it mirrors the host's own teams with :meth:`Groups.ensure` and
:meth:`Groups.add`). Members act for themselves through the self actions (:meth:`Groups.join`,
:meth:`Groups.leave` …), managers (owners and maintainers, and holders of ``groups.manage``)
through the others. Membership lives in :mod:`.membership`, goals in :mod:`.goals` and
:mod:`.counting`, badges in :mod:`.awarding`, boards in :mod:`.boards`.

The service other features rely on (documented in docs/groups.md, kept stable):
:meth:`Groups.group_ids_of`, :meth:`Groups.can_manage`, :meth:`Groups.get` and
:meth:`Groups.members_of`. All but ``get`` read on the caller's connection (inside its
transaction), so they take one. Like every method here they check their arguments before a
query runs: a wrong one raises from guildkit's error tree (:class:`ValidationError`, or
:class:`UnknownGroup` for anything that cannot be a group id).
"""

from __future__ import annotations

import builtins
import re
import unicodedata
from types import EllipsisType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import audit
from guildkit.activity import user_ref
from guildkit.errors import FieldErrors, NotAllowed, ValidationError
from guildkit.groups import awarding, boards, flair, goals, membership
from guildkit.groups.errors import UnknownGoal, UnknownGroup
from guildkit.groups.models import POLICIES, Group, GroupBadge, GroupGoal, GroupMembership
from guildkit.groups.views import GoalView, GroupBadgeView, GroupView, Membership, TeamStanding
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.reading import Leaderboard, check_limit
from guildkit.text import MAX_ROW_ID, check_text, multi_line, require_row_id, single_line

if TYPE_CHECKING:
    from datetime import datetime

    from guildkit.extension import GuildKit
    from guildkit.leaderboards import Standing
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
GOALS = table_of(GroupGoal)
BADGES = table_of(GroupBadge)
MEMBERS = table_of(Member)
CREATE = "groups.create"
MANAGE = membership.MANAGE
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Slugs the pages use for themselves (``/groups/new``, ``/groups/board``).
RESERVED = frozenset({"new", "board"})
NAME_MAX = 150
DESCRIPTION_MAX = 2000
CAPACITY_MAX = 100_000
KEY_MAX = 191
#: The largest id the groups' tables hold: their ids are 32-bit ``INTEGER`` columns.
FIELDS = ("name", "description", "policy", "capacity")


def slugify(name: str) -> str:
    """A slug made from a name: "Backend Team (Berlin)" → ``backend-team-berlin``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:64].strip("-")
    return slug or "group"


class Groups:
    """The groups of one ``GuildKit`` (``gk.groups``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- the service other features use ----------------------------------------------------

    def group_ids_of(self, conn: sa.Connection, member_id: int) -> builtins.list[int]:
        """The groups the member belongs to (member id, not user id), read on ``conn``."""
        query = (
            sa.select(MEMBERSHIPS.c.group_id)
            .where(MEMBERSHIPS.c.member_id == _member_id(member_id), MEMBERSHIPS.c.state == "member")
            .order_by(MEMBERSHIPS.c.group_id)
        )
        return [int(g) for g in _connection(conn).execute(query).scalars()]

    def can_manage(self, conn: sa.Connection, group_id: int, member_id: int) -> bool:
        """Whether the member (member id) manages the group: an owner or maintainer of it, or a
        holder of ``groups.manage``; an inactive member manages nothing."""
        conn, group_id, member_id = _connection(conn), _group_id(group_id), _member_id(member_id)
        return membership.can_manage(self.gk, conn, group_id, member_id)

    def get(self, group_id: int) -> GroupView:
        """The group with this id (its ``name``, ``slug`` and ``url``); :class:`UnknownGroup` if none."""
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(sa.select(GROUPS).where(GROUPS.c.id == _group_id(group_id))).first()
        if row is None:
            raise UnknownGroup(group_id)
        return GroupView.of(row)

    def members_of(self, conn: sa.Connection, group_id: int) -> builtins.list[int]:
        """The member ids of the group's members, read on ``conn``."""
        query = self.members_query(group_id).order_by(MEMBERSHIPS.c.member_id)
        return [int(m) for m in _connection(conn).execute(query).scalars()]

    def members_query(self, group_id: int) -> sa.Select[Any]:
        """A SELECT of the group's member ids, to narrow a query (``gk.leaderboard(among=...)``)."""
        return sa.select(MEMBERSHIPS.c.member_id).where(
            MEMBERSHIPS.c.group_id == _group_id(group_id), MEMBERSHIPS.c.state == "member"
        )

    # -- reading ---------------------------------------------------------------------------

    def find(self, slug: str) -> GroupView:
        """The group ``slug``; :class:`UnknownGroup` if none."""
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):  # no such slug is stored: no query
            raise UnknownGroup(slug if isinstance(slug, str) else repr(slug))
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(sa.select(GROUPS).where(GROUPS.c.slug == slug)).first()
        if row is None:
            raise UnknownGroup(slug)
        return GroupView.of(row)

    def directory(
        self, *, q: str | None = None, limit: int = 20, after: tuple[str, int] | None = None
    ) -> tuple[builtins.list[GroupView], tuple[str, int] | None]:
        """Groups by name, those whose name or description holds ``q`` (any case); a page of
        ``limit`` after the ``(name, id)`` cursor ``after``, and the cursor of the next page."""
        check_limit(limit, most=100)
        query = sa.select(GROUPS)
        if q:
            words = single_line(q, "q", 100)
            pattern = "%" + words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                sa.or_(sa.func.lower(GROUPS.c.name).like(pattern, escape="\\"),
                       sa.func.lower(GROUPS.c.description).like(pattern, escape="\\"))
            )  # fmt: skip
        if after is not None:
            name, last = _directory_cursor(after)
            query = query.where(sa.tuple_(GROUPS.c.name, GROUPS.c.id) > sa.tuple_(sa.literal(name), last))
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(query.order_by(GROUPS.c.name, GROUPS.c.id).limit(limit + 1)).all()
        found = [GroupView.of(row) for row in rows[:limit]]
        return found, (found[-1].name, found[-1].id) if len(rows) > limit else None

    def membership(self, group_id: int, user_id: str | int) -> Membership | None:
        """Where the host user stands with the group (``None``: not involved, or not a member yet)."""
        group_id, user = _group_id(group_id), user_ref(user_id)
        with self.gk.store.engine.connect() as conn:
            rows = self._memberships(conn, group_id, user_ids=[user])
        return rows[0] if rows else None

    def memberships(
        self, group_id: int, *, state: str = "member", limit: int = 50, offset: int = 0
    ) -> builtins.list[Membership]:
        """The group's memberships in ``state``: owners, then maintainers, then members, each by
        when they joined (requests and invitations oldest first)."""
        group_id = _group_id(group_id)
        if state not in ("requested", "invited", "member"):
            raise ValidationError(_("%(field)s must be requested, invited or member", field="state"), field="state")
        check_limit(limit, most=500)
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_ROW_ID:
            raise ValidationError(f"offset must be an integer from 0 to {MAX_ROW_ID}", field="offset")
        with self.gk.store.engine.connect() as conn:
            return self._memberships(conn, group_id, state=state, limit=limit, offset=offset)

    def _memberships(
        self,
        conn: sa.Connection,
        group_id: int,
        *,
        state: str | None = None,
        user_ids: builtins.list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Membership]:
        by = sa.orm.aliased(Member)
        order = sa.case({"owner": 0, "maintainer": 1}, value=MEMBERSHIPS.c.role, else_=2)
        query = (
            sa.select(MEMBERSHIPS, MEMBERS.c.user_id, by.user_id.label("by_user"))
            .join(MEMBERS, MEMBERS.c.id == MEMBERSHIPS.c.member_id)
            .outerjoin(by, by.id == MEMBERSHIPS.c.by_member)
            .where(MEMBERSHIPS.c.group_id == group_id)
            .order_by(order, MEMBERSHIPS.c.since, MEMBERSHIPS.c.member_id)
            .offset(offset)
        )
        if state is not None:
            query = query.where(MEMBERSHIPS.c.state == state)
        if user_ids is not None:
            query = query.where(MEMBERS.c.user_id.in_(user_ids))
        if limit is not None:
            query = query.limit(limit)
        return [Membership(r.group_id, r.member_id, r.user_id, r.state, r.role, r.since, r.by_user)
                for r in conn.execute(query)]  # fmt: skip

    def groups_of(self, user_id: str | int) -> builtins.list[GroupView]:
        """The groups the host user belongs to, by name."""
        user = user_ref(user_id)
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(GROUPS)
                .join(MEMBERSHIPS, MEMBERSHIPS.c.group_id == GROUPS.c.id)
                .join(MEMBERS, MEMBERS.c.id == MEMBERSHIPS.c.member_id)
                .where(MEMBERS.c.user_id == user, MEMBERSHIPS.c.state == "member")
                .order_by(GROUPS.c.name, GROUPS.c.id)
            ).all()
        return [GroupView.of(row) for row in rows]

    def flair_of(self, user_id: str | int) -> int | None:
        """The id of the group the member shows after their name (``None``: none)."""
        return flair.chosen(self.gk, user_id)

    def choose_flair(self, user_id: str | int, group_id: int | None) -> int | None:
        """Show one of the member's groups after their name (``None``: none); see :mod:`.flair`."""
        return flair.choose(self.gk, user_id, group_id)

    def badges_of(self, group_id: int) -> builtins.list[GroupBadgeView]:
        """The badges the group earned together, newest first."""
        group_id = _group_id(group_id)
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(BADGES, GOALS.c.name.label("goal_name"))
                .join(GOALS, GOALS.c.id == BADGES.c.goal_id)
                .where(BADGES.c.group_id == group_id)
                .order_by(BADGES.c.reached_at.desc(), BADGES.c.id.desc())
            ).all()
        return [GroupBadgeView(r.group_id, r.goal_id, r.goal_name, r.badge, r.period_start, r.reached_at,
                               r.awarded_at) for r in rows]  # fmt: skip

    def may_create(self, user_id: str | int | None) -> bool:
        """Whether this host user may make a group (``GUILDKIT_GROUPS_CREATE``); host code may."""
        if user_id is None:
            return True
        try:
            status = self.gk.member(user_id).status
        except LookupError:
            return False
        if status != "active":
            return False
        if self.gk.has_permission(user_id, MANAGE):
            return True
        who: str = current_app.config["GUILDKIT_GROUPS_CREATE"]
        return who == "members" or (who == "permission" and self.gk.has_permission(user_id, CREATE))

    def manages(self, group_id: int, user_id: str | int | None) -> bool:
        """:meth:`can_manage` for a host user id (``None``, nobody signed in: no)."""
        if user_id is None:
            return False
        group_id, user = _group_id(group_id), user_ref(user_id)
        with self.gk.store.engine.connect() as conn:
            member_id = conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user))
            return member_id is not None and membership.can_manage(self.gk, conn, group_id, member_id)

    # -- making and changing groups --------------------------------------------------------

    def check(self, *, slug: str | None = None, **values: Any) -> dict[str, Any]:
        """A group's :data:`FIELDS` checked (and its ``slug``, when given), nothing saved: every bad
        one named in one :class:`ValidationError`. Returns the columns to store."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValidationError(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
        found = FieldErrors()
        checked = found.check_all(
            {
                "name": lambda: single_line(values.get("name"), "name", NAME_MAX),
                "description": lambda: multi_line(values.get("description", ""), "description", DESCRIPTION_MAX),
                "policy": lambda: _policy(values.get("policy")),
                "capacity": lambda: _capacity(values.get("capacity")),
            }
        )
        if slug is not None:
            found.check_all({"slug": lambda: _slug(slug)})
        found.raise_if_any()
        return checked

    def create(
        self,
        by: str | int | None,
        *,
        name: str,
        slug: str | None = None,
        description: str = "",
        policy: str | None = None,
        capacity: int | None = None,
        via: str | None = None,
    ) -> GroupView:
        """Make a group; its maker (a member) becomes its first owner. ``slug`` (its address)
        defaults to one made from the name. ``by=None``: host code (no owner)."""
        who, via = _who(by), _via(via)
        if not self.may_create(who):
            raise NotAllowed(_("you may not make groups here"), user_id=str(who))
        policy = policy if policy is not None else current_app.config["GUILDKIT_GROUPS_DEFAULT_POLICY"]
        values = {"name": name, "description": description, "policy": policy, "capacity": capacity}
        slug = slug if slug is not None else slugify(name if isinstance(name, str) else "")
        fields = self.check(slug=slug, **values)
        group_id = self.gk.transaction(lambda tx: self._insert(tx, slug, fields, None, who, via))
        return self.get(group_id)

    def _insert(
        self, tx: Transaction, slug: str, fields: dict[str, Any], key: str | None, by: str | None, via: str | None
    ) -> int:
        if tx.conn.scalar(sa.select(GROUPS.c.id).where(GROUPS.c.slug == slug)) is not None:
            raise ValidationError(_("there is already a group with this short name"), field="slug")
        maker = tx.members(by)[by] if by is not None else None
        group_id = int(
            tx.conn.execute(
                GROUPS.insert()
                .values(slug=slug, host_key=key, member_count=0, created_by=maker, created_at=tx.now,
                        updated_at=tx.now, **fields)
                .returning(GROUPS.c.id)
            ).scalar_one()
        )  # fmt: skip
        audit.write(tx.conn, tx.now, area=membership.AREA, actor=by if by is not None else via,
                    action="group.create", subject=f"group:{slug}", details={"slug": slug, **fields})  # fmt: skip
        if maker is not None and by is not None:  # the maker (not host code) is the first owner
            tx.conn.execute(MEMBERSHIPS.insert().values(group_id=group_id, member_id=maker, state="member",
                                                        role="owner", since=tx.now))  # fmt: skip
            tx.conn.execute(GROUPS.update().where(GROUPS.c.id == group_id).values(member_count=1))
            row = tx.conn.execute(sa.select(GROUPS).where(GROUPS.c.id == group_id)).one()
            membership.joined(tx, row, maker, by, "owner", "create", None)
        return group_id

    def ensure(
        self,
        key: str,
        *,
        name: str,
        slug: str | None = None,
        description: str | None = None,
        policy: str | None = None,
        capacity: int | EllipsisType | None = ...,
    ) -> GroupView:
        """Host code: the group the host knows as ``key`` (its own team's id), made on the first
        call and brought up to date with the fields given on the next; idempotent. The slug is
        kept once made (links to the group stay valid); a field left out keeps its value
        (``capacity=None``: no limit)."""
        key = single_line(key, "key", KEY_MAX)
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(sa.select(GROUPS).where(GROUPS.c.host_key == key)).first()
        if row is None:
            policy = policy if policy is not None else current_app.config["GUILDKIT_GROUPS_DEFAULT_POLICY"]
            values = {"name": name, "description": description or "", "policy": policy,
                      "capacity": None if capacity is ... else capacity}  # fmt: skip
            slug = slug if slug is not None else slugify(name if isinstance(name, str) else "")
            fields = self.check(slug=slug, **values)

            def make(tx: Transaction) -> int:
                existing = tx.conn.scalar(sa.select(GROUPS.c.id).where(GROUPS.c.host_key == key))
                return int(existing) if existing is not None else self._insert(tx, slug, fields, key, None, "host")

            return self.get(self.gk.transaction(make))
        changes: dict[str, Any] = {"name": name}
        if description is not None:
            changes["description"] = description
        if policy is not None:
            changes["policy"] = policy
        if capacity is not ...:
            changes["capacity"] = capacity
        return self.update(None, row.id, via="host", **changes)

    def update(self, by: str | int | None, group_id: int, *, via: str | None = None, **changes: Any) -> GroupView:
        """Change a group's :data:`FIELDS` (its managers, or host code). A capacity below the
        members it has is refused."""
        who, via = _who(by), _via(via)
        current = self.get(group_id)
        values = {"name": current.name, "description": current.description, "policy": current.policy,
                  "capacity": current.capacity} | changes  # fmt: skip
        fields = self.check(**values)

        def body(tx: Transaction) -> None:
            row = membership.lock_group(tx, group_id)
            if who is not None:
                member_id = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == who))
                if member_id is None or not membership.can_manage(self.gk, tx.conn, group_id, member_id):
                    raise NotAllowed(_("only the group's owners and maintainers may do this"), user_id=who)
            if fields["capacity"] is not None and fields["capacity"] < row.member_count:
                raise ValidationError(
                    _("%(field)s cannot be below the %(num)s members the group has", field="capacity",
                      num=format_number(row.member_count)), field="capacity")  # fmt: skip
            changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
            if not changed:
                return
            tx.conn.execute(GROUPS.update().where(GROUPS.c.id == group_id).values(updated_at=tx.now, **changed))
            if "name" in changed:  # the goals' own badges name the group: their definitions change
                tx.conn.execute(GOALS.update().where(GOALS.c.group_id == group_id)
                                .values(revision=GOALS.c.revision + 1))  # fmt: skip
            audit.write(tx.conn, tx.now, area=membership.AREA, actor=who if who is not None else via,
                        action="group.update", subject=f"group:{row.slug}",
                        details={n: {"from": getattr(row, n), "to": v} for n, v in changed.items()})  # fmt: skip

        self.gk.transaction(body)
        return self.get(group_id)

    # -- membership --------------------------------------------------------------------------

    def join(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member joins an open group."""
        return membership.act(self.gk, _group_id(group_id), "join", user_ref(user_id))

    def request(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member asks to join a group that takes requests."""
        return membership.act(self.gk, _group_id(group_id), "request", user_ref(user_id))

    def withdraw(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member takes back their request to join."""
        return membership.act(self.gk, _group_id(group_id), "withdraw", user_ref(user_id))

    def accept(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member accepts their invitation."""
        return membership.act(self.gk, _group_id(group_id), "accept", user_ref(user_id))

    def refuse(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member turns their invitation down."""
        return membership.act(self.gk, _group_id(group_id), "refuse", user_ref(user_id))

    def leave(self, group_id: int, user_id: str | int) -> Membership | None:
        """The member leaves (the last owner cannot)."""
        return membership.act(self.gk, _group_id(group_id), "leave", user_ref(user_id))

    def approve(self, by: str | int | None, group_id: int, user_id: str | int) -> Membership | None:
        """A manager lets in a member who asked to join."""
        return membership.act(self.gk, _group_id(group_id), "approve", user_ref(user_id), by=_who(by))

    def decline(self, by: str | int | None, group_id: int, user_id: str | int) -> Membership | None:
        """A manager turns a request to join down."""
        return membership.act(self.gk, _group_id(group_id), "decline", user_ref(user_id), by=_who(by))

    def invite(self, by: str | int | None, group_id: int, user_id: str | int) -> Membership | None:
        """A manager invites a member (who is told, and accepts or refuses)."""
        return membership.act(self.gk, _group_id(group_id), "invite", user_ref(user_id), by=_who(by))

    def revoke(self, by: str | int | None, group_id: int, user_id: str | int) -> Membership | None:
        """A manager takes an invitation back."""
        return membership.act(self.gk, _group_id(group_id), "revoke", user_ref(user_id), by=_who(by))

    def remove(self, by: str | int | None, group_id: int, user_id: str | int) -> Membership | None:
        """A manager removes a member (owners and maintainers only by an owner)."""
        return membership.act(self.gk, _group_id(group_id), "remove", user_ref(user_id), by=_who(by))

    def act(self, action: str, group_id: int, user_id: str | int, *, by: str | int | None = None) -> Membership | None:
        """Any membership action by name (see :mod:`.transitions`)."""
        return membership.act(self.gk, _group_id(group_id), action, user_ref(user_id), by=_who(by))

    def set_role(self, by: str | int | None, group_id: int, user_id: str | int, role: str) -> Membership:
        """Make a member an ``owner``, a ``maintainer`` or a plain ``member`` (owners only)."""
        return membership.set_role(self.gk, _group_id(group_id), user_ref(user_id), role, by=_who(by))

    def add(self, group_id: int, user_id: str | int, *, role: str = "member") -> Membership:
        """Host code: put a member in the group, whatever its policy (capacity still holds)."""
        return membership.add(self.gk, _group_id(group_id), user_ref(user_id), role)

    # -- goals and boards --------------------------------------------------------------------

    def create_goal(self, by: str | int | None, group_id: int, **fields: Any) -> GoalView:
        """A goal for the group (its managers, or host code): see :func:`.goals.create`."""
        return goals.create(self.gk, _who(by), _group_id(group_id), **fields)

    def check_goal(self, **fields: Any) -> dict[str, Any]:
        """A goal's fields checked (every bad one named at once), not saved."""
        return goals.check(self.gk, fields)

    def goals(self, group_id: int) -> builtins.list[GoalView]:
        """The group's goals: running ones first, then upcoming, then ended; each with the
        progress of its current (or last) period."""
        return goals.of_group(self.gk, _group_id(group_id))

    def goal(self, goal_id: int) -> GoalView:
        """The goal with its current (or last) period's progress; :class:`UnknownGoal` if none."""
        return goals.get(self.gk, _goal_id(goal_id))

    def contributions(self, goal_id: int, period_start: datetime | None = None) -> builtins.list[tuple[str, int]]:
        """``(user id, count)`` of a goal period's contributors, most first (default: its current period)."""
        return goals.contributions(self.gk, _goal_id(goal_id), period_start)

    def award_due(self) -> int:
        """Award the contributors' badges of every goal reached and not yet awarded; returns how many."""
        return awarding.award_due(self.gk)

    def team_board(
        self, point_type: str, *, period: str = "all", by: str = "total", limit: int = 50
    ) -> builtins.list[TeamStanding]:
        """Groups ranked by their members' points of ``point_type`` over ``period``: the
        ``total``, or the ``average`` per member. Ties share a rank."""
        return boards.team_board(self.gk, point_type, period=period, by=by, limit=limit)

    def leaderboard(
        self,
        group_id: int,
        point_type: str,
        *,
        period: str = "all",
        limit: int = 10,
        around: str | int | None = None,
        after: Standing | None = None,
    ) -> Leaderboard:
        """The core leaderboard of ``point_type`` narrowed to the group's members."""
        return self.gk.leaderboard(point_type, period=period, limit=limit, around=around, after=after,
                                   among=self.members_query(group_id))  # fmt: skip


def _who(by: str | int | None) -> str | None:
    return None if by is None else user_ref(by, "by")


def _via(via: str | None) -> str | None:
    """How host code names itself in the audit log (``"cli"``, ``"host"``)."""
    return None if via is None else single_line(via, "via", KEY_MAX)


def _row_id(value: object, field: str) -> int:
    """A row id; ``None`` is refused too."""
    return require_row_id(value, field)


def _group_id(value: object) -> int:
    """``value`` as a group id: what cannot be one names no group (:class:`UnknownGroup`)."""
    try:
        return _row_id(value, "group_id")
    except ValidationError:
        raise UnknownGroup(value if isinstance(value, int) else repr(value)) from None


def _goal_id(value: object) -> int:
    """``value`` as a goal id: what cannot be one names no goal (:class:`UnknownGoal`)."""
    try:
        return _row_id(value, "goal_id")
    except ValidationError:
        raise UnknownGoal(value) from None


def _member_id(value: object) -> int:
    """A member id (``guildkit_members.id``), as the service other features use takes it."""
    return _row_id(value, "member_id")


def _connection(conn: object) -> sa.Connection:
    """The caller's connection, to read inside its transaction."""
    if not isinstance(conn, sa.Connection):
        raise ValidationError(f"conn must be a SQLAlchemy Connection, got {type(conn).__name__}", field="conn")
    return conn


def _directory_cursor(after: object) -> tuple[str, int]:
    """The directory's ``after``: the ``(name, id)`` of the last group of the page before."""
    if not isinstance(after, tuple) or len(after) != 2:
        raise ValidationError("after must be the (name, id) of a group", field="after")
    return check_text(after[0], "after", max_length=NAME_MAX, empty=True, one_line=True), _row_id(after[1], "after")


def _slug(value: object) -> str:
    if not isinstance(value, str) or not SLUG.fullmatch(value) or value in RESERVED:
        raise ValidationError(
            _("%(field)s must be 1-64 characters of a-z, 0-9 and '-', starting with a letter or digit", field="slug"),
            field="slug",
        )
    return value


def _policy(value: object) -> str:
    if value not in POLICIES:
        raise ValidationError(_("%(field)s must be open, request or invite", field="policy"), field="policy")
    return str(value)


def _capacity(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= CAPACITY_MAX):
        raise ValidationError(
            _("%(field)s must be a whole number from 1 to %(most)s, or none", field="capacity",
              most=format_number(CAPACITY_MAX)), field="capacity")  # fmt: skip
    return value
