"""What moderation, mentorship, events and membership changes tell members, read in each
reader's language: in the app (the notifications page) and by email.

Each notification is made by the feature's real flow (a case resolved, a mediation, an appeal; a
mentorship requested, answered, completed, expired, left; an event's waitlist, organizers, changes
and cancellation), then read. Two things are checked for each:

* what is stored: the English text as before, and the message as written (its msgid) with its
  values — a name, a title, a reason, a day or a moment — never pre-rendered words;
* what a German reader reads: the message through gettext, its values in the reader's locale and
  time zone.

The German comes from a catalogue of the host's own (``BABEL_TRANSLATION_DIRECTORIES``): the
documented way a host rewords guildkit's strings, and the same path the shipped ``de`` catalogue
takes (a host's catalogue is merged after guildkit's, so it wins for a msgid both translate). So
the test reads real gettext lookups whatever guildkit's own catalogue already translates, and its
placeholders come in another order than the English, as they do in real translations.

Each test runs on SQLite and PostgreSQL (``gk_backend``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel import Locale, dates
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask

from guildkit import GuildKit, i18n
from guildkit.models import Member, Notification
from guildkit.models.members import FORMER_MEMBER
from guildkit.testing import Clock, Members
from tests.smtp_server import Inbox, free_port, serving
from tests.webclient import API_PREFIX, Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

SEND = "guildkit.notifications.send"
BERLIN = "Europe/Berlin"
#: What members earn along the way (a mentor's first badge …): not what these tests read.
EARNED = ("badge_awarded", "level_up", "role_granted")
#: Where the host keeps its users' addresses.
ADDRESSES: dict[str, str] = {}

#: The host's German for what guildkit tells members (and a word of its own, "post").
GERMAN = {
    # moderation: sanctions, the membership's status, mediations, appeals
    "You received a warning: %(reason)s": "Du wurdest verwarnt: %(reason)s",
    "You are muted until %(until)s: %(reason)s": "Bis %(until)s bist du stummgeschaltet: %(reason)s",
    "You are suspended until %(until)s: %(reason)s": "Bis %(until)s bist du gesperrt: %(reason)s",
    "You are banned: %(reason)s": "Du bist ausgeschlossen: %(reason)s",
    "Your membership is now suspended: %(reason)s": "Deine Mitgliedschaft ist jetzt gesperrt: %(reason)s",
    "Your membership is now active: %(reason)s": "Deine Mitgliedschaft ist wieder aktiv: %(reason)s",
    "Your membership is now banned: %(reason)s": "Deine Mitgliedschaft ist jetzt ausgeschlossen: %(reason)s",
    "A moderator invited you to a mediation about a reported %(kind)s (mediation #%(id)s)": (
        "Schlichtung Nr. %(id)s: Ein Moderator lädt dich ein (gemeldet: %(kind)s)"
    ),
    "A moderator invited you to a mediation about reported content (mediation #%(id)s)": (
        "Schlichtung Nr. %(id)s: Ein Moderator lädt dich ein (gemeldeter Inhalt)"
    ),
    "post": "Beitrag",
    "New statement in mediation #%(id)s": "Neue Stellungnahme in Schlichtung Nr. %(id)s",
    "Mediation #%(id)s ended with an agreement: %(outcome)s": "Einigung in Schlichtung Nr. %(id)s: %(outcome)s",
    "Mediation #%(id)s was closed without an agreement: %(reason)s": (
        "Schlichtung Nr. %(id)s endete ohne Einigung: %(reason)s"
    ),
    "Your appeal of the suspension was accepted: the suspension is lifted. %(reason)s": (
        "Deinem Einspruch gegen die Sperre wurde stattgegeben, die Sperre ist aufgehoben. %(reason)s"
    ),
    "Your appeal of the ban was not accepted: the ban stands. %(reason)s": (
        "Dein Einspruch gegen den Ausschluss wurde abgelehnt, der Ausschluss bleibt. %(reason)s"
    ),
    # mentorship
    "%(name)s asked you to be their mentor.": "%(name)s möchte dich als Mentor.",
    "%(name)s accepted your mentorship request.": "%(name)s hat deine Mentoring-Anfrage angenommen.",
    "%(name)s declined your mentorship request: %(reason)s": "%(name)s hat deine Anfrage abgelehnt: %(reason)s",
    "%(name)s withdrew their mentorship request.": "%(name)s hat die Mentoring-Anfrage zurückgezogen.",
    "%(name)s started your mentorship.": "%(name)s hat euer Mentoring begonnen.",
    "%(name)s added a check-in for %(day)s.": "Am %(day)s habt ihr euch getroffen, sagt %(name)s.",
    "%(name)s confirmed your mentorship is complete: confirm it too to finish.": (
        "%(name)s hat den Abschluss bestätigt: Bestätige ihn auch."
    ),
    "Your mentorship with %(name)s is complete. Well done!": "Dein Mentoring mit %(name)s ist abgeschlossen. Gut!",
    "%(name)s ended your mentorship: %(reason)s": "%(name)s hat euer Mentoring beendet: %(reason)s",
    "%(name)s left feedback on your mentorship.": "%(name)s hat eine Rückmeldung gegeben.",
    "Your request to %(name)s expired unanswered.": "Deine Anfrage an %(name)s ist unbeantwortet abgelaufen.",
    "Mentorship #%(id)s is over: the other member left the community.": (
        "Mentoring Nr. %(id)s ist vorbei: Das andere Mitglied ist gegangen."
    ),
    # events
    "A place opened up: you are now going to %(event)s.": "Ein Platz ist frei: Du bist bei %(event)s dabei.",
    "You are now an organizer of %(event)s.": "Du organisierst jetzt %(event)s mit.",
    "%(event)s has a new time or place.": "Neue Zeit oder neuer Ort für %(event)s.",
    "%(event)s is cancelled. %(reason)s": "%(event)s fällt aus. %(reason)s",
    "%(event)s is cancelled.": "%(event)s fällt aus.",
}


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    with serving(handler, smtp_port):
        yield handler
    ADDRESSES.clear()


@pytest.fixture
def gk_config(tmp_path: Path, smtp_port: int) -> dict[str, Any]:
    """The host's German catalogue, compiled as a host ships it, and email through a real SMTP server."""
    catalog = Catalog(locale="de", domain="messages")
    for msgid, msgstr in GERMAN.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "host-translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    return {
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "host-translations"),
        "GUILDKIT_EMAIL_FROM": "Community <community@example.org>",
        "GUILDKIT_EMAIL_SMTP_HOST": "127.0.0.1",
        "GUILDKIT_EMAIL_SMTP_PORT": smtp_port,
        "GUILDKIT_EMAIL_SMTP_SECURITY": "none",
        "GUILDKIT_EMAIL_SMTP_TIMEOUT": 5.0,
        "GUILDKIT_EMAIL_SITE_URL": "https://community.example.org",
        "GUILDKIT_EMAIL_ADDRESS_LOADER": ADDRESSES.get,
        "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 0,
        "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": None,
    }


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> Site:
    gk_clock.set(datetime(2026, 5, 3, 14, 0, tzinfo=UTC))  # summer time: Berlin is UTC+2
    return Site(mount(gk_app, gk), gk)


