"""The streaks page, the profile section and the JSON API (guildkit/streaks/pages.py, api.py):
the member sees their streaks in words with their freezes, others see no private part, the
absence form names every bad field at once, and the API's round trip with staff-only grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Clock
from tests.plugins import qa_rules
from tests.test_kudos_web import text
from tests.webclient import Api, Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql
DAY0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules,)


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(DAY0 - timedelta(days=5))
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    gk.award("mo", role="admin", reason="staff")
    gk.streaks.grant_freezes("ann", 2, reason="welcome")
    for day in (0, 1, 3):  # day 2 kept by a freeze
        gk_clock.set(DAY0 + timedelta(days=day))
        gk.record("visit", actor="ann", key=f"v{day}")
    return gk


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


def test_the_member_reads_their_streak_in_words_and_others_see_no_freezes(site: Site) -> None:
    own = text(site.get("/members/ann", user="ann"))
    assert "3 days in a row" in own and "best 3" in own and "1 freeze left" in own
    assert "a freeze kept your streak on" in own and "Your freezes and absences" in own
    assert "Visit" in own and "visit:" not in own
    # The profile's feature sections are the member's (and moderators'): another member sees none.
    other = text(site.get("/members/ann", user="bob"))
    assert "freeze" not in other and "Your freezes" not in other


def test_the_streaks_page_and_the_absence_form(site: Site, world: GuildKit) -> None:
    page = text(site.get("/streaks", user="ann"))
    assert "You hold 1 freeze." in page and "Given to you: 2 freezes · welcome" in page
    assert "Used: kept your streak (Visit)" in page
    site.get("/streaks", status=401)
    refused = site.post("/streaks/absences", {"starts_on": "2027-03-01", "ends_on": "2027-02-01"}, user="ann")
    assert refused.status_code == 422
    said = text(refused.get_data(as_text=True))
    assert "First day away must be today or later" in said and "Last day away must be on or after" in said
    done = site.post("/streaks/absences", {"starts_on": "2027-03-10", "ends_on": "2027-03-12"}, user="ann")
    assert done.status_code == 303
    absence = world.streaks.overview("ann").absences[0]
    assert site.post(f"/streaks/absences/{absence.id}/cancel", {}, user="bob").status_code == 404
    assert site.post(f"/streaks/absences/{absence.id}/cancel", {}, user="ann").status_code == 303
    assert world.streaks.overview("ann").absences == []


def test_the_api_round_trip(gk_app: Flask, world: GuildKit) -> None:
    api = Api(mount(gk_app, world))
    mine = api.ok("GET", "/me/streaks", user="ann")
    assert mine["freezes_held"] == 1 and mine["streaks"][0]["current"] == 3
    assert mine["streaks"][0]["label"] == "Visit" and mine["streaks"][0]["last_frozen"] == "2027-03-03"
    bad = api.problem("POST", "/me/streaks/absences", 422, user="ann", body={"starts_on": "x", "ends_on": "2027-03-01"})
    assert "starts_on" in bad["errors"]
    made = api.ok("POST", "/me/streaks/absences", status=201, user="ann",
                  body={"starts_on": "2027-03-10", "ends_on": "2027-03-11"})  # fmt: skip
    assert api.ok("GET", "/me/streaks", user="ann")["absences"][0]["id"] == made["id"]
    assert api.call("DELETE", f"/me/streaks/absences/{made['id']}", user="ann").status_code == 204
    api.problem("POST", "/streaks/members/ann/freezes", 403, user="bob", body={"reason": "me too"})
    problem = api.problem("POST", "/streaks/members/ann/freezes", 422, user="mo", body={"count": 0, "reason": "x"})
    assert "count" in problem["errors"]
    api.problem("POST", "/streaks/members/nobody/freezes", 404, user="mo", body={"reason": "hi"})
    granted = api.ok("POST", "/streaks/members/ann/freezes", status=201, user="mo", body={"count": 2, "reason": "hi"})
    assert granted == {"user_id": "ann", "held": 3}
    api.problem("GET", "/me/streaks", 401)
