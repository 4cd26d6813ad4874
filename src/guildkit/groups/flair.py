"""Group flair: a member shows one of their groups after their name (``docs/groups.md``, "Flair").

The choice is ``flair`` on the member's membership row (a partial unique index keeps it to one
group per member), so it shows only while they are a member, and leaving the group (or being
removed, or erased) deletes the row and the flair with it. Choosing moves the mark in one
transaction: off every other membership of theirs, onto this one.

:func:`shown` answers ``guildkit_member_flair`` for a whole page in one statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import flair
from guildkit.activity import user_ref
from guildkit.definitions import Flair
from guildkit.errors import ValidationError
from guildkit.groups.models import Group, GroupMembership
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.text import require_row_id
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
MEMBERS = table_of(Member)


def _theirs(user_ids: list[str]) -> sa.Select[Any]:
    return (
        sa.select(MEMBERS.c.user_id, GROUPS.c.id, GROUPS.c.name, GROUPS.c.slug)
        .join(MEMBERSHIPS, MEMBERSHIPS.c.member_id == MEMBERS.c.id)
        .join(GROUPS, GROUPS.c.id == MEMBERSHIPS.c.group_id)
        .where(MEMBERS.c.user_id.in_(user_ids), MEMBERSHIPS.c.state == "member", MEMBERSHIPS.c.flair)
    )


def shown(gk: GuildKit, user_ids: list[str]) -> dict[str, Flair]:
    """The groups these members show after their names: one statement for them all."""
    if not user_ids:
        return {}
    rows = gk.session.execute(_theirs(user_ids)).all()
    return {
        user_id: Flair("group", name, group_id, page_url("group", group=slug)) for user_id, group_id, name, slug in rows
    }


def chosen(gk: GuildKit, user_id: str | int) -> int | None:
    """The id of the group the member shows (``None``: none)."""
    user = user_ref(user_id)
    with gk.store.engine.connect() as conn:
        row = conn.execute(_theirs([user])).first()
    return None if row is None else int(row.id)


def choose(gk: GuildKit, user_id: str | int, group_id: int | None) -> int | None:
    """Show the group ``group_id`` after the member's name (``None``: none); the group shown now.

    Only a group they are a member of: any other (or no such group) is refused with a
    :class:`~guildkit.errors.ValidationError` naming ``group``, and nothing is written.
    """
    user = user_ref(user_id)
    if group_id is not None:
        try:
            group_id = require_row_id(group_id, "group")
        except ValidationError:
            raise ValidationError(_("Choose one of your groups."), field="group") from None

    def body(tx: Transaction) -> None:
        member_id = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user))
        if group_id is not None:
            state = None
            if member_id is not None:
                state = tx.conn.scalar(
                    sa.select(MEMBERSHIPS.c.state).where(
                        MEMBERSHIPS.c.member_id == member_id, MEMBERSHIPS.c.group_id == group_id
                    )
                )
            if state != "member":
                raise ValidationError(_("Choose one of your groups."), field="group")
        if member_id is None:
            return
        mine = MEMBERSHIPS.c.member_id == member_id
        # Off first, then on: the unique index never sees two at once.
        tx.conn.execute(MEMBERSHIPS.update().where(mine, MEMBERSHIPS.c.flair).values(flair=False))
        if group_id is not None:
            tx.conn.execute(MEMBERSHIPS.update().where(mine, MEMBERSHIPS.c.group_id == group_id).values(flair=True))

    gk.transaction(body)
    flair.forget(user)
    return chosen(gk, user)
