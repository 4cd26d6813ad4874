"""Mentoring and events for the seeded community, through guildkit's own services.

Runs after the Q&A history (:mod:`example_app.seed`), on the same people. guildkit stamps
mentorship and event changes with ``gk.clock()``, so the seed sets that clock to each moment in
turn: mentorships that were requested weeks ago and completed last week, an event held ten days
ago with its attendance, and upcoming events with RSVPs and a waitlist.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .extensions import gk
from .models import User

TOPICS = ("sql", "python", "flask", "testing", "performance", "career", "open-source", "css")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles")
LANGUAGES = (("en", "de"), ("en",), ("en", "ja"), ("en", "fr"), ("en", "es"))


@dataclass
class ParticipationStats:
    mentors: int = 0
    mentorships: int = 0
    completed: int = 0
    events: int = 0
    rsvps: int = 0
    attended: int = 0


def seed_participation(rng: random.Random, users: list[User], now: datetime) -> ParticipationStats:
    stats = ParticipationStats()
    mentors = users[:5]
    mentees = users[8:20]
    _offer_mentoring(rng, mentors, now - timedelta(days=40), stats)
    _mentorships(rng, mentors, mentees, now, stats)
    _events(rng, users, now, stats)
    return stats


def _offer_mentoring(rng: random.Random, mentors: list[User], when: datetime, stats: ParticipationStats) -> None:
    for i, user in enumerate(mentors):
        with gk.clock_at(when + timedelta(hours=i)):
            gk.mentorship.offer(
                user.id,
                topics=rng.sample(TOPICS, 3),
                languages=LANGUAGES[i % len(LANGUAGES)],
                timezone=ZONES[i % len(ZONES)],
                availability="An hour a week, usually on weekday evenings.",
                capacity=3,
                pitch=f"I have answered a lot of questions here; happy to help {rng.choice(TOPICS)} newcomers.",
            )
        stats.mentors += 1


def _mentorships(
    rng: random.Random, mentors: list[User], mentees: list[User], now: datetime, stats: ParticipationStats
) -> None:
    ms = gk.mentorship
    # (days ago requested, how far it got): a history with every kind of outcome.
    plans = [(35, "completed"), (33, "completed"), (30, "completed"), (25, "active"), (20, "active")]
    plans += [(2, "requested"), (9, "declined"), (12, "accepted")]
    for n, (days_ago, outcome) in enumerate(plans):
        mentor, mentee = mentors[n % len(mentors)], mentees[n % len(mentees)]
        begun = now - timedelta(days=days_ago)
        step = _days_after(begun)
        with gk.clock_at(begun):
            profile = ms.profile(mentor.id)
            view = ms.request(
                mentee.id,
                mentor.id,
                goals="Get better at answering questions well and learn the idioms.",
                topics=profile.topics[:2],
                message="I have been reading your answers and would love some guidance.",
            )
        stats.mentorships += 1
        if outcome == "requested":
            continue
        if outcome == "declined":
            with gk.clock_at(step(1)):
                ms.decline(view.id, mentor.id, "I am travelling for the next month, sorry.")
            continue
        with gk.clock_at(step(1)):
            ms.accept(view.id, mentor.id)
        if outcome == "accepted":
            continue
        for week in range(3 if outcome == "completed" else 2):
            with gk.clock_at(step(2 + 7 * week)):
                ms.check_in(
                    view.id,
                    rng.choice((mentor.id, mentee.id)),
                    on=step(2 + 7 * week).date(),
                    notes=f"Week {week + 1}: went through two of {mentee.name}'s recent answers together.",
                )
        if outcome == "completed":
            with gk.clock_at(step(22)):
                ms.complete(view.id, mentee.id)
            with gk.clock_at(step(23)):
                ms.complete(view.id, mentor.id)
                ms.feedback(view.id, mentee.id, rating=5, comment="Patient, precise and encouraging.")
                ms.feedback(view.id, mentor.id, rating=rng.choice((4, 5)), comment="Asked great questions.")
            stats.completed += 1


def _days_after(begun: datetime) -> Callable[[int], datetime]:
    return lambda days: begun + timedelta(days=days, hours=2)


def _events(rng: random.Random, users: list[User], now: datetime, stats: ParticipationStats) -> None:
    ev = gk.events
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    past_start = today - timedelta(days=10, hours=-17)
    with gk.clock_at(past_start - timedelta(days=14)):
        held = ev.create(
            users[1].id,
            title="SQL office hours",
            description="Bring a slow query; we will read its plan together.",
            starts_at=past_start,
            ends_at=past_start + timedelta(hours=1, minutes=30),
            timezone="Europe/Berlin",
            online=True,
            url="https://meet.example.org/sql-office-hours",
            capacity=20,
        )
        stats.events += 1
        for user in users[2:14]:
            ev.rsvp(held.id, user.id, rng.choice(("going", "going", "maybe")))
            stats.rsvps += 1
    with gk.clock_at(past_start + timedelta(minutes=10)):
        for user in users[2:12]:
            ev.check_in(held.id, user.id, by=users[1].id)
            stats.attended += 1

    meetup_start = today + timedelta(days=5, hours=18)
    workshop_start = today + timedelta(days=12, hours=16)
    with gk.clock_at(now - timedelta(days=3)):
        meetup = ev.create(
            users[2].id,
            title="Flask meetup: embedding a community",
            description="Short talks, then pizza.\nHow we added points and badges to our Q&A app.",
            starts_at=meetup_start,
            ends_at=meetup_start + timedelta(hours=2),
            timezone="Europe/London",
            location="The Old Library, 12 Church Street, London",
            capacity=6,
        )
        workshop = ev.create(
            users[0].id,
            title="Testing workshop: pytest fixtures in depth",
            description="A hands-on session. Bring a laptop with Python 3.11.",
            starts_at=workshop_start,
            ends_at=workshop_start + timedelta(hours=3),
            timezone="America/New_York",
            online=True,
            url="https://meet.example.org/pytest-workshop",
            visibility="members",
        )
        stats.events += 2
        # More people want the meetup than it has room for: the last two wait.
        for user in users[3:11]:
            ev.rsvp(meetup.id, user.id, "going")
            stats.rsvps += 1
        for user in users[5:9]:
            ev.rsvp(workshop.id, user.id, "going")
            stats.rsvps += 1
