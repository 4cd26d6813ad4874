"""The mentorship lifecycle: the transition table, who may take each action, and the transaction bodies.

======================  ==========================================  ===============================
state                   action (who) → next state                   recorded activity
======================  ==========================================  ===============================
(none)                  request (mentee) → ``requested``            ``mentorship.requested``
``requested``           accept (mentor) → ``accepted``              ``mentorship.accepted``
                        decline (mentor, reason) → ``declined``     ``mentorship.declined``
                        withdraw (mentee) → ``withdrawn``           ``mentorship.withdrawn``
                        expire (the sweep) → ``expired``            ``mentorship.expired``
``accepted``            start (either) → ``active``                 ``mentorship.started``
                        check in (either) → ``active``              ``mentorship.started``, ``…checked_in``
                        end (either, or a moderator) → ``ended``    ``mentorship.ended``
``active``              check in (either) → ``active``              ``mentorship.checked_in``
                        complete (both, one after the other)        ``mentorship.completed``
                        → ``completed``
                        end (either, or a moderator) → ``ended``    ``mentorship.ended``
``completed``/``ended`` feedback (each side once)                   ``mentorship.feedback``
======================  ==========================================  ===============================

``declined``, ``expired``, ``withdrawn``, ``completed`` and ``ended`` are final. Each body runs
in :meth:`GuildKit.transaction`: it locks the mentorship row (then, for capacity, the mentor's
profile row: always in that order), checks who acts and from which state, writes, records the
activity (key ``mentorship.<event>:<id>``, so exactly once), notifies the other side and
announces ``mentorship_changed``. A mentor's slot is taken on accept and given back on
complete or end (see :mod:`guildkit.mentorship.models` for the database guard).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from guildkit.errors import CapacityReached, InvalidTransition, NotAllowed, ValidationError
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.mentorship import views
from guildkit.mentorship.errors import UnknownMentor, UnknownMentorship
from guildkit.mentorship.hookspecs import MentorshipChange
from guildkit.mentorship.models import OPEN_STATES
from guildkit.mentorship.views import CHECKINS, FEEDBACK, MENTORSHIPS, PROFILES, MentorshipView
from guildkit.notes import Said, Value
from guildkit.transaction import Transaction

#: ``(state, action) → next state``: every allowed move; any other pair is an InvalidTransition.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("requested", "accept"): "accepted",
    ("requested", "decline"): "declined",
    ("requested", "withdraw"): "withdrawn",
    ("requested", "expire"): "expired",
    ("accepted", "start"): "active",
    ("accepted", "check_in"): "active",
    ("accepted", "end"): "ended",
    ("active", "check_in"): "active",
    ("active", "complete"): "completed",
    ("active", "end"): "ended",
    ("completed", "feedback"): "completed",
    ("ended", "feedback"): "ended",
}

#: Who may take each action: ``mentor``, ``mentee``, ``party`` (either) or ``system`` (the sweep).
#: Moderators (``members.manage``) may also ``end`` any mentorship.
ACTORS: dict[str, str] = {
    "accept": "mentor",
    "decline": "mentor",
    "withdraw": "mentee",
    "expire": "system",
    "start": "party",
    "check_in": "party",
    "complete": "party",
    "end": "party",
    "feedback": "party",
}

FINAL_STATES = ("declined", "expired", "withdrawn", "completed", "ended")

#: How an action reads in "cannot … a mentorship that is <state>".
WORDS = {"check_in": "check in on", "feedback": "give feedback on", "complete": "complete", "expire": "expire"}

#: ``name(user_id)``: a member's name for notifications.
Name = Callable[[str], str]


@dataclass(frozen=True)
class RequestInput:
    """A validated request (see :mod:`.checks`)."""

    mentee: str
    mentor: str
    goals: str
    topics: tuple[str, ...]
    language: str | None
    timezone: str | None
    message: str


@dataclass(frozen=True)
class Step:
    """One action under way: the mentorship as locked, the actor's side and member id, the next state."""

    found: MentorshipView
    role: str | None
    actor_id: int | None
    next_state: str

    @property
    def other_id(self) -> int:
        return self.found.mentor_member_id if self.role == "mentee" else self.found.mentee_member_id


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition("mentorship", state, WORDS.get(action, action)) from None


