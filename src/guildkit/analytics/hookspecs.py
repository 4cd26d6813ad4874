"""The hooks of the analytics feature.

Added to the plugin manager by the feature's plugin (``guildkit_add_hookspecs``). Other features
implement them with ``@hookimpl(optionalhook=True)``, since the host may switch analytics off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from guildkit.markers import hookspec

if TYPE_CHECKING:
    import sqlalchemy as sa

    from guildkit.extension import GuildKit


class Measure(NamedTuple):
    """One count per period of the "programmes" KPI: ``counter(start, end)`` is a scalar subquery."""

    name: str
    label: str
    counter: Callable[[datetime, datetime], sa.ScalarSelect[Any]]


@hookspec
def guildkit_register_analytics_measures(gk: GuildKit) -> Iterable[tuple[str, str, Callable[..., Any]]] | None:
    """Contribute counts to the "programmes" KPI (``gk.analytics.programmes``, the recognition page).

    Each is ``(name, label, count)``: ``name`` is the key in the JSON buckets and the CSV column,
    ``label`` says what it counts, and ``count(start, end)`` returns a SQL scalar subquery counting
    what happened from ``start`` (inclusive) to ``end`` (exclusive), both aware UTC datetimes.
    guildkit's mentorship, events and moderation features contribute theirs; the columns appear
    in order of registration.

    :param gk: the :class:`~guildkit.GuildKit`.
    :return: an iterable of ``(name, label, count)`` tuples, or ``None``.
    """
