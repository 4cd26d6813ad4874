"""Taking a membership action: the machine's table (:mod:`.transitions`), the group's policy and
capacity, who may act, all in one transaction.

Every action locks the group's row first (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` serializes writers anyway), so two joins racing for the last place, or a join and a
removal, see each other: ``member_count`` never passes the capacity (a check constraint says so
too). A way into ``member`` also locks the member's row (after the group's: always in that
order), so joins to two groups at once respect ``GUILDKIT_GROUPS_MAX_PER_MEMBER``. Anything
refused raises before a write, and the transaction writes nothing.

Joining records a ``groups.joined`` activity (rules may reward it; a goal may count it), tells
the member when a request was approved or an invitation came, and announces
``guildkit_group_joined`` after the commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import audit
from guildkit.errors import MemberInactive, NotAllowed, ValidationError
from guildkit.groups import transitions
from guildkit.groups.errors import GroupFull, MembershipRefused, PolicyRefused, TooManyGroups, UnknownGroup
from guildkit.groups.hookspecs import GroupJoined
from guildkit.groups.models import ROLES, Group, GroupMembership
from guildkit.groups.views import Membership
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.models import Member, RoleGrant, table_of
from guildkit.notes import Said

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
MEMBERS = table_of(Member)
GRANTS = table_of(RoleGrant)
MANAGE = "groups.manage"
AREA = "groups"
JOINED = "groups.joined"
MANAGERS = ("owner", "maintainer")


def holds_manage(gk: GuildKit, conn: sa.Connection, member_id: int) -> bool:
    """Whether the member's roles carry ``groups.manage`` (or ``admin``), read on ``conn``."""
    roles = conn.execute(
        sa.select(GRANTS.c.role_slug).where(GRANTS.c.member_id == member_id, GRANTS.c.revoked_at.is_(None))
    ).scalars()
    allowed = gk.registry.permissions_of(roles)
    return MANAGE in allowed or "admin" in allowed


def role_in(conn: sa.Connection, group_id: int, member_id: int) -> str | None:
    """The member's role in the group, if they are a member."""
    return conn.scalar(
        sa.select(MEMBERSHIPS.c.role).where(
            MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.member_id == member_id, MEMBERSHIPS.c.state == "member"
        )
    )


def can_manage(gk: GuildKit, conn: sa.Connection, group_id: int, member_id: int) -> bool:
    """An owner or maintainer of the group, or a holder of ``groups.manage``; active members only."""
    status = conn.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.id == member_id))
    if status != "active":
        return False
    return role_in(conn, group_id, member_id) in MANAGERS or holds_manage(gk, conn, member_id)


def _member_id(conn: sa.Connection, user_id: str) -> int | None:
    return conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id))


def lock_group(tx: Transaction, group_id: int) -> Any:
    """The group's row, locked for the transaction; :class:`UnknownGroup` if there is none."""
    query = sa.select(GROUPS).where(GROUPS.c.id == group_id)
    if tx.dialect == "postgresql":
        query = query.with_for_update()
    row = tx.conn.execute(query).first()
    if row is None:
        raise UnknownGroup(group_id)
    return row


def _lock_member(tx: Transaction, member_id: int) -> None:
    if tx.dialect == "postgresql":  # as the recording pipeline locks members: FOR NO KEY UPDATE
        tx.conn.execute(sa.select(MEMBERS.c.id).where(MEMBERS.c.id == member_id).with_for_update(key_share=True))


def _current(conn: sa.Connection, group_id: int, member_id: int | None) -> Any:
    if member_id is None:
        return None
    return conn.execute(
        sa.select(MEMBERSHIPS).where(MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.member_id == member_id)
    ).first()


def _check_policy(group: Any, action: str) -> None:
    if action == "join" and group.policy != "open":
        message = (
            _("this group takes requests to join: ask to join instead")
            if group.policy == "request"
            else _("this group is by invitation only: you need an invitation to join")
        )
        raise PolicyRefused(message, policy=group.policy, action=action)
    if action == "request" and group.policy != "request":
        message = (
            _("this group is open: join it without asking")
            if group.policy == "open"
            else _("this group is by invitation only: you need an invitation to join")
        )
        raise PolicyRefused(message, policy=group.policy, action=action)


def _check_room(tx: Transaction, group: Any, member_id: int, user_id: str) -> None:
    """A way into ``member``: the group has room, and the member may belong to one more group."""
    if group.capacity is not None and group.member_count >= group.capacity:
        raise GroupFull(group.slug, group.capacity)
    most: int = current_app.config["GUILDKIT_GROUPS_MAX_PER_MEMBER"]
    if most:
        _lock_member(tx, member_id)
        held = tx.conn.scalar(
            sa.select(sa.func.count()).where(MEMBERSHIPS.c.member_id == member_id, MEMBERSHIPS.c.state == "member")
        )
        if int(held or 0) >= most:
            raise TooManyGroups(user_id, most)


