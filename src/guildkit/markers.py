"""The pluggy markers for guildkit's project name: ``hookimpl`` for plugins (exported as
:data:`guildkit.hookimpl`) and ``hookspec`` for the modules that declare hooks.

A module of its own with nothing else in it, so that any module can mark hooks without
importing the machinery that calls them.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("guildkit")
hookspec = pluggy.HookspecMarker("guildkit")