def may(action: str, role: str | None, moderator: bool) -> None:
    """Raise :class:`NotAllowed` unless someone on ``role``'s side (or a moderator) may take ``action``."""
    needed = ACTORS[action]
    if role is not None and needed in ("party", role):
        return
    if action == "end" and moderator:
        return
    raise NotAllowed(_only_who_may(action), action=action)


def _only_who_may(action: str) -> str:
    """Whole sentences, so that each language can order "only …" and its verb its own way."""
    sentences: dict[str, str] = {
        "accept": _("only the mentor may accept this mentorship"),
        "decline": _("only the mentor may decline this mentorship"),
        "withdraw": _("only the mentee may withdraw this mentorship"),
        "expire": _("only guildkit itself may expire this mentorship"),
        "start": _("only the mentor or the mentee may start this mentorship"),
        "check_in": _("only the mentor or the mentee may check in on this mentorship"),
        "complete": _("only the mentor or the mentee may complete this mentorship"),
        "end": _("only the mentor or the mentee may end this mentorship"),
        "feedback": _("only the mentor or the mentee may give feedback on this mentorship"),
    }
    return sentences[action]


def begin(tx: Transaction, mentorship_id: int, by: str, action: str, moderator: bool = False) -> Step:
    """Lock the mentorship, then check who acts and whether ``action`` is allowed from its state."""
    tx.lock(MENTORSHIPS, mentorship_id)
    found = views.mentorship(tx.conn, mentorship_id)
    if found is None:
        raise UnknownMentorship(mentorship_id)
    role = found.role_of(by)
    may(action, role, moderator)
    new = next_state(found.state, action)
    actor_id = tx.members(by)[by]  # suspended or banned members may not take part
    return Step(found, role, actor_id, new)


def set_state(
    tx: Transaction, found: MentorshipView, new: str, by: str | None, reason: str = "", **values: Any
) -> None:
    tx.conn.execute(sa.update(MENTORSHIPS).where(MENTORSHIPS.c.id == found.id).values(state=new, **values))
    if new != found.state:
        change = MentorshipChange(found.id, found.mentor, found.mentee, found.state, new, by, reason)
        tx.announce("mentorship_changed", change=change)


def record(
    tx: Transaction,
    found: MentorshipView,
    event: str,
    *,
    actor: str | None,
    target: str | None,
    key: str | None = None,
    **payload: Any,
) -> None:
    tx.record(
        f"mentorship.{event}",
        key=key or f"mentorship.{event}:{found.id}",
        actor=actor,
        target=target,
        subject=f"mentorship:{found.id}",
        payload=payload,
    )


def tell(tx: Transaction, member_id: int, found: MentorshipView, message: str, **values: Value) -> None:
    """Tell the member ``message`` (marked with ``N_``), said in their language with ``values``."""
    tx.tell(member_id, "mentorship", Said(message, values), mentorship_id=found.id)


def take_slot(tx: Transaction, found: MentorshipView, name: Name) -> None:
    """Count the mentorship against the mentor's capacity: :class:`CapacityReached` when full."""
    profile_id = tx.conn.execute(
        sa.select(PROFILES.c.id).where(PROFILES.c.member_id == found.mentor_member_id)
    ).scalar()
    if profile_id is None:
        raise UnknownMentor(found.mentor)
    tx.lock(PROFILES, profile_id)
    taken = tx.conn.execute(
        sa.update(PROFILES)
        .where(PROFILES.c.id == profile_id, PROFILES.c.taken < PROFILES.c.capacity)
        .values(taken=PROFILES.c.taken + 1)
    )
    if taken.rowcount != 1:
        raise CapacityReached(_("%(name)s has no free mentee slots", name=name(found.mentor)), mentor=found.mentor)


def give_back_slot(tx: Transaction, found: MentorshipView) -> None:
    tx.conn.execute(
        sa.update(PROFILES)
        .where(PROFILES.c.member_id == found.mentor_member_id, PROFILES.c.taken > 0)
        .values(taken=PROFILES.c.taken - 1)
    )


# -- the bodies ------------------------------------------------------------------------------


