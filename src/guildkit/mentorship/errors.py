"""The mentorship feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownMentorship(NotFound):
    code = "unknown_mentorship"

    def __init__(self, mentorship_id: int) -> None:
        super().__init__(f"no mentorship with id {mentorship_id!r}", mentorship_id=mentorship_id)
        self.mentorship_id = mentorship_id


class UnknownMentor(NotFound):
    """No mentor profile (or one that is not open to new mentees) for this user."""

    code = "unknown_mentor"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} does not offer mentoring", user_id=user_id)
        self.user_id = user_id
