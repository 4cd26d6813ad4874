"""Matching: the documented score on crafted mentors (exact order and reasons), time zones that wrap
around the date line, full mentors left out, and the ``guildkit_mentor_score`` hook."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, MentorCandidate, MentorScore, MentorSeeker, hookimpl
from guildkit.mentorship.matching import WEIGHTS, hours_apart, rank, score
from guildkit.models import HookFailure

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # January: Berlin +1, Auckland +13 (summer time)
SEEKER = MentorSeeker(topics=("Python", "flask", "SQL"), language="en", timezone="Europe/Berlin")


def candidate(user_id: str, **fields: Any) -> MentorCandidate:
    given: dict[str, Any] = {
        "name": user_id.title(),
        "topics": (),
        "languages": ("en",),
        "timezone": "UTC",
        "capacity": 1,
        "active_count": 0,
    }
    return MentorCandidate(user_id=user_id, **(given | fields))


CRAFTED = [
    candidate("carol", topics=(), languages=("fr",), timezone="Asia/Tokyo", capacity=2, ended_early=2),
    candidate("bea", topics=("python",), languages=("de", "en"), timezone="America/New_York"),
    candidate(
        "anna",
        topics=("python", "Flask", "sql", "django"),
        timezone="Europe/Paris",
        capacity=3,
        active_count=1,
        completed=4,
    ),
]


def test_weights_are_the_documented_ones() -> None:
    assert WEIGHTS == {"topics": 3.0, "language": 2.0, "timezone": 2.0, "capacity": 1.0, "record": 2.0}


def test_crafted_mentors_in_exact_order_with_reasons() -> None:
    ranked = rank((c, score(SEEKER, c, NOW)) for c in CRAFTED)
    assert [c.user_id for c, _ in ranked] == ["anna", "bea", "carol"]
    anna, bea, carol = (s for _, s in ranked)
    assert anna.parts == pytest.approx(
        {"topics": 9.0, "language": 2.0, "timezone": 2.0, "capacity": 2 / 3, "record": 2 * 5 / 6}
    )
    assert anna.total == pytest.approx(9 + 2 + 2 + 2 / 3 + 5 / 3)
    assert anna.reasons == (
        "3 shared topics (python, Flask, sql)",
        "speaks English",
        "same time zone",
        "2 of 3 mentee slots free",
        "completed 4 mentorships",
    )
    # New York is -5 in January: 6 hours from Berlin.
    assert bea.parts == pytest.approx({"topics": 3.0, "language": 2.0, "timezone": 1.0, "capacity": 1.0, "record": 1.0})
    assert bea.reasons == (
        "1 shared topic (python)",
        "speaks English",
        "6 hours apart",
        "1 of 1 mentee slot free",
        "new mentor",
    )
    # Tokyo +9 is 8 hours from Berlin; two mentorships ended early, none completed.
    assert carol.parts == pytest.approx(
        {"topics": 0.0, "language": 0.0, "timezone": 2 * 4 / 12, "capacity": 1.0, "record": 0.5}
    )
    assert carol.reasons == ("8 hours apart", "2 of 2 mentee slots free", "new mentor")


def test_open_fields_score_nothing_and_ties_go_by_user_id() -> None:
    twins = [candidate("zed"), candidate("amy"), candidate("max")]
    ranked = rank((c, score(MentorSeeker(), c, NOW)) for c in twins)
    assert [c.user_id for c, _ in ranked] == ["amy", "max", "zed"]
    assert ranked[0][1].parts == {"topics": 0.0, "language": 0.0, "timezone": 0.0, "capacity": 1.0, "record": 1.0}


@pytest.mark.parametrize(
    ("zone_a", "zone_b", "hours"),
    [
        ("Europe/Berlin", "Europe/Paris", 0),
        ("Pacific/Kiritimati", "Pacific/Honolulu", 0),  # +14 and -10: same clock, other day
        ("Pacific/Auckland", "America/Los_Angeles", 3),  # +13 and -8: 21 hours one way, 3 the other
        ("Asia/Kolkata", "UTC", 5.5),
        ("Pacific/Kiritimati", "UTC", 10),
        ("Etc/GMT+12", "Etc/GMT-12", 0),
        ("America/New_York", "Asia/Shanghai", 11),
    ],
)
def test_time_zone_distance_wraps_around(zone_a: str, zone_b: str, hours: float) -> None:
    assert hours_apart(zone_a, zone_b, NOW) == hours
    assert hours_apart(zone_b, zone_a, NOW) == hours
    assert 0 <= hours <= 12


def test_distance_follows_summer_time() -> None:
    july = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert hours_apart("Europe/London", "UTC", NOW) == 0
    assert hours_apart("Europe/London", "UTC", july) == 1
    half = score(MentorSeeker(timezone="Asia/Kolkata"), candidate("x", timezone="UTC"), NOW)
    assert half.reasons[0] == "5.5 hours apart"


# -- through the service -------------------------------------------------------------------


@pytest.fixture
def mentors(gk: GuildKit) -> GuildKit:
    """Ada (full), Bea, Cy (closed), Dee (suspended), Eli, Fay: crafted for one seeker."""
    offer = gk.mentorship.offer
    offer("ada", topics=["python"], languages=["en"], timezone="Europe/Berlin", capacity=1)
    offer("bea", topics=["python", "flask"], languages=["en"], timezone="Europe/Paris", capacity=2)
    offer("cy", topics=["python", "flask", "sql"], languages=["en"], timezone="Europe/Berlin", open=False)
    offer("dee", topics=["python", "flask", "sql"], languages=["en"], timezone="Europe/Berlin")
    offer("eli", topics=["sql"], languages=["de"], timezone="Asia/Tokyo", capacity=3)
    offer("fay", topics=["python", "flask"], languages=["en"], timezone="Europe/Paris", capacity=2)
    gk.set_status("dee", "suspended", reason="spam")
    full = gk.mentorship.request("someone", "ada", goals="learn")
    gk.mentorship.accept(full.id, "ada")
    return gk


def test_suggestions_leave_out_full_closed_inactive_and_self(mentors: GuildKit) -> None:
    found = mentors.mentorship.suggest("seeker", topics=["Python", "flask"], language="en", timezone="Europe/Berlin")
    assert [c.user_id for c, _ in found] == ["bea", "fay", "eli"]  # bea and fay tie: by user id
    assert found[0][1].reasons == (
        "2 shared topics (python, flask)",
        "speaks English",
        "same time zone",
        "2 of 2 mentee slots free",
        "new mentor",
    )
    assert [c.user_id for c, _ in mentors.mentorship.suggest("bea", topics=["python"])] == ["fay", "eli"]
    assert len(mentors.mentorship.suggest(None, limit=1)) == 1


class Boost:
    """Puts one mentor first; leaves everyone else to guildkit."""

    def __init__(self, favourite: str) -> None:
        self.favourite = favourite

    @hookimpl
    def guildkit_mentor_score(
        self, gk: GuildKit, seeker: MentorSeeker, candidate: MentorCandidate, score: MentorScore
    ) -> MentorScore | None:
        if candidate.user_id != self.favourite:
            return None
        return dataclasses.replace(score, total=score.total + 100, reasons=(*score.reasons, "staff pick"))


class Broken:
    def __init__(self, result: object) -> None:
        self.result = result

    @hookimpl
    def guildkit_mentor_score(self, candidate: MentorCandidate) -> object:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def failures(gk: GuildKit) -> list[tuple[str, str]]:
    return [(f.hook, f.error) for f in gk.session.scalars(sa.select(HookFailure).order_by(HookFailure.id))]


def test_hook_adjusts_a_score(mentors: GuildKit) -> None:
    mentors.register(Boost("eli"))
    found = mentors.mentorship.suggest("seeker", topics=["python"], language="en")
    assert [c.user_id for c, _ in found] == ["eli", "bea", "fay"]
    assert found[0][1].reasons[-1] == "staff pick"
    assert found[1][1].reasons[-1] != "staff pick"


def test_hook_replaces_every_score(mentors: GuildKit) -> None:
    mentors.register(Broken(MentorScore(total=1.0, parts={"flat": 1.0}, reasons=("everyone is equal",))))
    found = mentors.mentorship.suggest("seeker", topics=["sql"])
    assert [c.user_id for c, _ in found] == ["bea", "eli", "fay"]
    assert {s.reasons for _, s in found} == {("everyone is equal",)}


@pytest.mark.parametrize(
    ("result", "error"),
    [
        (RuntimeError("scoring service down"), "RuntimeError: scoring service down"),
        (42, "TypeError: returned 42, not a MentorScore with a finite total"),
        (MentorScore(total=float("nan")), "TypeError: returned MentorScore(total=nan"),
    ],
)
def test_a_failing_hook_is_contained_and_recorded(mentors: GuildKit, result: object, error: str) -> None:
    expected = [c.user_id for c, _ in mentors.mentorship.suggest("seeker", topics=["sql"])]
    mentors.register(Broken(result))
    found = mentors.mentorship.suggest("seeker", topics=["sql"])
    assert [c.user_id for c, _ in found] == expected == ["eli", "bea", "fay"]
    assert found[0][1].reasons[0] == "1 shared topic (sql)"  # guildkit's own score
    recorded = failures(mentors)
    assert len(recorded) == 3  # once per candidate
    assert all(hook == "guildkit_mentor_score" and text.startswith(error) for hook, text in recorded)
