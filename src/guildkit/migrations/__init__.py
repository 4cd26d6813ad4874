"""guildkit's Alembic migration scripts; run them with :mod:`guildkit.migrate`."""
