"""Notification emails sent by real Celery workers: a real redis-server (scripts/redis.sh exports
``GUILDKIT_TEST_REDIS_URL``), worker and beat processes started by tests/test_jobs_celery.py's
``world_for`` (the worker app is tests/jobs_celery_app.py), and a real SMTP server (aiosmtpd,
tests/smtp_server.py) the workers deliver to. The test and the workers share one database
(SQLite file, or a PostgreSQL schema).

* an activity recorded by the web process wakes the send job through Celery, and a worker emails
  what the member chose by email: plain text and HTML, the list headers, and an unsubscribe link
  that works when the web app is asked for it;
* beat sends the digest job, two workers run it again and again, and each member gets one
  digest for the week;
* a server answering 451 leaves the email queued for its retry, which a later run sends once; a
  recipient refused with 550 is recorded as failed; nothing is marked sent that was not.

The worker's part of the setup is :func:`worker_setup`, which the worker app calls: what JSON
cannot carry (the address loader, guildkit's pages mounted for the links, the shared clock).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from guildkit_webhooks.testing import poll, serve_receiver

from guildkit import GuildKit
from guildkit.models import Notification
from guildkit.notifications.models import NotificationDelivery, NotificationDigest
from guildkit.web import make_blueprint
from tests.plugins import qa_rules
from tests.smtp_server import Inbox, free_port, serving
from tests.test_email import parts
from tests.test_jobs_celery import PATIENCE, World, world_for
from tests.webclient import PREFIX, mount

pytestmark = pytest.mark.slow
T = TypeVar("T")

SEND = "guildkit.notifications.send"
DIGEST = "guildkit.notifications.digest"
SITE = "https://community.example.org"
SENDER = "Example community <community@example.org>"
#: The host's users' addresses, given to the worker in its settings (JSON): its loader reads them.
ADDRESSES = {"ann": "Ann Author <ann@example.org>", "bob": "bob@example.org", "cat": "cat@example.org"}
#: Sunday evening in the community's time zone (UTC): the week of Monday 5 January 2026 ends soon.
SUNDAY = datetime.fromisoformat("2026-01-11T20:00:00+00:00")


class SharedClock:
    """The moment both processes take for "now", kept in a file: the test moves the worker's
    clock too (a retry's backoff, a week's end) without waiting for it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        return datetime.fromisoformat(self.path.read_text())

    def set(self, moment: datetime) -> None:
        part = self.path.with_suffix(".part")
        part.write_text(moment.isoformat())
        os.replace(part, self.path)  # a reader sees the old moment or the new one, never half

    def advance(self, **delta: float) -> None:
        self.set(self() + timedelta(**delta))


def worker_setup(app: Flask, gk: GuildKit) -> None:
    """In each worker and beat process (tests/jobs_celery_app.py calls it): what the host's worker
    app has and JSON cannot carry."""
    app.config["GUILDKIT_EMAIL_ADDRESS_LOADER"] = dict(app.config["TEST_EMAIL_ADDRESSES"]).get
    gk.clock = SharedClock(Path(app.config["TEST_CLOCK_FILE"]))
    gk.register(qa_rules)  # the host's rules: the badges' names in the emails
    app.register_blueprint(make_blueprint(), url_prefix=PREFIX)  # the links in emails point at its pages


class Gatekeeper(Inbox):
    """The SMTP server's handler: it refuses the message with :attr:`refuse` while that is set,
    and recipients in :attr:`unknown` for good; what it takes it keeps, as :class:`Inbox` does."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse: str | None = None
        self.unknown: set[str] = set()
        self.refused = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse is not None:
            with self.lock:
                self.refused += 1
            return self.refuse
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Mailroom:
    """The web side (``world.app``, ``world.gk``, a test ``client`` of its pages), the SMTP server
    the workers deliver to, and the clock both sides read."""

    world: World
    client: FlaskClient
    smtp: Gatekeeper
    clock: SharedClock

    @property
    def gk(self) -> GuildKit:
        return self.world.gk

    def runs(self, job: str) -> int:
        """How many runs of ``job`` the workers finished (Celery logs each at INFO)."""
        done = re.compile(rf"Task {re.escape(job)}\[[^\]]+\] succeeded")
        return sum(len(done.findall(p.log.read_text(errors="replace"))) for p in self.world.processes)

    def wait(self, check: Callable[[], T]) -> T:
        """``check()`` once it is truthy; else fail with what the workers logged."""
        try:
            return poll(check, timeout=PATIENCE)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.rows()}\n{self.world.logs()}") from None

    def rows(self) -> list[tuple[str, str, str, int, str | None]]:
        """Each email's row: (recipient, kind, state, attempts, error)."""
        d, n = NotificationDelivery, Notification
        with self.gk.store.engine.connect() as conn:
            found = conn.execute(
                sa.select(n.member_id, d.kind, d.state, d.attempts, d.error)
                .join(n, n.id == d.notification_id)
                .order_by(d.id)
            ).all()
        users = {self.gk.member(user).id: user for user in ADDRESSES}
        return [(users[row.member_id], row.kind, row.state, row.attempts, row.error) for row in found]


