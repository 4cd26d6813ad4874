"""The analytics feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import Conflict, NotFound


class UnknownSurvey(NotFound):
    """No satisfaction survey with this id (HTTP 404)."""

    code = "unknown_survey"

    def __init__(self, survey_id: int) -> None:
        super().__init__(f"no survey with id {survey_id!r}", survey_id=survey_id)
        self.survey_id = survey_id


class AlreadyAnswered(Conflict):
    """The member already answered this survey: one response each (HTTP 409)."""

    code = "already_answered"

    def __init__(self, survey_id: int, user_id: str) -> None:
        message = f"member {user_id!r} already answered survey {survey_id}"
        super().__init__(message, survey_id=survey_id, user_id=user_id)
        self.survey_id = survey_id
        self.user_id = user_id