def german_reader(gk: GuildKit, user: str) -> str:
    """``user`` reads German in Berlin, with an address for their emails."""
    gk.preferences.set(user, locale="de", time_zone=BERLIN)
    gk.notifier.set_preferences(user, dict.fromkeys(EARNED, "off"))
    ADDRESSES[user] = f"{user}@example.org"
    return user


def moment_in_berlin(value: datetime) -> str:
    """A moment as a German reader in Berlin reads it, from Babel."""
    locale = Locale.parse("de")
    return dates.format_datetime(value, i18n.weekday_pattern(locale), tzinfo=ZoneInfo(BERLIN), locale=locale)


@dataclass(frozen=True)
class Told:
    """A notification as it should be stored, and the values as a German reader reads them."""

    kind: str
    message: str
    values: Mapping[str, Any]
    #: The stored English text.
    english: str
    words: tuple[str, ...] = ()
    #: Values the reader reads otherwise than stored (a day, a moment, a translated word).
    read: Mapping[str, str] = field(default_factory=dict)

    @property
    def said(self) -> dict[str, Any]:
        values = {name: i18n.iso(v) if isinstance(v, date) else v for name, v in self.values.items()}
        kept = {"message": self.message, "values": values, "words": list(self.words)}
        days = [name for name, v in self.values.items() if isinstance(v, date)]
        return {**kept, "dates": days} if days else kept

    @property
    def german(self) -> str:
        return GERMAN[self.message] % {**self.values, **self.read}