@contextmanager
def mailroom(backend: str, tmp_path: Path, **extra: Any) -> Iterator[Mailroom]:
    clock = SharedClock(tmp_path / "clock")
    clock.set(SUNDAY)
    port = free_port()
    settings = {
        "SECRET_KEY": "one key for the web app and the workers: it signs the unsubscribe links",
        "GUILDKIT_EMAIL_FROM": SENDER,
        "GUILDKIT_EMAIL_SMTP_HOST": "127.0.0.1",
        "GUILDKIT_EMAIL_SMTP_PORT": port,
        "GUILDKIT_EMAIL_SMTP_SECURITY": "none",
        "GUILDKIT_EMAIL_SMTP_TIMEOUT": 5.0,
        "GUILDKIT_EMAIL_SITE_URL": SITE,
        "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 0,
        "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": 0.01,
        "TEST_JOBS_SETUP": f"{__name__}:worker_setup",
        "TEST_EMAIL_ADDRESSES": ADDRESSES,
        "TEST_CLOCK_FILE": str(clock.path),
        **extra,
    }
    smtp = Gatekeeper()
    with (
        serve_receiver() as slack,
        serving(smtp, port),
        contextmanager(world_for)(backend, tmp_path, slack, settings) as world,
    ):
        world.gk.clock = clock
        world.gk.register(qa_rules)
        client = mount(world.app, world.gk)
        for user in ADDRESSES:
            world.gk.join(user, name=user.title())
        yield Mailroom(world, client, smtp, clock)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_worker_emails_what_a_member_chose_by_email(backend: str, tmp_path: Path) -> None:
    with mailroom(backend, tmp_path) as room:
        gk, smtp = room.gk, room.smtp
        gk.notifier.set_preferences("ann", {"badge_awarded": "email"})
        room.world.start("worker")
        gk.record("answer.posted", actor="ann", key="post:1")  # First Answer: recording wakes the send job
        assert gk.jobs.threads() == []  # the web process queued it and sent nothing itself

        [(recipients, message)] = room.wait(lambda: smtp.received)
        assert recipients == ["ann@example.org"]
        assert (message["To"], message["From"]) == (ADDRESSES["ann"], SENDER)
        assert message["Subject"] == "You earned First Answer"
        assert message.get_content_type() == "multipart/alternative"
        text = parts(message)
        assert set(text) == {"text/plain", "text/html"}
        plain = text["text/plain"].splitlines()
        assert plain[0] == "You earned First Answer"
        assert '<p style="font-size: 1.1rem;">You earned First Answer</p>' in text["text/html"]
        assert "“You earn a badge”" in text["text/plain"]  # the kind in words, never its name
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header = str(message["List-Unsubscribe"])
        assert header.startswith(f"<{SITE}{PREFIX}/notifications/unsubscribe/") and header.endswith(">"), header
        link = header[1:-1]
        assert f"Stop these emails: {link}" in plain and f'href="{link}"' in text["text/html"]
        room.wait(lambda: room.rows() == [("ann", "badge_awarded", "sent", 1, None)])

        # The worker signed the link; the web app honours it, with no sign-in and no CSRF token.
        path = urlsplit(link).path
        shown = room.client.get(path)
        assert shown.status_code == 200 and "“You earn a badge”" in shown.get_data(as_text=True)
        assert gk.notifier.preferences("ann").delivery("badge_awarded") == "email"  # a GET changes nothing
        done = room.client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058's one-click POST
        assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
        assert gk.notifier.preferences("ann").delivery("badge_awarded") == "app"

        # Next: Bronze Answerer (no longer by email) and Novice (chosen by email) in one commit.
        gk.notifier.set_preferences("ann", {"level_up": "email"})
        gk.record("answer.posted", actor="ann", key="post:2")
        room.wait(lambda: len(smtp.received) == 2)
        assert [str(m["Subject"]) for m in smtp.messages] == ["You earned First Answer", "You reached Novice"]
        room.wait(
            lambda: room.rows() == [("ann", "badge_awarded", "sent", 1, None), ("ann", "level_up", "sent", 1, None)]
        )


