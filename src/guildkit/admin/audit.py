"""The actions the admin console writes to guildkit's audit log (:mod:`guildkit.audit`, area
``admin``), and the token actions it shows beside them; the audit page offers them as a filter."""

#: Every action the console writes, and the API token actions (area ``tokens``).
ACTIONS = (
    "award",
    "revoke",
    "badge.create",
    "badge.update",
    "badge.archive",
    "badge.unarchive",
    "badge.image",
    "role.create",
    "role.update",
    "role.grant",
    "role.revoke",
    "token.create",
    "token.revoke",
)
