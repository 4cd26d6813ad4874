"""The moderation feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownCase(NotFound):
    """No moderation case with this id."""

    code = "unknown_case"

    def __init__(self, case_id: int) -> None:
        super().__init__(f"no moderation case with id {case_id!r}", case_id=case_id)
        self.case_id = case_id


class UnknownMediation(NotFound):
    """No mediation with this id."""

    code = "unknown_mediation"

    def __init__(self, mediation_id: int) -> None:
        super().__init__(f"no mediation with id {mediation_id!r}", mediation_id=mediation_id)
        self.mediation_id = mediation_id


class UnknownAppeal(NotFound):
    """No appeal with this id."""

    code = "unknown_appeal"

    def __init__(self, appeal_id: int) -> None:
        super().__init__(f"no appeal with id {appeal_id!r}", appeal_id=appeal_id)
        self.appeal_id = appeal_id
