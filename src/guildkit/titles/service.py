"""``gk.titles``: a member chooses one badge they hold as their title, shown after their name.

Only a badge the member holds now (an award not revoked) may be chosen, and only while the
badge may be a title (not in ``GUILDKIT_TITLES_EXCLUDE``, still defined). The title shows in
words: the badge's name, with the tier of the highest level they hold for a tiered badge ("Gold
Answerer"). Whether it shows is decided when it is read, so a revoked badge stops showing at
once, with nothing written; choosing again, or clearing, replaces the row.

:meth:`Titles.shown` answers ``guildkit_member_flair`` for a whole page in one statement.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import flair
from guildkit.activity import user_ref
from guildkit.definitions import Flair
from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import BadgeAward, Member, table_of
from guildkit.store import upsert
from guildkit.titles.config import excluded
from guildkit.titles.models import MemberTitle

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

TITLES = table_of(MemberTitle)
AWARDS = table_of(BadgeAward)
MEMBERS = table_of(Member)


@dataclass(frozen=True)
class TitleChoice:
    """A badge a member may show as their title: its slug and its words."""

    badge: str
    text: str


class Titles:
    """The titles of one ``GuildKit`` (``gk.titles``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def choices(self, user_id: str | int) -> builtins.list[TitleChoice]:
        """The badges the member may choose now, in the order of their words."""
        member_id = self._member_id(user_id)
        if member_id is None:
            return []
        held = self.gk.session.execute(
            sa.select(AWARDS.c.badge_slug, sa.func.max(AWARDS.c.level))
            .where(AWARDS.c.member_id == member_id, AWARDS.c.revoked_at.is_(None))
            .group_by(AWARDS.c.badge_slug)
        ).all()
        found = [choice for slug, level in held if (choice := _choice(self.gk, slug, int(level))) is not None]
        return sorted(found, key=lambda c: (c.text.casefold(), c.badge))

    def chosen(self, user_id: str | int) -> TitleChoice | None:
        """The member's title as it shows now (``None``: none chosen, or no longer held)."""
        user = user_ref(user_id)
        piece = shown(self.gk, [user]).get(user)
        return None if piece is None else TitleChoice(str(piece.ref), piece.text)

    def choose(self, user_id: str | int, badge: str | None) -> TitleChoice | None:
        """Show ``badge`` as the member's title (``None``: show none); the title as it shows now.

        A badge the member does not hold now, or that may not be a title, is refused with a
        :class:`~guildkit.errors.ValidationError` naming ``badge``, and nothing is written.
        """
        user = user_ref(user_id)
        if badge is not None and not isinstance(badge, str):
            raise ValidationError(_("%(field)s must be a badge's slug or null", field="badge"), field="badge")

        def body(tx: Transaction) -> None:
            member_id = tx.conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user))
            if badge is None:
                if member_id is not None:
                    tx.conn.execute(TITLES.delete().where(TITLES.c.member_id == member_id))
                return
            level = None
            if member_id is not None:
                level = tx.conn.scalar(
                    sa.select(sa.func.max(AWARDS.c.level)).where(
                        AWARDS.c.member_id == member_id, AWARDS.c.badge_slug == badge, AWARDS.c.revoked_at.is_(None)
                    )
                )
            if member_id is None or level is None or _choice(self.gk, badge, int(level)) is None:
                raise ValidationError(_("You can only choose a badge you hold as your title."), field="badge")
            statement = upsert(tx.conn.dialect.name, TITLES, ("member_id",), ("badge", "chosen_at"))
            tx.conn.execute(statement, {"member_id": member_id, "badge": badge, "chosen_at": tx.now})

        self.gk.transaction(body)
        flair.forget(user)
        return self.chosen(user)

    def _member_id(self, user_id: str | int) -> int | None:
        found: Any = self.gk.session.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_ref(user_id)))
        return None if found is None else int(found)


def _choice(gk: GuildKit, slug: str, level: int) -> TitleChoice | None:
    """The badge ``slug`` at ``level`` as a title, in words (``None``: it may not be one)."""
    definition = gk.registry.badges.get(slug)
    if definition is None or slug in excluded(current_app.config):
        return None
    return TitleChoice(slug, definition.level_title(min(max(level, 1), len(definition.levels))))


def _badge_url(slug: str) -> str | None:
    from guildkit.web.pages import page_url  # the web layer loads only when a page asks

    return page_url("badge", slug=slug)


def shown(gk: GuildKit, user_ids: Sequence[str]) -> dict[str, Flair]:
    """The titles these members (host user ids as text, as ``guildkit_member_flair`` gets
    them) show now, as :class:`~guildkit.definitions.Flair`: one statement."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    held = (
        sa.select(MEMBERS.c.user_id, TITLES.c.badge, sa.func.max(AWARDS.c.level).label("level"))
        .join(TITLES, TITLES.c.member_id == MEMBERS.c.id)
        .join(
            AWARDS,
            sa.and_(
                AWARDS.c.member_id == TITLES.c.member_id,
                AWARDS.c.badge_slug == TITLES.c.badge,
                AWARDS.c.revoked_at.is_(None),
            ),
        )
        .where(MEMBERS.c.user_id.in_(wanted))
        .group_by(MEMBERS.c.user_id, TITLES.c.badge)
    )
    found: dict[str, Flair] = {}
    for user_id, slug, level in gk.session.execute(held):
        choice = _choice(gk, slug, int(level))
        if choice is not None:
            found[user_id] = Flair("title", choice.text, slug, _badge_url(slug))
    return found
