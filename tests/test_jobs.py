"""The jobs seam in one process: what plugins register (``guildkit_register_jobs``,
``guildkit_register_periodic_jobs``), the inline and thread backends, the schedule the host can
change, the commands, and the Celery app guildkit builds. Real Celery workers over a real Redis
are in test_jobs_celery.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ConfigurationError, DuplicateDefinition, PluginError, ValidationError
from guildkit.jobs import Job, PeriodicJob, UnknownJob
from guildkit.testing import make_app
from tests.plugins import qa_rules
from tests.plugins.jobs_probe import JobsProbe

SWEEPS = {
    "guildkit.trust.sweep": 86400.0,
    "guildkit.mentorship.sweep": 86400.0,
    "guildkit.moderation.sweep": 3600.0,
    "guildkit.moderation.detect_abuse": 3600.0,
    "guildkit.analytics.rollup": 900.0,
}


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"


@pytest.fixture
def probe() -> JobsProbe:
    return JobsProbe(failures=1)


@pytest.fixture
def gk_plugins(probe: JobsProbe) -> tuple[object, ...]:
    return (qa_rules, probe)


@pytest.fixture(autouse=True)
def _stop_job_threads(gk_app: Flask, gk: GuildKit) -> Any:
    yield
    assert gk.jobs.stop(), "a guildkit-jobs thread did not stop"


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: an interruptible wait between looks
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        pause.wait(0.05)


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["guildkit", *args])
    return result.exit_code, result.output


def test_plugins_register_jobs_and_the_features_register_their_sweeps(gk: GuildKit) -> None:
    registered = gk.jobs.registered()
    assert {"probe.award", "probe.flaky", *SWEEPS} <= set(registered)
    assert registered["probe.flaky"].max_retries == 2
    schedule = {(e.job, e.seconds, json.dumps(dict(e.arguments))) for e in gk.jobs.schedule()}
    assert {(name, seconds, "{}") for name, seconds in SWEEPS.items()} <= schedule
    assert ("probe.award", 300.0, '{"user": "ann", "key": "digest"}') in schedule


def test_the_thread_backend_runs_a_job_off_the_callers_thread(gk: GuildKit, probe: JobsProbe) -> None:
    assert gk.jobs.backend == "thread" and gk.jobs.threads() == []  # nothing starts until a job is queued
    gk.jobs.enqueue("probe.award", user="ann", key="k1")
    gk.jobs.enqueue("probe.award", user="ann", key="k1")  # a duplicate message: the key makes it a no-op
    assert gk.jobs.wait()
    assert gk.balances("ann") == {"reputation": 5}
    assert probe.threads and all(name.startswith("guildkit-jobs-") for name in probe.threads)
    assert len(gk.jobs.threads()) == 2  # GUILDKIT_JOBS_THREADS


def test_a_delayed_job_waits_and_a_failing_job_is_retried(gk: GuildKit, probe: JobsProbe) -> None:
    gk.jobs.enqueue("probe.award", user="bob", key="later", delay=1.0)
    assert gk.jobs.wait()  # nothing is due yet: a delayed job does not count as work in hand
    with pytest.raises(LookupError):
        gk.member("bob")  # not yet: the job is a second away
    gk.jobs.enqueue("probe.flaky")
    # It fails once, is tried again a second later, and succeeds.
    until(lambda: probe.flaky_runs == 2 and gk.jobs.wait())
    assert gk.balances("bob") == {"reputation": 5}


def test_inline_runs_at_once_and_run_returns_what_the_job_returned(gk_app: Flask, gk: GuildKit) -> None:
    gk_app.config["GUILDKIT_JOBS_BACKEND"] = "inline"
    gk.jobs.enqueue("probe.award", user="ann", key="inline")
    assert gk.balances("ann") == {"reputation": 5} and gk.jobs.threads() == []
    gk.jobs.enqueue("probe.award", user="ann", key="delayed", delay=60)  # left to the periodic jobs
    assert gk.balances("ann") == {"reputation": 5}
    assert gk.jobs.run("probe.award", user="ann", key="inline") == 5
    assert gk.jobs.run("probe.award", user="ann", key="second") == 10


def test_arguments_must_be_json_and_names_must_be_registered(gk: GuildKit) -> None:
    with pytest.raises(ValidationError, match="arguments must be JSON"):
        gk.jobs.enqueue("probe.award", user=object(), key="x")
    with pytest.raises(ValidationError, match="change on the way through JSON"):
        gk.jobs.run("probe.award", user=("a", "b"), key="x")
    with pytest.raises(UnknownJob, match=r"no job named 'probe\.nope'") as caught:
        gk.jobs.enqueue("probe.nope")
    assert isinstance(caught.value, LookupError)
    with pytest.raises(ConfigurationError, match="dotted lower-case"):
        Job("Sync", lambda gk: None)
    with pytest.raises(ConfigurationError, match="positive timedelta"):
        PeriodicJob("probe.award", timedelta(0))


def test_the_host_changes_the_schedule(gk_app: Flask, gk: GuildKit) -> None:
    gk_app.config["GUILDKIT_JOBS_SCHEDULE"] = {
        "guildkit.trust.sweep": 600,
        "guildkit.moderation.detect_abuse": None,
        "probe.flaky": 30,
    }
    schedule = {e.job: e.seconds for e in gk.jobs.schedule()}
    assert schedule["guildkit.trust.sweep"] == 600 and schedule["probe.flaky"] == 30
    assert "guildkit.moderation.detect_abuse" not in schedule
    gk_app.config["GUILDKIT_JOBS_SCHEDULE"] = {"guildkit.nothing": 5}
    with pytest.raises(ConfigurationError, match="no plugin registers"):
        gk.jobs.schedule()


def test_a_job_name_is_registered_once_and_a_schedule_names_a_real_job(gk: GuildKit) -> None:
    from guildkit import hookimpl

    class Twice:
        @hookimpl
        def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
            return [Job("probe.award", lambda gk: None)]

    gk.register(Twice(), name="twice")
    with pytest.raises(DuplicateDefinition, match=r"job 'probe\.award' is registered twice"):
        gk.jobs.registered()
    gk.pm.unregister(name="twice")

    class Wrong:
        @hookimpl
        def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[object]:
            return [PeriodicJob("wrong.missing", timedelta(hours=1)), "not a job"]

    gk.register(Wrong(), name="wrong")
    with pytest.raises((ConfigurationError, PluginError), match="wrong"):
        gk.jobs.schedule()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("GUILDKIT_JOBS_BACKEND", "rq", "must be one of inline, thread, celery"),
        ("GUILDKIT_JOBS_THREADS", 0, "positive integer"),
        ("GUILDKIT_JOBS_BACKEND", "celery", "needs GUILDKIT_JOBS_BROKER_URL"),
        ("GUILDKIT_JOBS_CELERY", {"BROKER_URL": "x"}, "lower-case"),
        ("GUILDKIT_JOBS_SCHEDULE", {"guildkit.trust.sweep": -1}, "positive number of seconds"),
    ],
)
def test_bad_config_fails_at_start_up(tmp_path: Path, key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message), make_app("sqlite", tmp_path, config={key: value}):
        pass


def test_the_jobs_plugin_is_part_of_the_core(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match=r"'guildkit\.jobs' is part of guildkit's core"),
        make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.jobs"]}),
    ):
        pass


def test_commands_list_and_run_jobs(gk_app: Flask, gk: GuildKit) -> None:
    code, out = run(gk_app, "jobs", "list")
    assert code == 0, out
    listed = json.loads(out)
    assert listed["backend"] == "thread"
    assert {"name": "probe.flaky", "description": "Fail, then succeed.", "max_retries": 2} in listed["jobs"]
    assert {"job": "guildkit.trust.sweep", "every_seconds": 86400.0, "arguments": {}} in listed["schedule"]
    code, out = run(gk_app, "jobs", "run", "probe.award", "-a", "user=ann", "-a", "key=cli")
    assert (code, json.loads(out)) == (0, 5)
    code, out = run(gk_app, "jobs", "run", "guildkit.trust.sweep")
    assert code == 0 and set(json.loads(out)) == {"evaluated", "promoted", "demoted"}
    code, out = run(gk_app, "jobs", "run", "guildkit.analytics.rollup")
    assert code == 0 and json.loads(out)["current"] is True
    code, out = run(gk_app, "jobs", "run", "probe.nope")
    assert code == 1 and "no job named 'probe.nope'" in out
    code, out = run(gk_app, "worker")
    assert code == 1 and "needs GUILDKIT_JOBS_BACKEND = 'celery'" in out


def test_the_celery_app_declares_every_task_to_survive_a_dead_worker(tmp_path: Path) -> None:
    config = {
        "GUILDKIT_JOBS_BACKEND": "celery",
        "GUILDKIT_JOBS_BROKER_URL": "redis://127.0.0.1:9/0",  # never contacted: nothing is sent
        "GUILDKIT_JOBS_CELERY": {"task_default_queue": "community"},
        "GUILDKIT_JOBS_SCHEDULE": {"guildkit.mentorship.sweep": None},
    }
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        celery = gk.jobs.celery()
        assert gk.jobs.celery() is celery
        assert celery.conf.broker_url == "redis://127.0.0.1:9/0" and celery.conf.task_default_queue == "community"
        assert celery.conf.accept_content == ["json"] and celery.conf.worker_prefetch_multiplier == 1
        task = celery.tasks["guildkit.trust.sweep"]
        assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, 3)
        assert task.autoretry_for == (Exception,) and task.retry_backoff and task.ignore_result
        beat = celery.conf.beat_schedule
        assert beat["guildkit.moderation.sweep"] == {
            "task": "guildkit.moderation.sweep",
            "schedule": 3600.0,
            "kwargs": {},
            "options": {"expires": 3600.0},
        }
        assert "guildkit.mentorship.sweep" not in beat
        assert celery.conf.beat_schedule_filename == str(Path(app.instance_path) / "guildkit-celerybeat-schedule")
        gk.register(JobsProbe(), name="late")  # a plugin registered later gets tasks too
        assert "probe.award" in gk.jobs.celery().tasks and "probe.award" not in celery.tasks
