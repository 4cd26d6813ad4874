"""The events tables as guildkit 0.1 left them (see guildkit/schema_0_1.py)."""

from guildkit.schema_0_1 import steps

revision, down_revision = "events_0001", None
upgrade, downgrade = steps("events")