def stored(gk: GuildKit, user: str) -> list[tuple[str, str, Any]]:
    """The member's notifications as stored, oldest first: kind, text and what was said."""
    gk.session.expire_all()
    rows = gk.session.execute(
        sa.select(Notification.kind, Notification.text, Notification.data)
        .join(Member, Member.id == Notification.member_id)
        .where(Member.user_id == user)
        .order_by(Notification.id)
    )
    return [(kind, text, (data or {}).get("said")) for kind, text, data in rows]


NOTE = re.compile(r'<li class="gk-note[^"]*">(.*?)</li>', re.S)
TEXT = re.compile(r"<span>(.*?)</span>", re.S)


def read(site: Site, user: str) -> list[str]:
    """The lines of the member's notifications page, newest first."""
    found = []
    for item in NOTE.findall(site.get("/notifications", user=user)):
        line = TEXT.search(item)
        assert line is not None, item
        found.append(unescape(line.group(1)))
    return found


def check(site: Site, inbox: Inbox, told: Mapping[str, list[Told]]) -> None:
    """For each member, their notifications (``told``, oldest first) stored as said, and read in
    German: on the notifications page, and in the emails of the kinds that go by email."""
    gk = site.gk
    kinds = gk.notifier.kinds()
    for user, expected in told.items():
        told_of = [row for row in stored(gk, user) if row[0] not in EARNED]
        assert told_of == [(t.kind, t.english, t.said) for t in expected], user
        assert read(site, user) == [t.german for t in reversed(expected)], user
        api = site.client.get(API_PREFIX + "/me/notifications?limit=100", headers={"X-User": user}).get_json()
        assert [n["text"] for n in api["items"] if n["kind"] not in EARNED] == [t.german for t in reversed(expected)]
        mails = [m for m in inbox.messages if m["To"] == ADDRESSES[user]]
        mailed = [t.german for t in expected if kinds[t.kind].default == "email"]
        assert sorted(str(m["Subject"]) for m in mails) == sorted(mailed), user
        for mail in mails:
            body = mail.get_body(("plain",))
            assert body is not None and str(mail["Subject"]) in body.get_content()


# -- moderation -----------------------------------------------------------------------------------


