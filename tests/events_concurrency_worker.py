"""Worker side of the events concurrency tests: RSVPs (and a cancellation) from its own app.

Lives in its own module so ``multiprocessing`` (spawn) can import it in a fresh interpreter.
"""

from __future__ import annotations

from typing import Any

from guildkit import GuildKit
from guildkit.errors import InvalidTransition
from tests.concurrency_worker import host_app

#: One operation: ("rsvp", user_id, status) or ("cancel", user_id, reason).
Op = tuple[str, str, str]


def apply(gk: GuildKit, event_id: int, op: Op) -> str:
    """Run one operation; returns the RSVP status, ``cancelled``, or ``refused`` (event cancelled)."""
    kind, user_id, value = op
    try:
        if kind == "cancel":
            gk.events.cancel(event_id, user_id, value)
            return "cancelled"
        return gk.events.rsvp(event_id, user_id, value).status
    except InvalidTransition:
        return "refused"


def apply_slice(url: str, engine_options: dict[str, Any], event_id: int, ops: list[Op], barrier: Any) -> list[str]:
    """Wait for every worker, then run ``ops`` one transaction each."""
    app, gk = host_app(url, engine_options)
    with app.app_context():
        barrier.wait()
        outcomes = [apply(gk, event_id, op) for op in ops]
        gk.store.remove_session()
        gk.store.engine.dispose()
    return outcomes
