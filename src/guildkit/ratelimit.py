"""Ingestion rate limits per actor (``GUILDKIT_RATE_LIMITS``, docs/abuse.md#rate-limits).

A limit such as ``"30/minute"`` holds for activities one actor does: ``"*"`` counts all of them,
an activity type counts that type. Windows are fixed (``minute`` windows start on the minute)
and counted in two counters per actor and scope, ``rate:<scope>:window`` and
``rate:<scope>:count``, read and moved under the same member lock as the activities, so two
writers never both slip under a limit. An activity over a limit is refused with
:class:`~guildkit.errors.RateLimited` (HTTP 429 with ``Retry-After``) and, as the call is one
transaction, nothing of the call is stored. guildkit's own activity types (``guildkit.*``) and
activities without an actor are not limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from guildkit.errors import ConfigurationError, RateLimited

if TYPE_CHECKING:
    from guildkit.unit import Unit

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int
    text: str


def parse_limits(value: object) -> dict[str, Limit]:
    """``{"*": "120/hour", "answer.upvoted": "30/day"}`` → limits by scope; raises ConfigurationError."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError('GUILDKIT_RATE_LIMITS must map "*" or activity types to limits like "30/minute"')
    limits: dict[str, Limit] = {}
    for scope, spec in value.items():
        match = _SPEC.match(spec) if isinstance(spec, str) else None
        if not isinstance(scope, str) or match is None or int(match[1]) < 1:
            raise ConfigurationError(
                f"GUILDKIT_RATE_LIMITS[{scope!r}] must be a limit like '30/minute' "
                f"(a positive count per second, minute, hour or day), got {spec!r}"
            )
        limits[scope] = Limit(int(match[1]), UNITS[match[2]], spec.strip())
    return limits


class RateLimiter:
    def __init__(self, limits: Mapping[str, Limit]) -> None:
        self.limits = dict(limits)

    def check(self, unit: Unit, activities: Iterable[tuple[str, int | None, str | None]], now: datetime) -> None:
        """Count ``(type, actor member id, actor user id)`` against the limits; raise on the first over one.

        Call with the actors' rows locked; the counts are written with the unit.
        """
        limited = [(t, a, u) for t, a, u in activities if a is not None and not t.startswith("guildkit.")]
        if not self.limits or not limited:
            return
        names = self.counter_names({t for t, _, _ in limited})
        unit.prefetch_counters({(a, n) for _, a, _ in limited if a is not None for n in names})
        stamp = now.timestamp()
        for type_, actor, user in limited:
            assert actor is not None
            for scope in ("*", type_):
                limit = self.limits.get(scope)
                if limit is None:
                    continue
                window = int(stamp // limit.seconds)
                if unit.counter(actor, f"rate:{scope}:window") != window:
                    unit.set_counter(actor, f"rate:{scope}:window", window)
                    unit.set_counter(actor, f"rate:{scope}:count", 0)
                count = unit.counter(actor, f"rate:{scope}:count")
                if count >= limit.count:
                    retry = max(1, int((window + 1) * limit.seconds - stamp + 0.999))
                    raise RateLimited(str(user), scope, limit.text, retry)
                unit.set_counter(actor, f"rate:{scope}:count", count + 1)

    def counter_names(self, types: Iterable[str]) -> list[str]:
        scopes = [s for s in ("*", *types) if s in self.limits]
        return [f"rate:{s}:{part}" for s in scopes for part in ("window", "count")]
