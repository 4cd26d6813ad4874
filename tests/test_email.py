"""Notification emails, delivered to a real SMTP server (aiosmtpd on a free local port) and read
back with the ``email`` package: what is sent and to whom, the headers a list email needs, the
signed unsubscribe link, at most once (twice in a row, two threads at once), the weekly digest
(its lines said in each reader's language), a server that is down, a member without an address,
and the feature switched off. STARTTLS and TLS are in ``test_email_tls.py``.

Each test runs on SQLite and PostgreSQL (``gk_backend``)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from guildkit import ActivityTypeDef, ConfigurationError, GuildKit, Subject, hookimpl
from guildkit.i18n import TRANSLATIONS, lazy_gettext
from guildkit.models import Member
from guildkit.notifications import NotificationKind
from guildkit.notifications.models import NotificationDelivery, NotificationDigest
from guildkit.testing import Clock, Members, make_app
from guildkit.web import make_blueprint
from tests.plugins import qa_rules
from tests.smtp_server import Inbox, free_port, serving
from tests.webclient import PREFIX, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

SEND = "guildkit.notifications.send"
DIGEST = "guildkit.notifications.digest"
SITE = "https://community.example.org"
SENDER = "Example community <community@example.org>"
#: Where the host keeps its users' addresses (the test's stand-in for the host's user table).
ADDRESSES: dict[str, str | None] = {}


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    with serving(handler, smtp_port):
        yield handler


class UpvoteKinds:
    """A plugin that tells authors of upvotes and declares the kind, with how several read."""

    @hookimpl(optionalhook=True)
    def guildkit_register_notification_kinds(self, gk: GuildKit) -> list[NotificationKind]:
        return [
            NotificationKind(
                "answer.upvoted",
                "Someone upvotes your answer",
                "Your posts",
                many="{people} people upvoted your answer",
            )
        ]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, UpvoteKinds())


def email_config(port: int) -> dict[str, Any]:
    return {
        "GUILDKIT_EMAIL_FROM": SENDER,
        "GUILDKIT_EMAIL_SMTP_HOST": "127.0.0.1",
        "GUILDKIT_EMAIL_SMTP_PORT": port,
        "GUILDKIT_EMAIL_SMTP_SECURITY": "none",
        "GUILDKIT_EMAIL_SMTP_TIMEOUT": 5.0,
        "GUILDKIT_EMAIL_SITE_URL": SITE,
        "GUILDKIT_EMAIL_ADDRESS_LOADER": ADDRESSES.get,
        "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 0,
        "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": None,
    }


@pytest.fixture
def gk_config(smtp_port: int) -> dict[str, Any]:
    return email_config(smtp_port)


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> FlaskClient:
    return mount(gk_app, gk)


@pytest.fixture
def ann(gk: GuildKit, gk_members: Members, client: FlaskClient) -> Iterator[str]:
    user = gk_members("Ann")
    ADDRESSES[user] = "Ann Author <ann@example.org>"
    yield user
    ADDRESSES.clear()


def tell(gk: GuildKit, user_id: str, kind: str, text: str, **data: object) -> None:
    member_id = gk.member(user_id).id
    gk.transaction(lambda tx: tx.tell(member_id, kind, text, **data))


def deliveries(gk: GuildKit) -> list[tuple[str, str]]:
    with gk.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(NotificationDelivery.kind, NotificationDelivery.state).order_by(NotificationDelivery.id)
        )
        return [(row.kind, row.state) for row in rows]


def parts(message: EmailMessage) -> dict[str, str]:
    """The message's text parts by type (``text/plain``, ``text/html``)."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert isinstance(part, EmailMessage)
            found[part.get_content_type()] = str(part.get_content())
    return found


