"""Streaks done properly: freezes that keep a streak through a missed day, and declared absences.

The core counts each streak in the member's own time zone (:class:`guildkit.metrics.Streak`) and
asks ``guildkit_streak_gap_bridged`` when a member comes back after missed days; this feature
answers it from a member's absences and freezes (see docs/streaks.md). ``gk.streaks`` is its
service (:class:`~guildkit.streaks.service.Streaks`).
"""

from guildkit.streaks.service import Streaks

__all__ = ["Streaks"]
