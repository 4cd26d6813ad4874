"""The challenges feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import Conflict, NotFound


class UnknownChallenge(NotFound):
    code = "unknown_challenge"

    def __init__(self, challenge_id: object) -> None:
        super().__init__(f"no challenge {challenge_id!r}", challenge_id=challenge_id)
        self.challenge_id = challenge_id


class AlreadyJoined(Conflict):
    """The member (or the group) already takes part in this challenge."""

    code = "already_joined"