def _check_leaving(tx: Transaction, group: Any, row: Any, action: str, manager_role: str | None) -> None:
    """The last owner stays; only an owner (or ``groups.manage``, or host code) removes a manager."""
    if action == "remove" and row.role in MANAGERS and manager_role not in (None, "owner"):
        raise NotAllowed(_("only an owner of the group may remove an owner or a maintainer"))
    if row.role == "owner":
        owners = tx.conn.scalar(
            sa.select(sa.func.count()).where(MEMBERSHIPS.c.group_id == group.id, MEMBERSHIPS.c.state == "member",
                                             MEMBERSHIPS.c.role == "owner")
        )  # fmt: skip
        if int(owners or 0) <= 1:
            raise MembershipRefused(
                "group membership", "member", action,
                message=_("the group's last owner cannot leave: make another member an owner first"),
            )  # fmt: skip


def _manager(gk: GuildKit, tx: Transaction, group_id: int, by: str | None) -> tuple[int | None, str | None]:
    """Who acts as a manager: ``(member id, role in the group)``; ``(None, None)`` for host code.
    A holder of ``groups.manage`` acts as an owner would."""
    if by is None:
        return None, None
    member_id = _member_id(tx.conn, by)
    if member_id is None or not can_manage(gk, tx.conn, group_id, member_id):
        raise NotAllowed(_("only the group's owners and maintainers may do this"), user_id=by)
    role = role_in(tx.conn, group_id, member_id)
    return member_id, "owner" if holds_manage(gk, tx.conn, member_id) else role


def act(gk: GuildKit, group_id: int, action: str, user_id: str, *, by: str | None = None) -> Membership | None:
    """Take ``action`` about ``user_id``'s membership of the group; the membership after it
    (``None``: no longer involved). ``by``: who acts for a manager's action (``None``: host code)."""
    if not isinstance(action, str) or action not in transitions.ACTOR:
        raise ValidationError(_("%(field)s must be a membership action", field="action"), field="action")
    manager_action = transitions.ACTOR[action] == "manager"

    def body(tx: Transaction) -> Membership | None:
        group = lock_group(tx, group_id)
        manager_id, manager_role = _manager(gk, tx, group_id, by) if manager_action else (None, None)
        entering = transitions.TABLE.get((transitions.NONE, action)) is not None
        if entering:
            member_id: int | None = tx.members(user_id, active=False)[user_id]
        else:
            member_id = _member_id(tx.conn, user_id)
        row = _current(tx.conn, group_id, member_id)
        state = row.state if row is not None else transitions.NONE
        new = transitions.step(state, action)
        assert member_id is not None  # a member-less user is in state none, where only entering actions go
        if action in ("join", "request"):
            _check_policy(group, action)
        if new == "member":
            status = tx.conn.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.id == member_id))
            if status != "active":
                raise MemberInactive(user_id, str(status))
            _check_room(tx, group, member_id, user_id)
        if new == transitions.NONE and state == "member":
            _check_leaving(tx, group, row, action, manager_role)
        return _write(gk, tx, group, member_id, user_id, row, action, new, manager_id, by)

    result: Membership | None = gk.transaction(body)
    return result


def _write(
    gk: GuildKit,
    tx: Transaction,
    group: Any,
    member_id: int,
    user_id: str,
    row: Any,
    action: str,
    new: str,
    manager_id: int | None,
    by: str | None,
) -> Membership | None:
    conn, now = tx.conn, tx.now
    where = sa.and_(MEMBERSHIPS.c.group_id == group.id, MEMBERSHIPS.c.member_id == member_id)
    was_member = row is not None and row.state == "member"
    if new == transitions.NONE:
        conn.execute(MEMBERSHIPS.delete().where(where))
    elif row is None:
        conn.execute(MEMBERSHIPS.insert().values(group_id=group.id, member_id=member_id, state=new, role="member",
                                                 since=now, by_member=manager_id))  # fmt: skip
    else:
        conn.execute(MEMBERSHIPS.update().where(where).values(state=new, since=now, by_member=manager_id))
    change = int(new == "member") - int(was_member)
    if change:
        conn.execute(GROUPS.update().where(GROUPS.c.id == group.id).values(member_count=GROUPS.c.member_count + change))
    if transitions.ACTOR[action] == "manager":
        audit.write(conn, now, area=AREA, actor=by, action=f"group.{action}", target=user_id,
                    subject=f"group:{group.slug}")  # fmt: skip
    said = _told(action, group.name, by)
    if said is not None:
        tx.tell(member_id, said[0], said[1], subject=f"group:{group.id}", group=group.slug)
    if new == "member":
        joined(tx, group, member_id, user_id, "member", action, by)
        return Membership(group.id, member_id, user_id, new, "member", now, by)
    if new == transitions.NONE:
        return None
    return Membership(group.id, member_id, user_id, new, "member", now, by)


