"""The objectives feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownObjective(NotFound):
    code = "unknown_objective"

    def __init__(self, objective_id: object) -> None:
        super().__init__(f"no objective with id {objective_id!r}", objective_id=objective_id)
        self.objective_id = objective_id