def request(tx: Transaction, given: RequestInput, name: Name) -> int:
    """A mentee asks a mentor; returns the new mentorship's id."""
    profile = tx.conn.execute(
        sa.select(PROFILES.c.id, PROFILES.c.open)
        .join(views.MEMBERS, views.MEMBERS.c.id == PROFILES.c.member_id)
        .where(views.MEMBERS.c.user_id == given.mentor)
    ).first()
    if profile is None or not profile.open:
        raise UnknownMentor(given.mentor)
    ids = tx.members(given.mentee, given.mentor)
    tx.lock(PROFILES, profile.id)
    capacity, taken = tx.conn.execute(
        sa.select(PROFILES.c.capacity, PROFILES.c.taken).where(PROFILES.c.id == profile.id)
    ).one()
    already = tx.conn.execute(
        sa.select(MENTORSHIPS.c.id).where(
            MENTORSHIPS.c.mentor_id == ids[given.mentor],
            MENTORSHIPS.c.mentee_id == ids[given.mentee],
            MENTORSHIPS.c.state.in_(OPEN_STATES),
        )
    ).scalar()
    if already is not None:
        raise ValidationError(
            _("you already have an open mentorship with %(name)s (#%(id)s)", name=name(given.mentor), id=already),
            field="mentor",
        )
    if taken >= capacity:
        raise CapacityReached(_("%(name)s has no free mentee slots", name=name(given.mentor)), mentor=given.mentor)
    mentorship_id: int = tx.conn.execute(
        sa.insert(MENTORSHIPS)
        .returning(MENTORSHIPS.c.id)
        .values(
            mentor_id=ids[given.mentor],
            mentee_id=ids[given.mentee],
            state="requested",
            goals=given.goals,
            topics=list(given.topics),
            language=given.language,
            timezone=given.timezone,
            message=given.message,
            requested_at=tx.now,
        )
    ).scalar_one()
    found = views.mentorship(tx.conn, mentorship_id)
    assert found is not None
    record(tx, found, "requested", actor=given.mentee, target=given.mentor, topics=list(given.topics))
    tell(tx, ids[given.mentor], found, N_("%(name)s asked you to be their mentor."), name=name(given.mentee))
    tx.announce(
        "mentorship_changed",
        change=MentorshipChange(mentorship_id, given.mentor, given.mentee, None, "requested", given.mentee),
    )
    return mentorship_id


def accept(tx: Transaction, mentorship_id: int, by: str, name: Name) -> None:
    step = begin(tx, mentorship_id, by, "accept")
    found = step.found
    tx.members(found.mentee)  # the mentee must still be able to take part
    take_slot(tx, found, name)
    set_state(tx, found, step.next_state, by, decided_at=tx.now)
    record(tx, found, "accepted", actor=found.mentor, target=found.mentee)
    tell(tx, found.mentee_member_id, found, N_("%(name)s accepted your mentorship request."), name=name(found.mentor))


def decline(tx: Transaction, mentorship_id: int, by: str, reason: str, name: Name) -> None:
    step = begin(tx, mentorship_id, by, "decline")
    found = step.found
    set_state(tx, found, step.next_state, by, reason, decided_at=tx.now, end_reason=reason, ended_by=step.actor_id)
    record(tx, found, "declined", actor=found.mentor, target=found.mentee, reason=reason)
    said = N_("%(name)s declined your mentorship request: %(reason)s")
    tell(tx, found.mentee_member_id, found, said, name=name(found.mentor), reason=reason)


def withdraw(tx: Transaction, mentorship_id: int, by: str, name: Name) -> None:
    step = begin(tx, mentorship_id, by, "withdraw")
    found = step.found
    set_state(tx, found, step.next_state, by, decided_at=tx.now, ended_by=step.actor_id)
    record(tx, found, "withdrawn", actor=found.mentee, target=found.mentor)
    tell(tx, found.mentor_member_id, found, N_("%(name)s withdrew their mentorship request."), name=name(found.mentee))


def start(tx: Transaction, mentorship_id: int, by: str, name: Name) -> None:
    step = begin(tx, mentorship_id, by, "start")
    _start(tx, step, by)
    tell(tx, step.other_id, step.found, N_("%(name)s started your mentorship."), name=name(by))


