"""The core pages and JSON API: members, badges, leaderboards, notifications and activity ingestion.

Registered like any feature (``guildkit.community``, see :mod:`.plugin`), but part of the core:
the deny list cannot switch it off.
"""
