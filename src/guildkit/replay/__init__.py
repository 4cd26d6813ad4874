"""Replaying the stored history under a rule set: what a rule change would change, and applying it.

:mod:`.scratch` replays the history into a throwaway database; :mod:`.state` reads and compares
what rules made of members; :mod:`.preview` is the dry run and :mod:`.apply` the reconciliation;
:mod:`.changes` is their front, ``gk.rules``, and :mod:`.commands` the ``flask guildkit rules``
commands. See docs/rules.md#changing-rules.
"""
