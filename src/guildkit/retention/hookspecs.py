"""The hook of the retention policy (``guildkit.retention``, part of the core).

Added to the plugin manager by its plugin (``guildkit_add_hookspecs``); it is never switched
off, so implementations need no ``optionalhook``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from guildkit.markers import hookspec

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookspec
def guildkit_register_retained_payload(gk: GuildKit) -> Mapping[str, Iterable[str]] | None:
    """Contribute the payload fields that must outlive compaction: ``{activity type: [field, ...]}``.

    Compaction (``GUILDKIT_RETENTION_DAYS``) drops an old activity's payload. A plugin that reads
    payload fields of stored activities later (not only while recording them) names those fields
    here, and they are kept; trust does it for its ``payload_sum:<field>`` criteria. They are
    added to ``GUILDKIT_RETENTION_KEEP_PAYLOAD``. Called in the app's context each time
    compaction runs; an exception fails the run before it changes anything.

    :param gk: the :class:`~guildkit.GuildKit` instance.
    :return: activity types mapped to the payload fields to keep, or ``None``.
    """
