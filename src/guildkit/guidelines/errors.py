"""The guidelines feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownGuidelines(NotFound):
    """No published guidelines with this version."""

    code = "unknown_guidelines"

    def __init__(self, version: int) -> None:
        super().__init__(f"no guidelines with version {version!r}", version=version)
        self.version = version