def unsubscribe_path(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"])
    assert header.startswith(f"<{SITE}/") and header.endswith(">"), header
    return urlsplit(header[1:-1]).path


def digests_by_recipient(inbox: Inbox) -> dict[str, dict[str, str]]:
    """The digests received (their ``Message-ID`` says so, in any language), by recipient."""
    return {str(m["To"]): parts(m) for m in inbox.messages if "-digest-" in str(m["Message-ID"])}


def bullets(text: str) -> list[str]:
    """A plain-text digest's lines."""
    return [line[2:] for line in text.splitlines() if line.startswith("* ")]


def shipped(locale: str) -> Catalog:
    """guildkit's catalogue for ``locale``, as shipped: what a test expects, never German written out."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "guildkit.po").open("rb") as po:
        return read_po(po, locale=locale)


# -- immediate emails ---------------------------------------------------------------------------


def test_an_email_for_a_kind_chosen_by_email(gk: GuildKit, ann: str, inbox: Inbox) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned Gold Answerer", badge="answerer", level=3)
    tell(gk, ann, "role_granted", "You are now Trusted")  # in the app only, by default

    report = gk.jobs.run(SEND)

    assert (report["queued"], report["sent"]) == (1, 1)
    [(recipients, message)] = inbox.received
    assert recipients == ["ann@example.org"]
    assert message["To"] == "Ann Author <ann@example.org>"
    assert message["From"] == SENDER
    assert message["Subject"] == "You earned Gold Answerer"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"
    text = parts(message)
    assert set(text) == {"text/plain", "text/html"}
    assert "You earned Gold Answerer" in text["text/plain"] and "You earned Gold Answerer" in text["text/html"]
    assert f"{SITE}/community/notifications/settings" in text["text/plain"]
    assert "“You earn a badge”" in text["text/plain"]  # the kind in words, never its name
    assert "badge_awarded" not in text["text/plain"] + text["text/html"]
    assert unsubscribe_path(message).startswith("/community/notifications/unsubscribe/")
    # As it went over the wire: the URL as it is, not folded into an RFC 2047 encoded word.
    assert f"List-Unsubscribe: {message['List-Unsubscribe']}\r\n".encode() in inbox.raw[0]
    assert deliveries(gk) == [("badge_awarded", "sent")]


def test_the_unsubscribe_link_works_without_signing_in(
    gk: GuildKit, ann: str, inbox: Inbox, client: FlaskClient
) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email", "mentorship": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    gk.jobs.run(SEND)
    path = unsubscribe_path(inbox.messages[0])

    confirm = client.get(path)
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "“You earn a badge”" in page and "<form" in page
    assert gk.notifier.preferences(ann).delivery("badge_awarded") == "email"  # a GET changes nothing

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 400
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert gk.notifier.preferences(ann).delivery("badge_awarded") == "email"

    # RFC 8058: the mail provider POSTs this body, with no cookies and no CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    after = gk.notifier.preferences(ann)
    assert (after.delivery("badge_awarded"), after.delivery("mentorship"), after.email) == ("app", "email", True)
    assert client.post(path).status_code == 200  # again: nothing more to do, no error

    tell(gk, ann, "badge_awarded", "You earned Answerer")
    assert gk.jobs.run(SEND)["queued"] == 0
    assert len(inbox.messages) == 1


def test_unsubscribe_from_everything(gk: GuildKit, ann: str, inbox: Inbox, client: FlaskClient) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    gk.jobs.run(SEND)
    text = parts(inbox.messages[0])["text/plain"]
    everything = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Stop all email"))
    assert client.post(urlsplit(everything).path).status_code == 200
    assert gk.notifier.preferences(ann).email is False
    tell(gk, ann, "status", "Your membership is now suspended: spam")  # email by default, and required
    tell(gk, ann, "badge_awarded", "You earned Answerer")
    assert gk.jobs.run(SEND)["queued"] == 0
    # The same link from a page's second button: ``all=1`` on a kind's link.
    gk.notifier.set_preferences(ann, email=True)
    token = gk.notifier.unsubscribe_token(ann, "badge_awarded")
    assert client.post(f"{PREFIX}/notifications/unsubscribe/{token}", data={"all": "1"}).status_code == 200
    assert gk.notifier.preferences(ann).email is False


def test_running_the_job_twice_sends_once(gk: GuildKit, ann: str, inbox: Inbox) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    for n in range(3):
        tell(gk, ann, "badge_awarded", f"You earned badge {n}")
    first, second = gk.jobs.run(SEND), gk.jobs.run(SEND)
    assert (first["sent"], second["queued"], second.get("sent", 0)) == (3, 0, 0)
    assert sorted(str(m["Subject"]) for m in inbox.messages) == [f"You earned badge {n}" for n in range(3)]


def test_two_threads_at_once_send_once(gk_app: Flask, gk: GuildKit, ann: str, inbox: Inbox) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    for n in range(12):
        tell(gk, ann, "badge_awarded", f"You earned badge {n}")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with gk_app.app_context():
                start.wait()
                gk.jobs.run(SEND)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert subjects == sorted(f"You earned badge {n}" for n in range(12))
    assert deliveries(gk) == [("badge_awarded", "sent")] * 12


def test_read_in_the_app_first_is_not_emailed(gk: GuildKit, ann: str, inbox: Inbox) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    gk.mark_read(ann)
    assert gk.jobs.run(SEND)["queued"] == 0
    assert inbox.messages == []


def test_the_email_waits_for_the_delay_and_one_read_meanwhile_is_skipped(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock, ann: str, inbox: Inbox
) -> None:
    from guildkit.notifications.dispatch import dispatch

    gk_app.config["GUILDKIT_NOTIFICATIONS_EMAIL_DELAY"] = 60
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    assert gk.jobs.run(SEND)["queued"] == 0  # not due yet
    gk_clock.advance(seconds=61)
    assert gk.jobs.run(SEND)["sent"] == 1
    tell(gk, ann, "badge_awarded", "You earned Answerer")
    gk_clock.advance(seconds=61)
    kinds = gk.notifier.kinds()
    gk.store.run_write(lambda conn: dispatch(conn, kinds, gk.clock(), timedelta(seconds=60)))
    gk.mark_read(ann)  # queued, but read before it went: the send job looks again
    assert gk.jobs.run(SEND)["skipped"] == 1
    assert [str(m["Subject"]) for m in inbox.messages] == ["You earned First Answer"]


def test_a_member_without_an_address_gets_nothing_and_nothing_fails(
    gk: GuildKit, gk_members: Members, inbox: Inbox, client: FlaskClient
) -> None:
    bob = gk_members("Bob")  # the host has no address for Bob
    cat = gk_members("Cat")
    ADDRESSES[cat] = "not an address\nBcc: everyone@example.org"  # and a broken one for Cat
    for user in (bob, cat):
        gk.notifier.set_preferences(user, {"badge_awarded": "email"})
        tell(gk, user, "badge_awarded", "You earned First Answer")
    report = gk.jobs.run(SEND)
    assert (report["queued"], report["skipped"]) == (2, 2)
    assert inbox.messages == []
    assert deliveries(gk) == [("badge_awarded", "skipped")] * 2
    ADDRESSES.clear()


def test_the_host_can_send_through_its_own_callable(gk_app: Flask, gk: GuildKit, ann: str) -> None:
    sent: list[EmailMessage] = []
    gk_app.config["GUILDKIT_EMAIL_SEND"] = sent.append
    gk.notifier.set_preferences(ann, {"mentorship": "email"})
    tell(gk, ann, "mentorship", "Bob asked you to be their mentor.")
    assert gk.jobs.run(SEND)["sent"] == 1
    assert [str(m["Subject"]) for m in sent] == ["Bob asked you to be their mentor."]


# -- the SMTP server down -----------------------------------------------------------------------


def test_a_server_that_is_down_never_breaks_the_host_and_is_tried_again(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock, ann: str, smtp_port: int
) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email", "level_up": "email"})
    gk.record("answer.posted", actor=ann, key="post:1")  # the host's request: no server, no error
    gk.record("answer.posted", actor=ann, key="post:2")  # Answerer (bronze), and Novice (10 XP)
    report = gk.jobs.run(SEND)
    # The first email finds the server down; the run stops there instead of timing out on each.
    assert (report["queued"], report["pending"], report["more"]) == (3, 1, False)
    with gk.store.engine.connect() as conn:
        tried = conn.execute(sa.select(NotificationDelivery.attempts).order_by(NotificationDelivery.id)).scalars()
        assert list(tried) == [1, 0, 0]

    handler = Inbox()
    with serving(handler, smtp_port):
        assert gk.jobs.run(SEND)["sent"] == 2  # the first waits for its backoff
        gk_clock.advance(minutes=5)
        assert gk.jobs.run(SEND)["sent"] == 1
    subjects = sorted(str(m["Subject"]) for m in handler.messages)
    assert subjects == ["You earned Bronze Answerer", "You earned First Answer", "You reached Novice"]


def test_after_the_last_attempt_it_is_given_up(gk_app: Flask, gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk_app.config["GUILDKIT_NOTIFICATIONS_MAX_ATTEMPTS"] = 2
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    gk.jobs.run(SEND)
    gk_clock.advance(hours=1)
    assert gk.jobs.run(SEND)["failed"] == 1
    assert deliveries(gk) == [("badge_awarded", "failed")]


def test_a_worker_that_died_while_sending_never_sends_again(
    gk: GuildKit, gk_clock: Clock, ann: str, inbox: Inbox
) -> None:
    from guildkit.notifications import leases
    from guildkit.notifications.dispatch import DELIVERIES, dispatch

    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    kinds = gk.notifier.kinds()
    gk.store.run_write(lambda conn: dispatch(conn, kinds, gk.clock(), timedelta(0)))
    claimed = leases.claim_next(gk, DELIVERIES, now=gk.clock(), lease=timedelta(minutes=1))
    assert claimed is not None  # ... and the worker is killed here, mid-send
    gk_clock.advance(minutes=2)
    assert gk.jobs.run(SEND)["interrupted"] == 1
    assert deliveries(gk) == [("badge_awarded", "failed")]
    assert inbox.messages == []


# -- the weekly digest --------------------------------------------------------------------------


def test_the_digest_groups_a_week(gk: GuildKit, gk_clock: Clock, ann: str, inbox: Inbox) -> None:
    gk_clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=UTC))  # a Tuesday
    gk.notifier.set_preferences(ann, {"answer.upvoted": "digest", "badge_awarded": "digest"})
    for voter in ("bob", "cat", "dan"):
        tell(gk, ann, "answer.upvoted", f"{voter.title()} upvoted your answer", subject="answer:384", actor=voter)
        gk_clock.advance(hours=1)
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    tell(gk, ann, "answer.upvoted", "Eve upvoted your other answer", subject="answer:9", actor="eve")
    tell(gk, ann, "mentorship", "Your mentorship with Bob started.")  # by email at once, not in the digest
    assert gk.jobs.run(DIGEST)["queued"] == 6  # the week is not over: queued (one email), nothing sent
    assert [str(m["Subject"]) for m in inbox.messages] == []
    gk.jobs.run(SEND)
    gk_clock.set(datetime(2026, 1, 11, 23, 0, tzinfo=UTC))  # Sunday: still the same week
    tell(gk, ann, "badge_awarded", "You earned Answerer")
    gk_clock.set(datetime(2026, 1, 12, 7, 0, tzinfo=UTC))  # Monday: the week ended
    tell(gk, ann, "badge_awarded", "You earned Supporter")  # this week's: the next digest's

    assert gk.jobs.run(DIGEST)["sent"] == 1
    assert gk.jobs.run(DIGEST).get("sent", 0) == 0  # once a week, however many runs
    mentorship, digest = inbox.messages
    assert mentorship["Subject"] == "Your mentorship with Bob started."
    assert digest["Subject"] == "Your week in community.example.org: 6 notifications"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parts(digest)["text/plain"]
    assert bullets(text) == [
        "You earned Answerer",
        "Eve upvoted your other answer",
        "You earned First Answer",
        "3 people upvoted your answer",
    ]
    assert "Your week in community.example.org, Jan 5\u2009\u2013\u200911, 2026:" in text
    assert "3 people upvoted your answer" in parts(digest)["text/html"]

    gk_clock.set(datetime(2026, 1, 19, 7, 0, tzinfo=UTC))
    assert gk.jobs.run(DIGEST)["sent"] == 1
    assert "* You earned Supporter" in parts(inbox.messages[-1])["text/plain"]
    with gk.store.engine.connect() as conn:
        weeks = conn.execute(sa.select(NotificationDigest.week).order_by(NotificationDigest.week)).scalars().all()
    assert [str(w) for w in weeks] == ["2026-01-05", "2026-01-12"]


def test_a_digest_with_everything_read_is_not_sent(gk: GuildKit, gk_clock: Clock, ann: str, inbox: Inbox) -> None:
    gk_clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    gk.notifier.set_preferences(ann, {"badge_awarded": "digest"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    gk.jobs.run(DIGEST)
    gk.mark_read(ann)
    gk_clock.set(datetime(2026, 1, 12, 7, 0, tzinfo=UTC))
    assert gk.jobs.run(DIGEST)["skipped"] == 1
    assert inbox.messages == []


def test_each_email_is_in_its_recipients_language_and_time_zone(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock, gk_members: Members, ann: str, inbox: Inbox, tmp_path: Path
) -> None:
    """Ann chose German and Berlin; Bob keeps the site's (English, UTC): the words from the
    shipped German catalogue, the dates from Babel."""
    host = tmp_path / "host"  # the host's own immediate email, saying when it happened
    (host / "guildkit/notifications/email").mkdir(parents=True)
    (host / "guildkit/notifications/email/notification.txt").write_text("{{ text }}, {{ at|gk_datetime('long') }}")
    gk_app.template_folder = str(host)
    gk_app.__dict__.pop("jinja_loader", None)  # Flask caches the app's loader
    bob = gk_members("Bob")
    ADDRESSES[bob] = "bob@example.org"
    with gk.store.engine.begin() as conn:
        conn.execute(sa.update(Member).where(Member.user_id == ann).values(locale="de", time_zone="Europe/Berlin"))
    gk_clock.set(datetime(2026, 12, 8, 23, 30, tzinfo=UTC))  # a Tuesday; already Wednesday in Berlin
    for user in (ann, bob):
        gk.notifier.set_preferences(user, {"badge_awarded": "email", "level_up": "digest"})
        tell(gk, user, "badge_awarded", "You earned Supporter")
        tell(gk, user, "level_up", "You reached level 2")
    assert gk.jobs.run(SEND)["sent"] == 2
    gk_clock.set(datetime(2026, 12, 14, 7, 0, tzinfo=UTC))  # the week of 7 December ended
    assert gk.jobs.run(DIGEST)["sent"] == 2

    mails = {str(m["To"]): m for m in inbox.messages if m["Subject"] == "You earned Supporter"}
    assert parts(mails["Ann Author <ann@example.org>"])["text/plain"].startswith(
        "You earned Supporter, 9. Dezember 2026, 00:30:00 MEZ"
    )
    assert parts(mails["bob@example.org"])["text/plain"].startswith(
        "You earned Supporter, December 8, 2026, 11:30:00\u202fPM UTC"
    )
    digests = digests_by_recipient(inbox)
    german, english = digests["Ann Author <ann@example.org>"], digests["bob@example.org"]
    heading = shipped("de")["Your week in %(site)s, %(week)s:"].string
    week = "7.\u201313. Dez. 2026"
    assert heading % {"site": "community.example.org", "week": week} in german["text/plain"]
    assert '<html lang="de">' in german["text/html"] and week in german["text/html"]
    assert "Your week in community.example.org, Dec 7\u2009\u2013\u200913, 2026:" in english["text/plain"]
    assert '<html lang="en">' in english["text/html"]


class Talks:
    """A host whose members give talks: someone attending yours tells you. Its words are ones
    guildkit's catalogue already translates, so the German below is the shipped catalogue's."""

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return [ActivityTypeDef("talk.attended", lazy_gettext("Event attended"), notify="target",
                                target=lazy_gettext("{actor} attended {subject}"))]  # fmt: skip

    @hookimpl
    def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject]:
        return {key: Subject("Caching joins", "/talks/7") for key in keys if key == "talk:7"}


def test_a_digest_says_what_others_did_in_each_readers_language(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, ann: str, inbox: Inbox
) -> None:
    """An activity's notification is stored in English once; each digest says it again from its
    data, as the page does: who did it (grouped), the subject's title, the reader's language."""
    gk.register(Talks())
    bob = gk_members("Bob")
    ADDRESSES[bob] = "bob@example.org"
    with gk.store.engine.begin() as conn:
        conn.execute(sa.update(Member).where(Member.user_id == ann).values(locale="de"))
    gk_clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=UTC))  # a Tuesday
    for name in ("Ada", "Cat", "Dan"):
        gk.join(name.lower(), name=name)
    for speaker in (ann, bob):
        gk.notifier.set_preferences(speaker, {"talk.attended": "digest"})
        for attendee in ("ada", "cat", "dan"):
            gk.record("talk.attended", actor=attendee, target=speaker, subject="talk:7", key=f"{attendee}:{speaker}")
            gk_clock.advance(minutes=5)
    stored = {note.text for note in gk.notifications(ann)}
    assert stored == {"Someone attended a talk"}  # no names, no title, in English: said again when shown
    assert gk.jobs.run(DIGEST)["queued"] == 6
    gk_clock.set(datetime(2026, 1, 12, 7, 0, tzinfo=UTC))  # Monday: the week ended
    assert gk.jobs.run(DIGEST)["sent"] == 2

    de = shipped("de")
    alone = de["{actor} attended {subject}"].string.format(actor="Dan", subject="Caching joins")  # newest first
    said = de["%(sentence)s, and %(count)s other did too"].string[1] % {"sentence": alone, "count": "2"}
    digests = digests_by_recipient(inbox)
    german, english = digests["Ann Author <ann@example.org>"], digests["bob@example.org"]
    assert said != "Dan attended Caching joins, and 2 others did too"
    assert bullets(german["text/plain"]) == [said]
    assert f"<li>{escape(said)}</li>" in german["text/html"]
    assert bullets(english["text/plain"]) == ["Dan attended Caching joins, and 2 others did too"]
    assert "<li>Dan attended Caching joins, and 2 others did too</li>" in english["text/html"]


# -- waking the job, and the feature switched off --------------------------------------------------


def test_recording_wakes_the_send_job(gk_clock: Clock, tmp_path: Path, smtp_port: int, inbox: Inbox) -> None:
    config = {**email_config(smtp_port), "GUILDKIT_JOBS_BACKEND": "inline", "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": 60}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules,), clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert gk.pm.get_plugin("guildkit.notifications.wake") is not None
        gk.join("ann")
        ADDRESSES["ann"] = "ann@example.org"
        gk.notifier.set_preferences("ann", {"badge_awarded": "email"})
        gk.record("answer.posted", actor="ann", key="post:1")  # First Answer; the send job runs at once (inline)
        ADDRESSES.clear()
    assert [str(m["Subject"]) for m in inbox.messages] == ["You earned First Answer"]


@pytest.mark.parametrize("gk_backend", ["sqlite"])
def test_on_the_thread_backend_a_woken_job_sends_in_the_background(
    gk_app: Flask, gk: GuildKit, gk_members: Members, inbox: Inbox, client: FlaskClient
) -> None:
    gk_app.config["GUILDKIT_NOTIFICATIONS_WAKE_SECONDS"] = 0.01
    from guildkit.notifications.wakeup import listen

    listen(gk, gk_app)  # what init_app does when the waking is on
    ann = gk_members("Ann")
    ADDRESSES[ann] = "ann@example.org"
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    gk.record("answer.posted", actor=ann, key="post:1")
    assert gk.jobs.wait(30)
    ADDRESSES.clear()
    assert [str(m["Subject"]) for m in inbox.messages] == ["You earned First Answer"]


@pytest.mark.parametrize("gk_backend", ["sqlite"])
def test_the_commands(gk_app: Flask, gk: GuildKit, ann: str, inbox: Inbox) -> None:
    gk.notifier.set_preferences(ann, {"badge_awarded": "email"})
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    runner = gk_app.test_cli_runner()
    kinds = runner.invoke(args=["guildkit", "notifications", "kinds"])
    assert kinds.exit_code == 0 and '"kind": "answer.upvoted"' in kinds.output
    sent = runner.invoke(args=["guildkit", "notifications", "send"])
    assert sent.exit_code == 0 and json.loads(sent.output)["sent"] == 1
    digest = runner.invoke(args=["guildkit", "notifications", "digest"])
    assert digest.exit_code == 0 and json.loads(digest.output)["email"] is True
    assert len(inbox.messages) == 1


def test_without_email_nothing_listens_to_every_activity(gk_clock: Clock, tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, clock=gk_clock) as (_, gk):
        assert gk.pm.get_plugin("guildkit.notifications.wake") is None
        assert not gk.pm.hook.guildkit_activity_recorded.get_hookimpls()  # the write path stays lean
        assert gk.notifier.send_due() == {"email": False}


def test_switched_off_there_are_no_routes_jobs_or_tables(gk_clock: Clock, tmp_path: Path, smtp_port: int) -> None:
    config = {**email_config(smtp_port), "GUILDKIT_PLUGINS_DENY": ["guildkit.notifications"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        rules = [r.rule for r in app.url_map.iter_rules()]
        assert not [rule for rule in rules if "unsubscribe" in rule or "notifications/preferences" in rule]
        assert not {SEND, DIGEST} & set(gk.jobs.registered())
        assert "GUILDKIT_EMAIL_FROM" not in gk.config_defaults()
        with pytest.raises(AttributeError):
            gk.notifier  # noqa: B018
        with gk.store.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("guildkit_notification_deliveries")
        client = app.test_client()
        assert client.get("/community/notifications/settings", headers={"X-User": "ann"}).status_code == 404
        assert client.get("/community/api/me/notifications/preferences").status_code == 404


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"GUILDKIT_EMAIL_SMTP_HOST": None}, "GUILDKIT_EMAIL_SMTP_HOST or GUILDKIT_EMAIL_SEND"),
        ({"GUILDKIT_EMAIL_FROM": None}, "GUILDKIT_EMAIL_FROM"),
        ({"GUILDKIT_EMAIL_SITE_URL": None}, "GUILDKIT_EMAIL_SITE_URL"),
        ({"GUILDKIT_EMAIL_SITE_URL": "example.org"}, "http(s)"),
        ({"GUILDKIT_EMAIL_SMTP_SECURITY": "tls"}, "GUILDKIT_EMAIL_SMTP_SECURITY"),
        ({"GUILDKIT_EMAIL_ADDRESS_LOADER": "users.email"}, "callable"),
        ({"GUILDKIT_NOTIFICATIONS_DEFAULTS": {"badge_awarded": "fax"}}, "GUILDKIT_NOTIFICATIONS_DEFAULTS"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
    ],
)
def test_a_bad_email_setup_fails_at_start_up(
    gk_clock: Clock, tmp_path: Path, smtp_port: int, config: dict[str, Any], says: str
) -> None:
    settings = {**email_config(smtp_port), **config}
    with (
        pytest.raises(ConfigurationError, match=re.escape(says)),
        make_app("sqlite", tmp_path, config=settings, clock=gk_clock),
    ):
        pass


def test_an_activity_that_notifies_is_a_kind_and_its_email_names_who_and_what(
    gk: GuildKit, ann: str, inbox: Inbox, client: FlaskClient
) -> None:
    class Answers:
        @hookimpl
        def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
            return [ActivityTypeDef("question.upvoted", "Upvote on your question", notify="target",
                                    target="{actor} upvoted your question {subject}")]  # fmt: skip

        @hookimpl
        def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject]:
            return {key: Subject("How do I cache a join?") for key in keys if key == "question:7"}

    gk.register(Answers())
    gk.join("ada", name="Ada")
    assert gk.notifier.kinds()["question.upvoted"].label == "Upvote on your question"
    gk.notifier.set_preferences(ann, {"question.upvoted": "email"})
    gk.record("question.upvoted", actor="ada", target=ann, subject="question:7", key="up:7")
    assert gk.jobs.run(SEND)["sent"] == 1
    [(_, message)] = inbox.received
    assert "Ada upvoted your question How do I cache a join?" in parts(message)["text/plain"]
    assert "question:7" not in parts(message)["text/plain"]
    settings = client.get("/community/notifications/settings", headers={"X-User": ann}).get_data(as_text=True)
    assert "Upvote on your question" in settings and "What others do with what you post" in settings