def test_beat_sends_the_digest_job_and_each_member_gets_one_digest(backend: str, tmp_path: Path) -> None:
    with mailroom(backend, tmp_path, GUILDKIT_JOBS_SCHEDULE={DIGEST: 1.0}) as room:
        gk, smtp = room.gk, room.smtp
        for user in ("ann", "bob"):
            gk.notifier.set_preferences(user, {"badge_awarded": "digest", "level_up": "digest"})
            for n in (1, 2):  # First Answer; Bronze Answerer and Novice
                gk.record("answer.posted", actor=user, key=f"{user}:post:{n}")
        gk.record("answer.posted", actor="cat", key="cat:post:1")  # Cat keeps the app only: no digest
        room.clock.set(SUNDAY + timedelta(hours=11))  # Monday 07:00: the week ended
        for _ in range(2):  # two workers take the runs beat sends each second
            room.world.start("worker")
        room.world.start("beat", "--loglevel=INFO")

        room.wait(lambda: len(smtp.received) >= 2)
        digests = smtp.messages
        # Beat keeps sending the job, and the workers run it: whatever they run sends nothing again.
        seen = room.runs(DIGEST)
        room.wait(lambda: room.runs(DIGEST) >= seen + 4)
        assert sorted(str(m["To"]) for m in smtp.messages) == sorted(ADDRESSES[u] for u in ("ann", "bob"))
        for message in digests:
            assert message["Subject"] == "Your week in community.example.org: 3 notifications"
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            text = parts(message)
            lines = [line[2:] for line in text["text/plain"].splitlines() if line.startswith("* ")]
            assert sorted(lines) == ["You earned Bronze Answerer", "You earned First Answer", "You reached Novice"]
            assert all(f"<li>{line}</li>" in text["text/html"] for line in lines)
        with gk.store.engine.connect() as conn:
            sent = conn.execute(sa.select(NotificationDigest.week, NotificationDigest.state)).all()
        assert sorted((str(week), state) for week, state in sent) == [("2026-01-05", "sent")] * 2
        assert {state for _, _, state, _, _ in room.rows()} == {"sent"}


def test_a_refusing_server_leaves_the_email_to_retry_and_marks_nothing_sent(backend: str, tmp_path: Path) -> None:
    with mailroom(backend, tmp_path) as room:
        gk, smtp = room.gk, room.smtp
        smtp.refuse = "451 4.3.0 Mail system busy, try again later"
        smtp.unknown = {"bob@example.org"}
        for user in ("ann", "bob"):
            gk.notifier.set_preferences(user, {"badge_awarded": "email"})
        room.world.start("worker")
        gk.record("answer.posted", actor="ann", key="ann:post:1")
        gk.record("answer.posted", actor="bob", key="bob:post:1")

        def both_tried() -> list[tuple[str, str, str, int, str | None]]:
            found = room.rows()
            settled = len(found) == 2 and all(s != "sending" and a for _, _, s, a, _ in found)
            return found if settled else []

        (ann, bob) = room.wait(both_tried)
        # 451: not taken, kept for another try; 550 for the recipient: given up, and said why.
        assert ann[:4] == ("ann", "badge_awarded", "pending", 1) and "451" in str(ann[4]), ann
        assert bob[:4] == ("bob", "badge_awarded", "failed", 1) and "550" in str(bob[4]), bob
        assert smtp.refused >= 1 and smtp.received == []

        # The server takes mail again, but the retry waits for its backoff: a run now sends nothing.
        smtp.refuse = None
        runs = room.runs(SEND)
        gk.jobs.enqueue(SEND)  # as beat sends it every minute
        room.wait(lambda: room.runs(SEND) > runs)
        assert smtp.received == [] and room.rows()[0][2:4] == ("pending", 1)

        room.clock.advance(minutes=10)  # past the first backoff (a minute or two)
        gk.jobs.enqueue(SEND)
        [(recipients, message)] = room.wait(lambda: smtp.received)
        assert recipients == ["ann@example.org"] and message["Subject"] == "You earned First Answer"
        room.wait(lambda: room.rows()[0][2:4] == ("sent", 2))
        assert room.rows()[1][:4] == ("bob", "badge_awarded", "failed", 1)
        runs = room.runs(SEND)
        gk.jobs.enqueue(SEND)
        room.wait(lambda: room.runs(SEND) > runs)
        assert len(smtp.received) == 1  # sent once, never again
