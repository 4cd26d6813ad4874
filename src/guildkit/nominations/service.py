"""``gk.nominations``: nominate a member for a badge, decide, withdraw, expire, and read.

Acting methods take ``by``, the host user id of the person acting (the nominator, an approver).
Each change is one transaction (:mod:`.lifecycle`) that writes the audit log (area
``nominations``). Reading methods return :class:`~.views.NominationView`; who may see what is
:func:`sees`, who may decide :func:`decides` (see ``docs/nominations.md``): the service asks
them by id (:meth:`Nominations.can_see`, :meth:`Nominations.may_decide`), the pages and the
API of views they loaded already.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.activity import user_ref
from guildkit.errors import FieldErrors, ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import RoleGrant, table_of
from guildkit.nominations import badges as nominatable
from guildkit.nominations import lifecycle, notices
from guildkit.nominations.errors import AlreadyVoted, DuplicateNomination, NotNominatable, UnknownNomination
from guildkit.nominations.models import REASON_MAX, STATES
from guildkit.nominations.views import MEMBERS, NOMINATIONS, VOTES, NominationView, load, select
from guildkit.reading import check_limit
from guildkit.text import check_row_id, check_text, is_row_id

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

GRANTS = table_of(RoleGrant)
#: Read every nomination, pending ones too (admins have it).
PERMISSION = "nominations.manage"
#: The largest id a nomination has: ids are 32-bit ``INTEGER`` columns (PostgreSQL refuses to
#: compare a larger number with one).


class Nominations:
    """The nominations of one ``GuildKit`` (``gk.nominations``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- what may be nominated ---------------------------------------------------------------

    def badges(self) -> builtins.list[nominatable.Nominatable]:
        """Every badge level members may nominate each other for, with what approving it takes."""
        return nominatable.options(self.gk)

    def problems(self) -> builtins.list[str]:
        """What in ``GUILDKIT_NOMINATIONS_BADGES`` the registry does not have (empty: all is well)."""
        return nominatable.problems(self.gk)

    # -- acting --------------------------------------------------------------------------------

    def check(
        self, by: str | int, nominee: object, *, badge: object, level: object = 1, reason: object
    ) -> lifecycle.NewNomination:
        """A nomination's fields checked (every bad one at once, in one :class:`ValidationError`),
        nothing written. A badge nobody may nominate for is refused as :class:`NotNominatable`."""
        nominator = user_ref(by, "by")
        found = FieldErrors()
        checked = found.check_all(
            {
                "nominee": lambda: self._nominee(nominator, nominee),
                "level": lambda: _level(level),
                "reason": lambda: _reason(reason),
            }
        )
        option, refused = None, None
        if "level" in checked:
            try:
                option = self._badge(badge, checked["level"])
            except ValidationError as exc:
                refused = exc
                found.add_error(exc, "badge")
        if option is not None and "nominee" in checked and self._holds(checked["nominee"], option.badge, option.level):
            found.add("badge", _("this member already holds this badge"))
        if isinstance(refused, NotNominatable) and list(found.errors) == ["badge"]:
            raise refused  # alone, the badge's own error: its code says what is wrong
        found.raise_if_any()
        assert option is not None
        return lifecycle.NewNomination(
            nominator, checked["nominee"], option.badge, option.level, checked["reason"], option.approvals,
            option.role, current_app.config["GUILDKIT_NOMINATIONS_EXPIRE_DAYS"],
        )  # fmt: skip

    def nominate(self, by: str | int, nominee: str | int, *, badge: str, level: int = 1, reason: str) -> NominationView:
        """Nominate ``nominee`` for ``badge`` (at ``level``) with a reason: a pending nomination that
        waits for its approvals. Refused: oneself, a badge nobody may nominate for, a badge level
        the nominee holds, a second pending nomination of them for it (:class:`DuplicateNomination`)."""
        new = self.check(by, nominee, badge=badge, level=level, reason=reason)
        repeatable = self.gk.registry.badges[new.badge].repeatable
        nomination_id: int = self._write(lambda tx: lifecycle.nominate(self.gk, tx, new, repeatable))
        return self.get(nomination_id)

    def approve(self, by: str | int, nomination_id: int, *, reason: str) -> NominationView:
        """Approve, as a holder of the nomination's role; the last approval it needs awards the badge."""
        return self._vote(by, nomination_id, "approve", reason)

    def reject(self, by: str | int, nomination_id: int, *, reason: str) -> NominationView:
        """Reject, as a holder of the nomination's role: one rejection ends it."""
        return self._vote(by, nomination_id, "reject", reason)

    def withdraw(self, by: str | int, nomination_id: int, *, reason: str = "") -> NominationView:
        """Take back a pending nomination, as the member who made it."""
        user = user_ref(by, "by")
        said = check_text(reason, "reason", max_length=REASON_MAX, empty=True).strip()
        self._write(lambda tx: lifecycle.withdraw(self.gk, tx, _id(nomination_id), user, said))
        return self.get(nomination_id)

    def expire(self, *, via: str | None = "job") -> int:
        """Expire every pending nomination past its time (the ``guildkit.nominations.expire`` job);
        returns how many."""
        expired: int = self._write(lambda tx: lifecycle.expire_due(self.gk, tx, via))
        return expired

    def _vote(self, by: str | int, nomination_id: int, decision: str, reason: str) -> NominationView:
        user = user_ref(by, "by")
        said = _reason(reason)
        self._write(lambda tx: lifecycle.vote(self.gk, tx, _id(nomination_id), user, decision, said))
        return self.get(nomination_id)

    def _write(self, body: Any) -> Any:
        try:
            return self.gk.transaction(body)
        except sa.exc.IntegrityError as exc:
            # Only reached when two writers raced past the checks: the database decided.
            text = str(exc.orig)
            if "uq_guildkit_nominations_pending" in text or "guildkit_nominations.nominee_id" in text:
                raise DuplicateNomination() from exc
            if "guildkit_nomination_votes" in text:
                raise AlreadyVoted(0) from exc
            raise

    # -- reading -------------------------------------------------------------------------------

    def get(self, nomination_id: int) -> NominationView:
        """The nomination, with its votes; :class:`UnknownNomination` if there is none."""
        found = self._load(select().where(NOMINATIONS.c.id == _id(nomination_id)))
        if not found:
            raise UnknownNomination(nomination_id)
        return found[0]

    def visible(self, nomination_id: int, viewer: str | int | None) -> NominationView:
        """The nomination if ``viewer`` may see it (:meth:`can_see`), else :class:`UnknownNomination`."""
        who = _viewer(viewer)
        found = self.get(nomination_id)
        if not sees(self.gk, found, who):
            raise UnknownNomination(nomination_id)
        return found

    def can_see(self, nomination_id: int, viewer: str | int | None) -> bool:
        """Whether ``viewer`` (a host user id; ``None``: nobody signed in) may see the nomination
        (:func:`sees`); :class:`UnknownNomination` if there is none."""
        who = _viewer(viewer)
        return sees(self.gk, self.get(nomination_id), who)

    def may_decide(self, nomination_id: int, viewer: str | int | None) -> bool:
        """Whether ``viewer`` may approve or reject the nomination now (:func:`decides`)."""
        who = _viewer(viewer)
        return decides(self.gk, self.get(nomination_id), who)

    def made_by(
        self, user_id: str | int, *, limit: int = 20, before: int | None = None
    ) -> builtins.list[NominationView]:
        """The nominations ``user_id`` made, newest first (``before``: an id, to page)."""
        member = self.gk.member(user_id)
        return self._page(NOMINATIONS.c.nominator_id == member.id, limit, before)

    def approved_of(
        self, user_id: str | int, *, limit: int = 20, before: int | None = None
    ) -> builtins.list[NominationView]:
        """The approved nominations of ``user_id``, newest first: public recognition."""
        member = self.gk.member(user_id)
        where = sa.and_(NOMINATIONS.c.nominee_id == member.id, NOMINATIONS.c.state == "approved")
        return self._page(where, limit, before)

    def list(
        self, *, state: str | None = None, limit: int = 20, before: int | None = None
    ) -> builtins.list[NominationView]:
        """Every nomination (in ``state``, as stored), newest first: for host code and managers."""
        if state is not None and state not in STATES:
            said = _("%(field)s must be one of %(choices)s", field="state", choices=", ".join(STATES))
            raise ValidationError(said, field="state")
        return self._page(sa.true() if state is None else NOMINATIONS.c.state == state, limit, before)

    def queue(self, user_id: str | int, *, limit: int = 20, after: int | None = None) -> builtins.list[NominationView]:
        """The pending nominations waiting for ``user_id``'s decision, oldest first (``after``: an
        id, to page): of a role they hold, neither of them nor by them, not voted on yet."""
        check_limit(limit, most=100)
        after = _page_id(after, "after")
        member = self.gk.member(user_id)
        if member.status != "active":
            return []
        roles = sa.select(GRANTS.c.role_slug).where(GRANTS.c.member_id == member.id, GRANTS.c.revoked_at.is_(None))
        voted = sa.select(VOTES.c.id).where(VOTES.c.nomination_id == NOMINATIONS.c.id, VOTES.c.approver_id == member.id)
        now = self.gk.clock()
        query = (
            select()
            .where(
                NOMINATIONS.c.state == "pending",
                sa.or_(NOMINATIONS.c.expires_at.is_(None), NOMINATIONS.c.expires_at > now),
                NOMINATIONS.c.role.in_(roles),
                NOMINATIONS.c.nominee_id != member.id,
                NOMINATIONS.c.nominator_id != member.id,
                ~sa.exists(voted),
            )
            .order_by(NOMINATIONS.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(NOMINATIONS.c.id > after)
        return self._load(query)

    def _page(self, where: sa.ColumnElement[bool], limit: int, before: int | None) -> builtins.list[NominationView]:
        check_limit(limit, most=100)
        before = _page_id(before, "before")
        query = select().where(where).order_by(NOMINATIONS.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(NOMINATIONS.c.id < before)
        return self._load(query)

    def _load(self, query: sa.Select[Any]) -> builtins.list[NominationView]:
        with self.gk.store.engine.connect() as conn:
            return load(conn, query, self.gk.clock())

    # -- checks --------------------------------------------------------------------------------

    def _nominee(self, nominator: str, nominee: object) -> str:
        if nominee is None or nominee == "":
            raise ValidationError(_("choose the member you nominate"), field="nominee")
        user = user_ref(nominee, "nominee")
        if user == nominator:
            raise ValidationError(_("you cannot nominate yourself"), field="nominee")
        status = self.gk.session.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.user_id == user))
        if status is None:
            raise ValidationError(_("%(field)s must be a member of the community", field="nominee"), field="nominee")
        if status != "active":
            raise ValidationError(_("this member is not active, so they cannot be nominated"), field="nominee")
        return user

    def _badge(self, badge: object, level: int) -> nominatable.Nominatable:
        if badge is None or badge == "":
            raise ValidationError(_("choose the badge you nominate them for"), field="badge")
        option = nominatable.find(self.gk, badge, level)
        if option is None:
            raise NotNominatable(badge if isinstance(badge, str) else repr(badge), level)
        return option

    def _holds(self, user_id: str, badge: str, level: int) -> bool:
        if self.gk.registry.badges[badge].repeatable:
            return False
        with self.gk.store.engine.connect() as conn:
            member_id = conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id))
            return member_id is not None and lifecycle.holds(conn, member_id, badge, level)


