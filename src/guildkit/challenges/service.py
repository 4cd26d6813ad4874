"""``gk.challenges``: make, read, join and close challenges; the job's upkeep.

Who may do what: anyone reads; an active member joins (themself, or a group of theirs to a
group challenge); a member with the ``challenges.manage`` permission (admins have it) makes and
closes any challenge, and a group's owner or maintainer (``gk.groups.can_manage``) those of
their group. ``by`` is that member's user id, or ``None`` for host code, which may name itself
with ``via=`` for the audit log (the CLI passes ``"cli"``, the job ``"job"``). Making and
closing write the audit log (area ``challenges``). Counting lives in :mod:`.progress`, rewards
in :mod:`.rewards`, the weekly series and the job in :mod:`.upkeep`.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import audit
from guildkit.activity import user_ref
from guildkit.challenges import badges, checks, group_service, reads, upkeep
from guildkit.challenges.errors import AlreadyJoined, UnknownChallenge
from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.challenges.views import ChallengeView, ParticipantView
from guildkit.errors import InvalidTransition, NotAllowed, UnknownMember, ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.reading import check_limit
from guildkit.store import upsert
from guildkit.text import single_line

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

CHALLENGES = table_of(Challenge)
STEPS = table_of(ChallengeStep)
PARTICIPANTS = table_of(ChallengeParticipant)
PROGRESS = table_of(ChallengeProgress)
PERMISSION = "challenges.manage"
AREA = "challenges"
#: How long the name host code gives itself (``via=``) may be: the audit log's ``actor``.
VIA_MAX = 191


class Challenges:
    """The challenges of one ``GuildKit`` (``gk.challenges``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- reading --------------------------------------------------------------------------

    def get(self, challenge_id: int) -> ChallengeView:
        """The challenge; :class:`UnknownChallenge` if there is none (or ``challenge_id`` cannot be an id)."""
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(reads.select_challenges().where(CHALLENGES.c.id == _challenge_id(challenge_id))).first()
            if row is None:
                raise UnknownChallenge(challenge_id)
            return reads.views(conn, [row], self.gk.clock())[0]

    def list(
        self, *, state: str | None = None, limit: int = 50, after: tuple[datetime, int] | None = None
    ) -> builtins.list[ChallengeView]:
        """Challenges in ``state`` (``running``, ``upcoming``, ``finished``; ``None``: all):
        the open ones soonest ending first, the finished ones latest ending first. ``after``: the
        ``(ends_at, id)`` of the last challenge of the previous page."""
        check_limit(limit, most=200)
        if state not in (None, "running", "upcoming", "finished"):
            raise ValidationError(_("%(field)s must be running, upcoming or finished", field="state"), field="state")
        if after is not None:
            after = _cursor(after)
        now = self.gk.clock()
        with self.gk.store.engine.connect() as conn:
            return reads.views(conn, reads.page(conn, state, now, limit, after), now)

    def participants(
        self, challenge_id: int, *, limit: int = 50, after: tuple[datetime, int] | None = None
    ) -> builtins.list[ParticipantView]:
        """Who takes part, in the order they joined; ``after``: the ``(joined_at, id)`` of the last one seen."""
        check_limit(limit, most=200)
        self.get(challenge_id)
        if after is not None:
            after = _cursor(after)
        with self.gk.store.engine.connect() as conn:
            return reads.participants(conn, challenge_id, limit, after)

    def progress(self, challenge_id: int, user_id: str | int) -> builtins.list[ParticipantView]:
        """The member's part in the challenge with each step's count: their own (an individual
        challenge) or their groups' (a group challenge); empty when they take part in neither."""
        self.get(challenge_id)
        member = self.gk.member(user_id)
        groups = group_service.service(self.gk)
        with self.gk.store.engine.connect() as conn:
            group_ids = groups.group_ids_of(conn, member.id) if groups is not None else []
            return reads.mine(conn, challenge_id, member.id, group_ids)

    # -- who may --------------------------------------------------------------------------

    def can_manage(self, user_id: str | int | None, group_id: int | None = None) -> bool:
        """Whether the member makes and closes challenges (of ``group_id``, or of everyone)."""
        group_id = checks.row_id(group_id, "group_id")
        member = self._member(user_id)
        if member is None or member.status != "active":
            return False
        if self.gk.has_permission(member.user_id, PERMISSION):
            return True
        groups = group_service.service(self.gk)
        if group_id is None or groups is None:
            return False
        with self.gk.store.engine.connect() as conn:
            return bool(groups.can_manage(conn, group_id, member.id))

    def managed_groups(self, user_id: str | int) -> builtins.list[int]:
        """The groups whose challenges the member makes (owner or maintainer): none without groups."""
        groups = group_service.service(self.gk)
        member = self._member(user_id)
        if groups is None or member is None:
            return []
        with self.gk.store.engine.connect() as conn:
            return [g for g in groups.group_ids_of(conn, member.id) if groups.can_manage(conn, g, member.id)]

    def _member(self, user_id: str | int | None) -> Member | None:
        """The member, or ``None`` for nobody or a host user who has not joined the community."""
        if user_id is None:
            return None
        try:
            return self.gk.member(user_id)
        except UnknownMember:
            return None

    def _actor(self, by: str | int | None, via: str | None, group_id: int | None) -> str | None:
        if by is None:
            return None if via is None else single_line(via, "via", VIA_MAX)
        if not self.can_manage(by, group_id):
            if (member := self._member(by)) is not None and member.status != "active":
                raise NotAllowed(_("member %(user)s is not active", user=repr(str(by))), user_id=str(by))
            raise NotAllowed(
                _("making and closing challenges needs the %(permission)s permission, or managing the group",
                  permission=repr(PERMISSION)),
                user_id=str(by),
            )  # fmt: skip
        return str(by)

    # -- changing -------------------------------------------------------------------------

    def check(self, **values: Any) -> checks.Checked:
        """A new challenge's fields checked, nothing saved: every bad field in one :class:`ValidationError`."""
        return checks.check(self.gk, values, max_steps=current_app.config["GUILDKIT_CHALLENGES_MAX_STEPS"])

    def create(self, by: str | int | None, *, via: str | None = None, **values: Any) -> ChallengeView:
        """Make a challenge. ``values``: ``title``, ``starts_at``, ``ends_at``, ``steps`` (a list
        of ``{"activity_type": ..., "count": ...}``), and optionally ``description``,
        ``audience`` (``individual`` or ``group``), ``group_id`` (a group's own challenge),
        ``ordered``, ``reward_points`` with ``reward_point_type``, ``award_badge`` (the
        challenge defines its badge) and ``recurrence`` (``none`` or ``weekly``)."""
        checked = self.check(**values)
        columns = checked.columns
        actor = self._actor(by, via, columns["group_id"])
        creator = self.gk.member(by).id if by is not None else None

        def body(conn: sa.Connection) -> int:
            now = self.gk.clock()
            challenge_id = int(
                conn.execute(
                    CHALLENGES.insert()
                    .values(**checked.columns, created_by=creator, created_at=now, revision=1)
                    .returning(CHALLENGES.c.id)
                ).scalar_one()
            )
            if checked.award_badge:
                slug = badges.slug_for(challenge_id)
                conn.execute(
                    CHALLENGES.update().where(CHALLENGES.c.id == challenge_id).values(badge=slug, defined_badge=slug)
                )
            conn.execute(
                STEPS.insert(),
                [
                    {
                        "challenge_id": challenge_id,
                        "position": position,
                        "activity_type": kind,
                        "count": count,
                        "audience": columns["audience"],
                        "starts_at": columns["starts_at"],
                        "ends_at": columns["ends_at"],
                        "open": True,
                    }
                    for position, (kind, count) in enumerate(checked.steps, start=1)
                ],
            )
            details = {**_jsonable(checked.columns), "steps": [list(step) for step in checked.steps],
                       "award_badge": checked.award_badge}  # fmt: skip
            audit.write(conn, now, area=AREA, actor=actor, action="challenge.create",
                        target=f"challenge:{challenge_id}", details=details)  # fmt: skip
            return challenge_id

        challenge_id: int = self.gk.store.run_write(body)
        if checked.award_badge:
            self.gk.reload_definitions()
        return self.get(challenge_id)

    def join(self, by: str | int, challenge_id: int, *, group_id: int | None = None) -> ParticipantView:
        """``by`` takes part in the challenge, or enters ``group_id`` (one of their groups) in a
        group challenge. Refused: a finished challenge (:class:`InvalidTransition`), taking part
        twice (:class:`AlreadyJoined`), a group one is not in (:class:`NotAllowed`)."""
        by = user_ref(by, "by")
        challenge = self.get(challenge_id)
        group_id = checks.row_id(group_id, "group_id")
        groups = None
        if challenge.audience == "individual":
            if group_id is not None:
                raise ValidationError(_("this challenge is for members, not groups: join it yourself"),
                                      field="group_id")  # fmt: skip
            if challenge.group_id is not None:
                groups = group_service.required(self.gk, "group_id")
        else:
            groups = group_service.required(self.gk, "group_id")
            group_id = group_id if group_id is not None else challenge.group_id
            if group_id is None:
                raise ValidationError(_("name the group you enter in this challenge"), field="group_id")
            if challenge.group_id is not None and group_id != challenge.group_id:
                raise NotAllowed(_("this challenge is for one group only, and not this one"))

        def body(tx: Transaction) -> int:
            conn = tx.conn
            member_id = tx.members(by)[by]
            tx.lock(CHALLENGES, challenge_id)  # a close waits for the joins before it, and they for it
            row = conn.execute(sa.select(CHALLENGES).where(CHALLENGES.c.id == challenge_id)).one()
            if row.closed_at is not None or row.ends_at <= tx.now:
                raise InvalidTransition("challenge", "finished", "join",
                                        message=_("this challenge has ended: it can no longer be joined"))  # fmt: skip
            if groups is not None:
                mine = groups.group_ids_of(conn, member_id)
                if group_id is not None and group_id not in mine:
                    raise NotAllowed(_("you can only enter a group you are a member of"), group_id=group_id)
                if group_id is None and challenge.group_id not in mine:
                    raise NotAllowed(_("this challenge is for the members of its group"))
            return _join(tx, row, member_id, group_id)

        participant_id: int = self.gk.transaction(body)
        with self.gk.store.engine.connect() as conn:
            return reads.one(conn, participant_id)

    def close(self, challenge_id: int, *, by: str | int | None = None, via: str | None = None) -> ChallengeView:
        """End a challenge now (or call off one not started): nothing counts toward it any more,
        what was completed stays, and a weekly series ends with it."""
        challenge = self.get(challenge_id)
        actor = self._actor(by, via, challenge.group_id)
        closer = self.gk.member(by).id if by is not None else None

        def body(conn: sa.Connection) -> None:
            now = self.gk.clock()
            row = conn.execute(sa.select(CHALLENGES).where(CHALLENGES.c.id == challenge_id).with_for_update()).one()
            if row.closed_at is not None or row.ends_at <= now:
                raise InvalidTransition("challenge", "finished", "close",
                                        message=_("this challenge has ended already"))  # fmt: skip
            conn.execute(
                CHALLENGES.update().where(CHALLENGES.c.id == challenge_id).values(closed_at=now, closed_by=closer)
            )
            conn.execute(STEPS.update().where(STEPS.c.challenge_id == challenge_id).values(open=False))
            conn.execute(
                PROGRESS.update().where(PROGRESS.c.challenge_id == challenge_id, PROGRESS.c.active).values(active=False)
            )
            audit.write(conn, now, area=AREA, actor=actor, action="challenge.close",
                        target=f"challenge:{challenge_id}")  # fmt: skip

        self.gk.store.run_write(body)
        return self.get(challenge_id)

    # -- the job ----------------------------------------------------------------------------

    def award_due(self, participant_id: int | None = None) -> int:
        """Reward the completed participants not rewarded yet (or only ``participant_id``):
        the groups just after their completion, and whatever a failure left; returns how many
        members were newly rewarded."""
        return upkeep.award_due(self.gk, checks.row_id(participant_id, "participant_id"))

    def upkeep(self) -> dict[str, Any]:
        """The job: open each weekly series' next week, stop the ended challenges' rows counting,
        and reward what is due. Safe to run at once in several processes."""
        return upkeep.run(self.gk)


def _challenge_id(value: object) -> int:
    """``value`` as a challenge id: what cannot be one names no challenge (:class:`UnknownChallenge`)."""
    try:
        found = checks.row_id(value, "challenge_id")
    except ValidationError:
        found = None
    if found is None:
        raise UnknownChallenge(value)
    return found


def _cursor(after: object) -> tuple[datetime, int]:
    """A page's ``after``: the ``(moment, id)`` of the last row of the page before."""
    if not (isinstance(after, tuple) and len(after) == 2 and isinstance(after[0], datetime)
            and after[0].utcoffset() is not None and checks.row_id(after[1], "after") is not None):  # fmt: skip
        raise ValidationError("after must be the (moment, id) of the last row seen", field="after")
    return after[0], after[1]


def _join(tx: Transaction, challenge: Any, member_id: int, group_id: int | None) -> int:
    """The participant and one progress row per step; :class:`AlreadyJoined` the second time."""
    conn = tx.conn
    key = ("challenge_id", "group_id") if group_id is not None else ("challenge_id", "member_id")
    steps = conn.execute(
        sa.select(STEPS.c.position, STEPS.c.activity_type, STEPS.c.count)
        .where(STEPS.c.challenge_id == challenge.id)
        .order_by(STEPS.c.position)
    ).all()
    inserted = conn.execute(
        upsert(tx.dialect, PARTICIPANTS, key, returning=("id",)).values(
            challenge_id=challenge.id, member_id=None if group_id is not None else member_id, group_id=group_id,
            joined_by=member_id, joined_at=tx.now, steps_done=0, steps_total=len(steps),
        )
    ).first()  # fmt: skip
    if inserted is None:
        message = (
            _("this group already takes part in this challenge")
            if group_id is not None
            else _("you already take part in this challenge")
        )
        raise AlreadyJoined(message, challenge_id=challenge.id)
    counts_from = max(tx.now, challenge.starts_at)
    conn.execute(
        PROGRESS.insert(),
        [
            {
                "participant_id": inserted.id, "position": step.position, "challenge_id": challenge.id,
                "member_id": None if group_id is not None else member_id, "group_id": group_id,
                "activity_type": step.activity_type, "target": step.count, "count": 0,
                "active": not challenge.ordered or step.position == 1, "counts_from": counts_from,
                "ends_at": challenge.ends_at,
            }
            for step in steps
        ],
    )  # fmt: skip
    return int(inserted.id)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: datetimes as ISO 8601."""
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}
