"""Background jobs: a seam between the work plugins hand over and the engine that runs it.

A plugin registers :class:`Job` objects (``guildkit_register_jobs``) and, for work that recurs,
:class:`PeriodicJob` objects (``guildkit_register_periodic_jobs``); it queues a run with
``gk.jobs.enqueue(name, **arguments)`` after its transaction committed. The app's
``GUILDKIT_JOBS_BACKEND`` decides where jobs run: ``thread`` (the default: daemon threads in the
web process, no broker), ``inline`` (at once, in the caller) or ``celery`` (Celery workers over a
Redis broker, with beat sending the periodic jobs). See docs/jobs.md.
"""

from guildkit.jobs.definitions import Job, PeriodicJob, UnknownJob
from guildkit.jobs.service import Jobs

__all__ = ["Job", "Jobs", "PeriodicJob", "UnknownJob"]