def _start(tx: Transaction, step: Step, by: str) -> None:
    found = step.found
    set_state(tx, found, "active", by, started_at=tx.now)
    record(tx, found, "started", actor=by, target=found.other(by))


def check_in(tx: Transaction, mentorship_id: int, by: str, on: date, notes: str, name: Name) -> int:
    """A check-in (the first one starts an accepted mentorship); returns its id."""
    step = begin(tx, mentorship_id, by, "check_in")
    found = step.found
    check_in_id: int = tx.conn.execute(
        sa.insert(CHECKINS)
        .returning(CHECKINS.c.id)
        .values(mentorship_id=found.id, author_id=step.actor_id, held_on=on, notes=notes, created_at=tx.now)
    ).scalar_one()
    if found.state == "accepted":
        _start(tx, step, by)
    key = f"mentorship.checked_in:{found.id}:{check_in_id}"
    record(tx, found, "checked_in", actor=by, target=found.other(by), key=key, on=on.isoformat())
    tell(tx, step.other_id, found, N_("%(name)s added a check-in for %(day)s."), name=name(by), day=on)
    return check_in_id


def complete(tx: Transaction, mentorship_id: int, by: str, name: Name) -> None:
    """Confirm completion; the mentorship completes once both sides have confirmed."""
    step = begin(tx, mentorship_id, by, "complete")
    found, role = step.found, step.role
    assert role is not None
    if found.confirmed(role):
        raise InvalidTransition("mentorship", found.state, "confirm twice the completion of")
    other_role = "mentee" if role == "mentor" else "mentor"
    confirmed: dict[str, Any] = {f"{role}_confirmed_at": tx.now}
    if not found.confirmed(other_role):
        tx.conn.execute(sa.update(MENTORSHIPS).where(MENTORSHIPS.c.id == found.id).values(**confirmed))
        said = N_("%(name)s confirmed your mentorship is complete: confirm it too to finish.")
        tell(tx, step.other_id, found, said, name=name(by))
        return
    set_state(tx, found, step.next_state, by, **confirmed, ended_at=tx.now)
    give_back_slot(tx, found)
    record(tx, found, "completed", actor=found.mentor, target=found.mentee)
    tell(tx, step.other_id, found, N_("Your mentorship with %(name)s is complete. Well done!"), name=name(by))


def end(tx: Transaction, mentorship_id: int, by: str, reason: str, moderator: bool, name: Name) -> None:
    """End early (either side, or a moderator), with a reason."""
    step = begin(tx, mentorship_id, by, "end", moderator)
    found = step.found
    set_state(tx, found, step.next_state, by, reason, ended_at=tx.now, end_reason=reason, ended_by=step.actor_id)
    give_back_slot(tx, found)
    target = found.other(by) if step.role else None
    record(tx, found, "ended", actor=by, target=target, reason=reason, by=step.role or "moderator")
    for member_id in (step.other_id,) if step.role else (found.mentor_member_id, found.mentee_member_id):
        tell(tx, member_id, found, N_("%(name)s ended your mentorship: %(reason)s"), name=name(by), reason=reason)


def feedback(tx: Transaction, mentorship_id: int, by: str, rating: int, comment: str, name: Name) -> None:
    """One side's rating and comment, once, after the mentorship is over."""
    step = begin(tx, mentorship_id, by, "feedback")
    found = step.found
    given = tx.conn.execute(
        sa.select(FEEDBACK.c.id).where(FEEDBACK.c.mentorship_id == found.id, FEEDBACK.c.from_member_id == step.actor_id)
    ).first()
    if given is not None:
        raise InvalidTransition("mentorship", found.state, "give feedback twice on")
    tx.conn.execute(
        sa.insert(FEEDBACK).values(
            mentorship_id=found.id, from_member_id=step.actor_id, rating=rating, comment=comment, created_at=tx.now
        )
    )
    key = f"mentorship.feedback:{found.id}:{step.role}"
    record(tx, found, "feedback", actor=by, target=found.other(by), key=key, rating=rating)
    tell(tx, step.other_id, found, N_("%(name)s left feedback on your mentorship."), name=name(by))
