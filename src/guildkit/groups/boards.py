"""The team board: groups ranked by their members' points over a period.

A group's score is the sum of its active members' points of one type over the board's period
(all time, this week, this month: the core's balance columns, :class:`guildkit.leaderboards.Board`),
or that sum per member (``by="average"``, rounded down). One aggregate read over the groups'
memberships and the balances; ties share a rank. A member in two groups counts for both.
(One group's own leaderboard is the core's, narrowed: ``gk.leaderboard(..., among=...)``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit import expiry, leaderboards
from guildkit.errors import UnknownPointType, ValidationError
from guildkit.groups.models import Group, GroupMembership
from guildkit.groups.views import GroupView, TeamStanding
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.reading import check_limit

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
MEMBERS = table_of(Member)
BALANCES = leaderboards.BALANCES
BY = ("total", "average")


def check(gk: GuildKit, point_type: object, period: object, by: object) -> None:
    if not isinstance(point_type, str) or point_type not in gk.registry.point_types:
        raise UnknownPointType(str(point_type))
    if period not in leaderboards.PERIODS:
        raise ValidationError(_("%(field)s must be all, week or month", field="period"), field="period")
    if by not in BY:
        raise ValidationError(_("%(field)s must be total or average", field="by"), field="by")


def team_board(gk: GuildKit, point_type: str, *, period: str, by: str, limit: int) -> list[TeamStanding]:
    check(gk, point_type, period, by)
    check_limit(limit, most=500)
    expiry.bring_up_to_date(gk, (point_type,))
    board = leaderboards.Board.of(point_type, period, gk.clock(), gk.state.zone)
    points = sa.func.coalesce(sa.func.sum(board.points), 0)
    query = (
        sa.select(GROUPS, sa.func.count(MEMBERSHIPS.c.member_id).label("members"), points.label("total"))
        .join(MEMBERSHIPS, MEMBERSHIPS.c.group_id == GROUPS.c.id)
        .join(MEMBERS, MEMBERS.c.id == MEMBERSHIPS.c.member_id)
        .outerjoin(BALANCES, sa.and_(BALANCES.c.member_id == MEMBERSHIPS.c.member_id, board.rows))
        .where(MEMBERSHIPS.c.state == "member", MEMBERS.c.status == "active")
        .group_by(*GROUPS.c)
    )
    rows = gk.store.read_session.execute(query).all()  # the read replica, when there is one
    scored = []
    for row in rows:
        total, members = int(row.total), int(row.members)
        score = total if by == "total" else total // members
        scored.append((score, total, members, row))
    scored.sort(key=lambda item: (-item[0], item[3].name, item[3].id))
    found: list[TeamStanding] = []
    for index, (score, total, members, row) in enumerate(scored[:limit]):
        rank = found[-1].rank if found and found[-1].score == score else index + 1
        found.append(TeamStanding(rank, GroupView.of(row), total, members, score))
    return found