def test_sanctions_appeals_and_status_changes_read_in_the_members_language(
    site: Site, gk: GuildKit, gk_members: Members, inbox: Inbox
) -> None:
    mod, judge = gk_members("Mo", roles=["moderator"]), gk_members("Jo", roles=["moderator"])
    otto = german_reader(gk, gk_members("Otto"))
    bea = gk_members("Bea")  # reads the site's English
    reporter = gk_members("Ann")

    def resolve(user: str, post: str, action: str, reason: str, **more: Any) -> None:
        case_id = gk.moderation.report(reporter, subject=post, user_id=user, category="spam").case_id
        gk.moderation.resolve(mod, case_id, action=action, reason=reason, **more)

    resolve(otto, "post:1", "warn", "no ads")
    now = gk.clock()
    resolve(otto, "post:2", "mute", "flooding", hours=48)
    resolve(otto, "post:3", "suspend", "spam again", hours=72)
    [suspension] = [s for s in gk.moderation.sanctions(otto) if s.kind == "suspend"]
    appeal = gk.moderation.appeal(otto, sanction_id=suspension.id, statement="It was my brother")
    gk.moderation.decide_appeal(judge, appeal.id, decision="overturn", reason="Shared account, fixed")
    resolve(bea, "post:4", "ban", "fraud")
    [ban] = gk.moderation.sanctions(bea)
    appeal = gk.moderation.appeal(bea, sanction_id=ban.id, statement="please")
    gk.moderation.decide_appeal(judge, appeal.id, decision="uphold", reason="Clear fraud")
    assert gk.jobs.run(SEND)["sent"] == 6  # Otto's (the host has no address for Bea)

    muted, suspended = now + timedelta(hours=48), now + timedelta(hours=72)
    assert "16:00" in moment_in_berlin(muted)  # 14:00 UTC, read in Berlin's time
    check(site, inbox, {otto: [
        Told("moderation.warn", "You received a warning: %(reason)s", {"reason": "no ads"},
             "You received a warning: no ads"),
        Told("moderation.mute", "You are muted until %(until)s: %(reason)s", {"until": muted, "reason": "flooding"},
             "You are muted until 2026-05-05 14:00 UTC: flooding", read={"until": moment_in_berlin(muted)}),
        Told("moderation.suspend", "You are suspended until %(until)s: %(reason)s",
             {"until": suspended, "reason": "spam again"}, "You are suspended until 2026-05-06 14:00 UTC: spam again",
             read={"until": moment_in_berlin(suspended)}),
        Told("status", "Your membership is now suspended: %(reason)s", {"reason": "spam again"},
             "Your membership is now suspended: spam again", ("reason",)),
        Told("status", "Your membership is now active: %(reason)s", {"reason": "your appeal was accepted"},
             "Your membership is now active: your appeal was accepted", ("reason",),
             read={"reason": "dein Einspruch wurde angenommen"}),  # guildkit's own reason, translated
        Told("moderation.appeal", "Your appeal of the suspension was accepted: the suspension is lifted. %(reason)s",
             {"reason": "Shared account, fixed"},
             "Your appeal of the suspension was accepted: the suspension is lifted. Shared account, fixed"),
    ]})  # fmt: skip
    # An English reader reads the stored text word for word, said again the same way.
    english = [
        "You are banned: fraud",
        "Your membership is now banned: fraud",
        "Your appeal of the ban was not accepted: the ban stands. Clear fraud",
    ]
    assert [text for _, text, _ in stored(gk, bea)] == english
    assert read(site, bea) == english[::-1]
    assert [said["message"] for _, _, said in stored(gk, bea)] == [
        "You are banned: %(reason)s",
        "Your membership is now banned: %(reason)s",
        "Your appeal of the ban was not accepted: the ban stands. %(reason)s",
    ]
    # The English reader of a moment reads it in their own locale and zone (the site's: UTC).
    gk.preferences.set(otto, locale="en", time_zone="UTC")
    assert "You are muted until Tue, May 5, 2026, 2:00\u202fPM: flooding" in read(site, otto)


def test_mediations_read_in_each_partys_language(site: Site, gk: GuildKit, gk_members: Members, inbox: Inbox) -> None:
    mod = gk_members("Mo", roles=["moderator"])
    otto, ann = german_reader(gk, gk_members("Otto")), german_reader(gk, gk_members("Ann"))
    on_a_post = gk.moderation.report(ann, subject="post:1", user_id=otto, category="harassment").case_id
    on_something = gk.moderation.report(ann, subject="Something odd", user_id=otto, category="other").case_id
    agreed = gk.moderation.start_mediation(mod, on_a_post)
    gk.moderation.add_statement(otto, agreed.id, "I was angry, sorry")
    gk.moderation.agree(mod, agreed.id, outcome="Apology given")
    abandoned = gk.moderation.start_mediation(mod, on_something)
    gk.moderation.abandon_mediation(mod, abandoned.id, reason="no show")
    assert gk.jobs.run(SEND)["sent"] == 9

    kind, first, second = "moderation.mediation", str(agreed.id), str(abandoned.id)
    invited = Told(
        kind,
        "A moderator invited you to a mediation about a reported %(kind)s (mediation #%(id)s)",
        {"kind": "post", "id": first},
        f"A moderator invited you to a mediation about a reported post (mediation #{first})",
        words=("kind",),
        read={"kind": "Beitrag"},
    )  # the host's word, translated too
    statement = Told(kind, "New statement in mediation #%(id)s", {"id": first}, f"New statement in mediation #{first}")
    after = [
        Told(kind, "Mediation #%(id)s ended with an agreement: %(outcome)s", {"id": first, "outcome": "Apology given"},
             f"Mediation #{first} ended with an agreement: Apology given"),
        Told(kind, "A moderator invited you to a mediation about reported content (mediation #%(id)s)", {"id": second},
             f"A moderator invited you to a mediation about reported content (mediation #{second})"),
        Told(kind, "Mediation #%(id)s was closed without an agreement: %(reason)s", {"id": second, "reason": "no show"},
             f"Mediation #{second} was closed without an agreement: no show"),
    ]  # fmt: skip
    check(site, inbox, {otto: [invited, *after], ann: [invited, statement, *after]})