def sees(gk: GuildKit, nomination: NominationView, viewer: str | None) -> bool:
    """Whether ``viewer`` (a checked host user id; ``None``: nobody signed in) may see the
    nomination. Approved nominations are public recognition. The others (pending, rejected,
    withdrawn, expired) are seen by the nominator, by the holders of the approving role (but for
    the nominee), by who voted, and by those with ``nominations.manage``: not by the nominee."""
    if nomination.state == "approved":
        return True
    if viewer is None:
        return False
    if viewer == nomination.nominator or nomination.vote_of(viewer) is not None:
        return True
    if gk.has_permission(viewer, PERMISSION):
        return True
    return viewer != nomination.nominee and _holds_role(gk, viewer, nomination.role)


def decides(gk: GuildKit, nomination: NominationView, viewer: str | None) -> bool:
    """Whether ``viewer`` (a checked host user id) may approve or reject the nomination now: an
    active holder of its role, neither its nominee nor its nominator, who has not voted yet."""
    return (
        viewer is not None
        and nomination.state == "pending"
        and viewer not in (nomination.nominee, nomination.nominator)
        and nomination.vote_of(viewer) is None
        and _active(gk, viewer)
        and _holds_role(gk, viewer, nomination.role)
    )


def _holds_role(gk: GuildKit, user_id: str, role: str) -> bool:
    with gk.store.engine.connect() as conn:
        member_id = conn.scalar(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id))
        return member_id is not None and notices.holds_role(conn, member_id, role)


def _active(gk: GuildKit, user_id: str) -> bool:
    status = gk.session.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.user_id == user_id))
    return status == "active"


def _viewer(value: object) -> str | None:
    return None if value is None else user_ref(value, "viewer")


def _level(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
        raise ValidationError(_("%(field)s must be a badge level, a whole number from 1", field="level"), field="level")
    return value


def _reason(value: object) -> str:
    return check_text(value, "reason", max_length=REASON_MAX).strip()


def _id(value: object) -> int:
    if not is_row_id(value):
        raise UnknownNomination(value)
    return value


def _page_id(value: object, field: str) -> int | None:
    """``None``, or the id a page continues from."""
    return check_row_id(value, field)