def _told(action: str, group_name: str, by: str | None) -> tuple[str, Said] | None:
    if action == "approve":
        return "groups.approved", Said(N_("Your request to join %(group)s was approved."), {"group": group_name})
    if action == "invite":
        return "groups.invited", Said(N_("You are invited to join %(group)s."), {"group": group_name})
    return None


def joined(tx: Transaction, group: Any, member_id: int, user_id: str, role: str, via: str, by: str | None) -> None:
    """A member is now in the group: the ``groups.joined`` activity, and the announcement."""
    tx.record(JOINED, key=f"{JOINED}:{group.id}:{user_id}:{tx.now.isoformat()}", actor=user_id,
              subject=f"group:{group.id}")  # fmt: skip
    tx.announce("group_joined", joined=GroupJoined(group.id, group.slug, group.name, user_id, member_id, role, via, by))


def add(gk: GuildKit, group_id: int, user_id: str, role: str) -> Membership:
    """Host code puts a member in a group (its own team), whatever the policy; capacity holds.
    A member already in it keeps their place with ``role``; a request or invitation becomes
    membership."""
    if role not in ROLES:
        raise ValidationError(_("%(field)s must be owner, maintainer or member", field="role"), field="role")

    def body(tx: Transaction) -> Membership:
        group = lock_group(tx, group_id)
        member_id = tx.members(user_id)[user_id]
        row = _current(tx.conn, group_id, member_id)
        where = sa.and_(MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.member_id == member_id)
        if row is not None and row.state == "member":
            if row.role != role:
                tx.conn.execute(MEMBERSHIPS.update().where(where).values(role=role))
            return Membership(group_id, member_id, user_id, "member", role, row.since, None)
        _check_room(tx, group, member_id, user_id)
        if row is None:
            tx.conn.execute(MEMBERSHIPS.insert().values(group_id=group_id, member_id=member_id, state="member",
                                                        role=role, since=tx.now))  # fmt: skip
        else:
            tx.conn.execute(MEMBERSHIPS.update().where(where).values(state="member", role=role, since=tx.now))
        tx.conn.execute(GROUPS.update().where(GROUPS.c.id == group_id).values(member_count=GROUPS.c.member_count + 1))
        joined(tx, group, member_id, user_id, role, "add", None)
        return Membership(group_id, member_id, user_id, "member", role, tx.now, None)

    result: Membership = gk.transaction(body)
    return result


def set_role(gk: GuildKit, group_id: int, user_id: str, role: str, *, by: str | None) -> Membership:
    """Make a member an owner, a maintainer or a plain member: owners (and ``groups.manage``,
    and host code) only; the last owner stays an owner."""
    if role not in ROLES:
        raise ValidationError(_("%(field)s must be owner, maintainer or member", field="role"), field="role")

    def body(tx: Transaction) -> Membership:
        group = lock_group(tx, group_id)
        _manager_id, manager_role = _manager(gk, tx, group_id, by)
        if by is not None and manager_role != "owner":
            raise NotAllowed(_("only an owner of the group may change roles"), user_id=by)
        member_id = _member_id(tx.conn, user_id)
        row = _current(tx.conn, group_id, member_id)
        if row is None or row.state != "member":
            raise MembershipRefused("group membership", row.state if row else "none", "set_role",
                                    message=_("this person is not a member of the group"))  # fmt: skip
        assert member_id is not None
        if row.role == "owner" and role != "owner":
            owners = tx.conn.scalar(
                sa.select(sa.func.count()).where(MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.state == "member",
                                                 MEMBERSHIPS.c.role == "owner")
            )  # fmt: skip
            if int(owners or 0) <= 1:
                said = _("the group needs an owner: make another member an owner first")
                raise MembershipRefused("group membership", "member", "set_role", message=said)
        if row.role != role:
            tx.conn.execute(
                MEMBERSHIPS.update()
                .where(MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.member_id == member_id)
                .values(role=role)
            )
            audit.write(tx.conn, tx.now, area=AREA, actor=by, action="group.role", target=user_id,
                        subject=f"group:{group.slug}", details={"from": row.role, "to": role})  # fmt: skip
        return Membership(group_id, member_id, user_id, "member", role, row.since, None)

    result: Membership = gk.transaction(body)
    return result