# -- mentorship -----------------------------------------------------------------------------------


def test_mentorships_read_in_each_members_language(site: Site, gk: GuildKit, gk_clock: Clock, inbox: Inbox) -> None:
    for user in ("ada", "bob", "cy", "dan", "eve", "fay", "gus"):
        gk.join(user, name=user.title())
        german_reader(gk, user)
    ms = gk.mentorship
    ms.offer("ada", topics=["python"], languages=["en"], timezone=BERLIN, capacity=5, pitch="Happy to help")

    def asks(mentee: str) -> int:
        return ms.request(mentee, "ada", goals="learn", topics=["python"]).id

    completed = asks("bob")
    ms.accept(completed, "ada")
    ms.check_in(completed, "bob", on=date(2026, 5, 2), notes="talked about tests")
    ms.complete(completed, "ada")
    ms.complete(completed, "bob")
    ms.feedback(completed, "bob", rating=5, comment="great")
    ms.decline(asks("cy"), "ada", "too busy")
    ms.withdraw(asks("dan"), "dan")
    ended = asks("eve")
    ms.accept(ended, "ada")
    ms.start(ended, "eve")
    ms.end(ended, "ada", "moving away")
    asks("fay")
    gk.jobs.run(SEND)  # before a day passes: older news is not emailed
    gk_clock.advance(days=15)
    assert ms.sweep()["expired"] == 1
    gk.jobs.run(SEND)

    kind = "mentorship"
    day = dates.format_date(date(2026, 5, 2), "medium", locale="de")

    def by(name: str, message: str, english: str, **values: Any) -> Told:
        return Told(kind, message, {"name": name, **values}, english)

    asked = "%(name)s asked you to be their mentor."
    check(site, inbox, {
        "ada": [
            by("Bob", asked, "Bob asked you to be their mentor."),
            Told(kind, "%(name)s added a check-in for %(day)s.", {"name": "Bob", "day": date(2026, 5, 2)},
                 "Bob added a check-in for 2026-05-02.", read={"day": day}),
            by("Bob", "Your mentorship with %(name)s is complete. Well done!",
               "Your mentorship with Bob is complete. Well done!"),
            by("Bob", "%(name)s left feedback on your mentorship.", "Bob left feedback on your mentorship."),
            by("Cy", asked, "Cy asked you to be their mentor."),
            by("Dan", asked, "Dan asked you to be their mentor."),
            by("Dan", "%(name)s withdrew their mentorship request.", "Dan withdrew their mentorship request."),
            by("Eve", asked, "Eve asked you to be their mentor."),
            by("Eve", "%(name)s started your mentorship.", "Eve started your mentorship."),
            by("Fay", asked, "Fay asked you to be their mentor."),
        ],
        "bob": [
            by("Ada", "%(name)s accepted your mentorship request.", "Ada accepted your mentorship request."),
            by("Ada", "%(name)s confirmed your mentorship is complete: confirm it too to finish.",
               "Ada confirmed your mentorship is complete: confirm it too to finish."),
        ],
        "cy": [by("Ada", "%(name)s declined your mentorship request: %(reason)s",
                  "Ada declined your mentorship request: too busy", reason="too busy")],
        "eve": [
            by("Ada", "%(name)s accepted your mentorship request.", "Ada accepted your mentorship request."),
            by("Ada", "%(name)s ended your mentorship: %(reason)s", "Ada ended your mentorship: moving away",
               reason="moving away"),
        ],
        "fay": [by("Ada", "Your request to %(name)s expired unanswered.", "Your request to Ada expired unanswered.")],
    })  # fmt: skip


