"""A plugin with background jobs of its own, as a KPI rollup or a digest would register them.

``probe.award`` is idempotent the way jobs must be: it awards under a key of its own, so a
second run (a retry, a redelivered message) changes nothing. ``probe.flaky`` fails its first
``failures`` runs, to see retries.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from guildkit import GuildKit, hookimpl
from guildkit.jobs import Job, PeriodicJob


class JobsProbe:
    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.flaky_runs = 0
        self.threads: list[str] = []

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [
            Job("probe.award", self.award, "Award 5 reputation once per key."),
            Job("probe.flaky", self.flaky, "Fail, then succeed.", max_retries=2),
        ]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        return [PeriodicJob("probe.award", timedelta(minutes=5), {"user": "ann", "key": "digest"})]

    def award(self, gk: GuildKit, user: str, key: str) -> int:
        self.threads.append(threading.current_thread().name)
        gk.award(user, points=5, point_type="reputation", reason="a job", key=f"probe:{key}")
        return gk.balances(user)["reputation"]

    def flaky(self, gk: GuildKit) -> int:
        self.flaky_runs += 1
        if self.flaky_runs <= self.failures:
            raise RuntimeError(f"failing on purpose ({self.flaky_runs})")
        return self.flaky_runs
