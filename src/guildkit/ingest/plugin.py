"""The ``guildkit.ingest`` plugin: activities accepted now and recorded by a job soon after.

It answers the core's ``guildkit_accept_activity`` (``gk.record(..., wait=False)``, ``POST
/activities`` with ``Prefer: respond-async``) and ``guildkit_lookup_accepted`` (``GET
/activities/{key}``), and registers the ``guildkit.ingest.drain`` job with a periodic run that
catches what a lost wake-up left. Switch it off with ``GUILDKIT_PLUGINS_DENY =
["guildkit.ingest"]``: ``wait=False`` then raises ``AsyncUnavailable`` and the API records
``Prefer: respond-async`` requests at once (RFC 7240 lets a server ignore a preference).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from guildkit.activity import Accepted, ActivityInput
from guildkit.feature import Feature
from guildkit.ingest import inbox
from guildkit.ingest.models import InboxEntry
from guildkit.ingest.wakeup import DRAIN, wake
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def _drain(gk: GuildKit) -> dict[str, int | bool]:
    report = gk.ingest.drain()
    if report.more:
        wake(gk)  # a backlog: hand the thread or worker back, and carry on in another run
    return report.out()  # type: ignore[no-any-return]


class IngestFeature(Feature):
    name = "ingest"
    models = (InboxEntry,)
    services = {"ingest": "guildkit.ingest:Ingest"}
    commands = "guildkit.ingest.cli:COMMANDS"

    @hookimpl
    def guildkit_accept_activity(self, gk: GuildKit, activity: ActivityInput) -> Accepted:
        return gk.ingest.accept(activity)  # type: ignore[no-any-return]

    @hookimpl
    def guildkit_lookup_accepted(self, gk: GuildKit, key: str) -> Accepted | None:
        with gk.store.engine.connect() as conn:
            return inbox.lookup(conn, key)

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(DRAIN, _drain, "Record the activities accepted for later (the ingest inbox).", max_retries=5)]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Each accepted activity wakes a drain; this run only catches a wake-up that was lost
        # (a web process that died between its commit and queueing the drain).
        return [PeriodicJob(DRAIN, timedelta(seconds=10))]


plugin = IngestFeature()