def test_a_mentorship_left_behind_reads_in_the_others_language(site: Site, gk: GuildKit, inbox: Inbox) -> None:
    """Gus leaves the community: Ada is told in German, and what she was told of Gus no longer names him."""
    for user in ("ada", "gus"):
        gk.join(user, name=user.title())
    german_reader(gk, "ada")
    ms = gk.mentorship
    ms.offer("ada", topics=["python"], languages=["en"], timezone=BERLIN, capacity=5, pitch="Happy to help")
    left = ms.request("gus", "ada", goals="learn", topics=["python"]).id
    ms.accept(left, "ada")
    assert gk.jobs.run(SEND)["sent"] == 1
    gk.privacy.erase("gus", confirm="gus")
    assert gk.jobs.run(SEND)["sent"] == 1

    asked = Told(
        "mentorship",
        "%(name)s asked you to be their mentor.",
        {"name": FORMER_MEMBER},
        f"{FORMER_MEMBER} asked you to be their mentor.",
    )
    over = Told("mentorship", "Mentorship #%(id)s is over: the other member left the community.", {"id": str(left)},
                f"Mentorship #{left} is over: the other member left the community.")  # fmt: skip
    assert stored(gk, "ada") == [(t.kind, t.english, t.said) for t in (asked, over)]
    assert read(site, "ada") == [over.german, asked.german]
    assert [str(m["Subject"]) for m in inbox.messages] == [GERMAN[asked.message] % {"name": "Gus"}, over.german]


def test_erasing_a_member_named_like_a_placeholder_keeps_the_message(site: Site, gk: GuildKit, inbox: Inbox) -> None:
    """Erasing scrubs a member's names from what others were told: from the stored text and the
    values, never from the message or its placeholders (a member may be called "name")."""
    gk.join("ada", name="Ada")
    gk.join("odd", name="name")
    german_reader(gk, "ada")
    gk.mentorship.offer("ada", topics=["python"], languages=["en"], timezone=BERLIN, capacity=5, pitch="Hi")
    asked = gk.mentorship.request("odd", "ada", goals="learn", topics=["python"]).id
    gk.privacy.erase("odd", confirm="odd")

    told = [
        Told("mentorship", "%(name)s asked you to be their mentor.", {"name": FORMER_MEMBER},
             f"{FORMER_MEMBER} asked you to be their mentor."),
        Told("mentorship", "Mentorship #%(id)s is over: the other member left the community.", {"id": str(asked)},
             f"Mentorship #{asked} is over: the other member left the community."),
    ]  # fmt: skip
    assert stored(gk, "ada") == [(t.kind, t.english, t.said) for t in told]
    assert read(site, "ada") == [t.german for t in reversed(told)]


# -- events ---------------------------------------------------------------------------------------


def test_events_read_in_each_members_language(site: Site, gk: GuildKit, inbox: Inbox) -> None:
    for user in ("ann", "bob", "cy"):
        gk.join(user, name=user.title())
        german_reader(gk, user)
    now = gk.clock()
    times = {"starts_at": now + timedelta(days=1), "ends_at": now + timedelta(days=1, hours=2)}
    full = gk.events.create("org", title="Board games night", capacity=1, timezone=BERLIN, location="Library", **times)
    quiet = gk.events.create("org", title="Book club", timezone=BERLIN, location="Café", **times)
    for event in (full, quiet):
        gk.events.rsvp(event.id, "ann", "going")
        gk.events.rsvp(event.id, "bob", "going")  # waitlisted at the full one
    gk.events.rsvp(full.id, "ann", "not_going")  # Bob's place opens up
    gk.events.add_organizer(full.id, "org", "cy")
    gk.events.update(full.id, "org", location="The park")
    gk.events.cancel(full.id, "org", "Venue flooded")
    gk.events.cancel(quiet.id, "org", "")
    gk.jobs.run(SEND)

    def about(kind: str, title: str, message: str, english: str, **values: Any) -> Told:
        return Told(kind, message, {"event": title, **values}, english)

    check(site, inbox, {
        "bob": [
            about("event.promoted", "Board games night", "A place opened up: you are now going to %(event)s.",
                  "A place opened up: you are now going to Board games night."),
            about("event.changed", "Board games night", "%(event)s has a new time or place.",
                  "Board games night has a new time or place."),
            about("event.cancelled", "Board games night", "%(event)s is cancelled. %(reason)s",
                  "Board games night is cancelled. Venue flooded", reason="Venue flooded"),
            about("event.cancelled", "Book club", "%(event)s is cancelled.", "Book club is cancelled."),
        ],
        "ann": [about("event.cancelled", "Book club", "%(event)s is cancelled.", "Book club is cancelled.")],
        "cy": [about("event.organizer", "Board games night", "You are now an organizer of %(event)s.",
                     "You are now an organizer of Board games night.")],
    })  # fmt: skip
