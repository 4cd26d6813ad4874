"""Mentorship: ``gk.mentorship``, the one object hosts, the API and the pages talk to.

Every method takes host user ids. Writes validate their input first (:mod:`.checks`), then run
one transaction body from :mod:`.profiles` or :mod:`.lifecycle` in :meth:`GuildKit.transaction`,
which records the matching activities for the rule engine and announces ``mentorship_changed``
after the commit. Reads return frozen views (:mod:`.views`); matching lives in :mod:`.matching`.

.. code-block:: python

    gk.mentorship.offer("ada", topics=["python"], languages=["en"], timezone="Europe/London", capacity=2)
    m = gk.mentorship.request("bob", "ada", goals="Ship my first library")
    gk.mentorship.accept(m.id, by="ada")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.activity import user_ref
from guildkit.errors import NotAllowed, ValidationError, check_fields
from guildkit.i18n import gettext as _
from guildkit.mentorship import checks, lifecycle, profiles, sweep, views
from guildkit.mentorship.errors import UnknownMentor, UnknownMentorship
from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker, rank, score
from guildkit.mentorship.models import MENTORSHIP_STATES
from guildkit.mentorship.views import CheckInView, FeedbackView, MentorshipView
from guildkit.plugins import collecting_failures
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

__all__ = [
    "CheckInView",
    "FeedbackView",
    "MentorCandidate",
    "MentorScore",
    "MentorSeeker",
    "Mentorship",
    "MentorshipView",
]

#: The permission that lets a moderator read any mentorship and its check-ins, and end it.
MODERATE = "members.manage"

#: A lifecycle step to run on one (known) mentorship id in a transaction.
Body = Callable[["Transaction", int], object]


class Mentorship:
    """Mentor profiles, requests, matching and the lifecycle, for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- names and permissions -------------------------------------------------------------

    def name(self, user_id: str, display_name: str | None = None) -> str:
        """How to call a member in notifications: their display name, else the host's name for them."""
        user_id = user_ref(user_id)
        if display_name is not None:
            display_name = check_text(display_name, "display_name")
        else:
            display_name = self.gk.session.execute(
                sa.select(views.MEMBERS.c.display_name).where(views.MEMBERS.c.user_id == user_id)
            ).scalar()
        return display_name or self.gk.user_info(user_id).name

    def is_moderator(self, user_id: str | int | None) -> bool:
        if user_id is None:
            return False
        return self.gk.has_permission(user_id, MODERATE)

    # -- mentor profiles -------------------------------------------------------------------

    def offer(
        self,
        user_id: str | int,
        *,
        topics: Iterable[str],
        languages: Iterable[str],
        timezone: str,
        availability: str = "",
        capacity: int = 1,
        pitch: str = "",
        open: bool = True,
    ) -> MentorCandidate:
        """Create or update ``user_id``'s mentor profile; ``open=False`` opts out of new requests.

        Every bad field is refused at once (one :class:`~guildkit.errors.ValidationError` naming
        each). Opening needs the ``GUILDKIT_MENTOR_*`` eligibility
        (:class:`~guildkit.errors.NotAllowed` says what is missing).
        """
        given = self.check_offer(
            topics=topics, languages=languages, timezone=timezone, availability=availability, capacity=capacity,
            pitch=pitch, open=open,
        )  # fmt: skip
        eligibility = profiles.Eligibility.from_config(current_app.config)
        user = user_ref(user_id, "user_id")
        self.gk.transaction(lambda tx: profiles.offer(tx, user, given, eligibility))
        return self.profile(user)

    def check_offer(
        self,
        *,
        topics: Iterable[str],
        languages: Iterable[str],
        timezone: str,
        availability: str = "",
        capacity: int = 1,
        pitch: str = "",
        open: bool = True,
    ) -> profiles.ProfileInput:
        """The fields of :meth:`offer`, checked but not saved (a form's other fields, while one
        could not be read): every bad field at once."""
        most = current_app.config["GUILDKIT_MENTOR_MAX_CAPACITY"]
        return profiles.ProfileInput(
            **check_fields(
                {
                    "topics": lambda: checks.topics(topics, required=True),
                    "languages": lambda: checks.languages(languages),
                    "timezone": lambda: checks.timezone(timezone),
                    "availability": lambda: checks.text(
                        availability, "availability", max_length=checks.MAX_AVAILABILITY
                    ),
                    "capacity": lambda: checks.capacity(capacity, most),
                    "pitch": lambda: checks.text(pitch, "pitch", max_length=checks.MAX_PITCH),
                    "open": lambda: checks.flag(open, "open"),
                }
            )
        )

    def eligibility_gaps(self, user_id: str | int) -> list[str]:
        """What ``user_id`` still needs to offer mentoring (empty: nothing)."""
        eligibility = profiles.Eligibility.from_config(current_app.config)
        with self.gk.store.engine.connect() as conn:
            return eligibility.missing(conn, views.member_id(conn, user_ref(user_id, "user_id")), self.gk.clock())

    def profile(self, user_id: str | int) -> MentorCandidate:
        """A mentor's profile with free slots and record, open or not; :class:`UnknownMentor` if none."""
        found = views.candidates(self.gk.session, self.name, user_id=user_ref(user_id, "user_id"), only_open=False)
        if not found:
            raise UnknownMentor(user_ref(user_id, "user_id"))
        return found[0]

    def mentors(self) -> list[MentorCandidate]:
        """Open profiles of active members, by user id (full ones included)."""
        return views.candidates(self.gk.session, self.name)

    def suggest(
        self,
        seeker_user_id: str | int | None,
        *,
        topics: Iterable[str] = (),
        language: str | None = None,
        timezone: str | None = None,
        goals: str = "",
        limit: int = 10,
    ) -> list[tuple[MentorCandidate, MentorScore]]:
        """Mentors with a free slot, best match first, each with its score and reasons.

        The ``guildkit_mentor_score`` hook may replace each score; the seeker is never suggested
        to themself.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            raise ValidationError("limit must be a whole number from 1 to 100", field="limit")
        user = None if seeker_user_id is None else user_ref(seeker_user_id, "seeker_user_id")
        seeker = MentorSeeker(
            **check_fields(
                {
                    "topics": lambda: checks.topics(topics),
                    "language": lambda: checks.optional(checks.language, language, "language"),
                    "timezone": lambda: checks.optional(checks.timezone, timezone, "timezone"),
                    "goals": lambda: checks.text(goals, "goals"),
                }
            ),
            user_id=user,
        )
        now = self.gk.clock()
        scored = []
        failures: list[dict[str, Any]] = []
        for candidate in self.mentors():
            if candidate.user_id == user or candidate.free < 1:
                continue
            own = score(seeker, candidate, now)
            with collecting_failures(failures):
                theirs = self.gk.pm.hook.guildkit_mentor_score(
                    gk=self.gk, seeker=seeker, candidate=candidate, score=own
                )
            scored.append((candidate, own if theirs is None else theirs))
        if failures:
            self.gk.record_failures(failures)
        return rank(scored)[:limit]

    # -- the lifecycle ---------------------------------------------------------------------

    def request(
        self,
        mentee: str | int,
        mentor: str | int,
        *,
        goals: str,
        topics: Iterable[str] = (),
        language: str | None = None,
        timezone: str | None = None,
        message: str = "",
    ) -> MentorshipView:
        """``mentee`` asks ``mentor`` (who must offer mentoring and have a free slot)."""
        if user_ref(mentee, "mentee") == user_ref(mentor, "mentor"):
            raise ValidationError(_("you cannot be your own mentor"), field="mentor")
        given = lifecycle.RequestInput(
            mentee=user_ref(mentee, "mentee"),
            mentor=user_ref(mentor, "mentor"),
            **check_fields(
                {
                    "goals": lambda: checks.text(goals, "goals", required=True),
                    "topics": lambda: checks.topics(topics),
                    "language": lambda: checks.optional(checks.language, language, "language"),
                    "timezone": lambda: checks.optional(checks.timezone, timezone, "timezone"),
                    "message": lambda: checks.text(message, "message"),
                }
            ),
        )
        return self._view(self.gk.transaction(lambda tx: lifecycle.request(tx, given, self.name)))

    def accept(self, mentorship_id: int, by: str | int) -> MentorshipView:
        """The mentor accepts: counts against their capacity (:class:`~guildkit.errors.CapacityReached`)."""
        return self._run(mentorship_id, lambda tx, m: lifecycle.accept(tx, m, user_ref(by, "by"), self.name))

    def decline(self, mentorship_id: int, by: str | int, reason: str) -> MentorshipView:
        reason = checks.text(reason, "reason", required=True)
        return self._run(mentorship_id, lambda tx, m: lifecycle.decline(tx, m, user_ref(by, "by"), reason, self.name))

    def withdraw(self, mentorship_id: int, by: str | int) -> MentorshipView:
        return self._run(mentorship_id, lambda tx, m: lifecycle.withdraw(tx, m, user_ref(by, "by"), self.name))

    def start(self, mentorship_id: int, by: str | int) -> MentorshipView:
        return self._run(mentorship_id, lambda tx, m: lifecycle.start(tx, m, user_ref(by, "by"), self.name))

    def complete(self, mentorship_id: int, by: str | int) -> MentorshipView:
        """Confirm completion; it completes when both sides have (``waiting_for`` tells who is left)."""
        return self._run(mentorship_id, lambda tx, m: lifecycle.complete(tx, m, user_ref(by, "by"), self.name))

    def end(self, mentorship_id: int, by: str | int, reason: str) -> MentorshipView:
        """End early: either side, or a moderator (``members.manage``), with a reason."""
        reason = checks.text(reason, "reason", required=True)
        moderator = self.is_moderator(by)
        return self._run(
            mentorship_id, lambda tx, m: lifecycle.end(tx, m, user_ref(by, "by"), reason, moderator, self.name)
        )

    def check_in(self, mentorship_id: int, by: str | int, *, on: date, notes: str) -> CheckInView:
        """Note a meeting (the first one starts an accepted mentorship)."""
        on, notes = self.check_check_in(on=on, notes=notes)
        known = self._id(mentorship_id)
        check_in_id = self.gk.transaction(
            lambda tx: lifecycle.check_in(tx, known, user_ref(by, "by"), on, notes, self.name)
        )
        return views.check_ins(self.gk.session, known, 1, check_in_id + 1)[0]

    def check_check_in(self, *, on: object, notes: object) -> tuple[date, str]:
        """The fields of :meth:`check_in`, checked but not saved: every bad field at once."""
        today = self.gk.clock().astimezone(self.gk.state.zone).date()
        found = check_fields(
            {
                "on": lambda: checks.day(on, today),
                "notes": lambda: checks.text(notes, "notes", max_length=checks.MAX_NOTES, required=True),
            }
        )
        return found["on"], found["notes"]

    def check_feedback(self, *, rating: object, comment: object = "") -> tuple[int, str]:
        """The fields of :meth:`feedback`, checked but not saved: every bad field at once."""
        found = check_fields(
            {"rating": lambda: checks.rating(rating), "comment": lambda: checks.text(comment, "comment")}
        )
        return found["rating"], found["comment"]

    def feedback(self, mentorship_id: int, by: str | int, *, rating: int, comment: str = "") -> FeedbackView:
        """Each side rates the mentorship (1-5) once, after it completed or ended."""
        rating, comment = self.check_feedback(rating=rating, comment=comment)
        view = self._run(
            mentorship_id, lambda tx, m: lifecycle.feedback(tx, m, user_ref(by, "by"), rating, comment, self.name)
        )
        return next(f for f in views.feedback(self.gk.session, view) if f.author == user_ref(by, "by"))

    def sweep(self) -> dict[str, int]:
        """Expire old requests and record retained mentees; returns how many of each."""
        config = current_app.config
        request_days = config["GUILDKIT_MENTORSHIP_REQUEST_DAYS"]
        retained_days = config["GUILDKIT_MENTEE_RETAINED_DAYS"]
        return self.gk.transaction(
            lambda tx: {
                "expired": sweep.expire(tx, request_days, self.name),
                "retained": sweep.retain(tx, retained_days),
            }
        )

    # -- reading ---------------------------------------------------------------------------

    def get(self, mentorship_id: int, viewer: str | int | None) -> MentorshipView:
        """The mentorship, for its two members and moderators (:class:`NotAllowed` for others)."""
        found = self._view(self._id(mentorship_id))
        if found.role_of(None if viewer is None else str(viewer)) is None and not self.is_moderator(viewer):
            raise NotAllowed(_("only the mentor, the mentee and moderators may see this mentorship"))
        return found

    def check_ins(
        self, mentorship_id: int, viewer: str | int | None, *, limit: int = 100, before: int | None = None
    ) -> list[CheckInView]:
        """Check-ins, newest first: private to the pair and moderators."""
        found = self.get(mentorship_id, viewer)
        return views.check_ins(self.gk.session, found.id, limit, before)

    def feedback_for(self, mentorship_id: int, viewer: str | int | None) -> list[FeedbackView]:
        found = self.get(mentorship_id, viewer)
        return views.feedback(self.gk.session, found)

    def mentorships_of(
        self,
        user_id: str | int,
        role: str | None = None,
        states: Sequence[str] | None = None,
        *,
        limit: int = 50,
        before: int | None = None,
    ) -> list[MentorshipView]:
        """``user_id``'s mentorships (as ``"mentor"``, ``"mentee"`` or either), newest first."""
        if role not in (None, "mentor", "mentee"):
            raise ValidationError("role must be 'mentor' or 'mentee'", field="role")
        unknown = sorted(set(states or ()) - set(MENTORSHIP_STATES))
        if unknown:
            raise ValidationError(f"unknown states {unknown}; use {', '.join(MENTORSHIP_STATES)}", field="states")
        member_id = views.member_id(self.gk.session, user_ref(user_id, "user_id"))
        if member_id is None:
            return []
        return views.mentorships(
            self.gk.session, member_id=member_id, role=role, states=states, limit=limit, before=before
        )

    def inbox(self, mentor: str | int) -> list[MentorshipView]:
        """Requests waiting for ``mentor``'s answer, oldest first."""
        member_id = views.member_id(self.gk.session, user_ref(mentor, "mentor"))
        if member_id is None:
            return []
        return views.mentorships(
            self.gk.session, member_id=member_id, role="mentor", states=("requested",), limit=500, oldest_first=True
        )

    # -- helpers ---------------------------------------------------------------------------

    def _id(self, mentorship_id: object) -> int:
        known = checks.mentorship_id(mentorship_id)
        if known is None:
            raise UnknownMentorship(mentorship_id)  # type: ignore[arg-type]
        return known

    def _view(self, mentorship_id: int) -> MentorshipView:
        found = views.mentorship(self.gk.session, mentorship_id)
        if found is None:
            raise UnknownMentorship(mentorship_id)
        return found

    def _run(self, mentorship_id: int, body: Body) -> MentorshipView:
        known = self._id(mentorship_id)
        self.gk.transaction(lambda tx: body(tx, known))
        return self._view(known)
