"""Event records handed to "being told" hooks and signals (besides those in :mod:`.activity`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MemberJoined:
    user_id: str
    member_id: int


@dataclass(frozen=True)
class LevelChange:
    user_id: str
    point_type: str
    old_level: int
    new_level: int
    name: str


@dataclass(frozen=True)
class Announcement:
    """One after-commit event: the hook/signal name and its arguments (without ``gk``)."""

    name: str
    kwargs: dict[str, object]
