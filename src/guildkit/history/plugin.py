"""The ``guildkit.history`` plugin: importing history, ``gk.import_history`` and ``flask guildkit import``.

It has no tables: what it imports are activities, recorded through the core's pipeline (the
opening totals' rule is the core's, ``guildkit.builtin.opening``, so a replay of the stored
activities needs no feature). Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.history"]``.
"""

from __future__ import annotations

from guildkit.feature import Feature


class HistoryFeature(Feature):
    name = "history"
    services = {"import_history": "guildkit.history:HistoryImport"}
    commands = "guildkit.history.cli:COMMANDS"


plugin = HistoryFeature()
