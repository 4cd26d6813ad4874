"""Forms report every bad field at once, keep what was typed, and never send a huge input back.

First the pieces (``ValidationError.errors``, ``FieldErrors``, ``guildkit.web.forms.Form``), then
each form of events, mentorship, seasons, surveys, guidelines and the admin console submitted with
several bad fields: a 422 page with a summary linking to every bad field, each field marked
invalid and described by its message, the typed values back in their fields (cut at the field's
limit), nothing saved. Last, the JSON API answers every bad field in one problem document.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import FieldErrors, ValidationError, check_fields
from guildkit.testing import Clock
from guildkit.web.forms import Form
from tests.webclient import Api, Site, mount, problem

#: 600 characters of emoji: longer than any limit of the fields it is typed in.
HUGE = "😀" * 600
EMOJI = "😀"


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    client = mount(gk_app, gk)
    for user in ("ada", "bob"):
        gk.join(user, name=user.title())
    gk.award("boss", role="admin", reason="setup")
    return Site(client, gk)


def reported(html: str, fields: list[str], scope: str = "") -> None:
    """Every field of ``fields`` is in the error summary (a link to it) and marked where it is."""
    summary = html.split('id="gk-error-summary"', 1)[1].split("</div>", 1)[0]
    for field in fields:
        assert f'href="#gk-{scope}{field}"' in summary, f"{field} is not in the summary"
        assert f'id="gk-error-{scope}{field}"' in html, f"{field} has no message"
        control = r'<(input|textarea|select|fieldset)\b[^>]*aria-invalid="true" aria-describedby="[^"]*'
        tied = control + f"gk-error-{scope}{field}"
        assert re.search(tied, html), f"{field}'s control is not tied to its message"
    assert summary.count("<li>") == len(fields), summary


def shown_at_most(html: str, limit: int) -> None:
    """The huge input comes back once, in its field, cut at the field's limit."""
    assert html.count(EMOJI) == limit


# -- the pieces ------------------------------------------------------------------------------


def test_a_validation_error_names_one_field_or_several() -> None:
    one = ValidationError("title must not be empty", field="title")
    assert (one.field, one.errors, one.message) == ("title", {"title": ["title must not be empty"]}, one.message)
    assert ValidationError("bad").errors == {}
    several = ValidationError("two problems", errors={"title": ["too long"], "timezone": ["unknown"]})
    assert several.field == "title" and several.errors == {"title": ["too long"], "timezone": ["unknown"]}


def test_field_errors_run_every_check_and_raise_once() -> None:
    def refuse(field: str) -> str:
        raise ValidationError(f"{field} is wrong", field=field)

    with pytest.raises(ValidationError) as caught:
        check_fields({"title": lambda: refuse("title"), "ok": lambda: 1, "url": lambda: refuse("url")})
    assert caught.value.errors == {"title": ["title is wrong"], "url": ["url is wrong"]}
    assert str(caught.value) == "title is wrong; url is wrong" and caught.value.field == "title"
    assert check_fields({"a": lambda: 1, "b": lambda: "x"}) == {"a": 1, "b": "x"}
    found = FieldErrors()
    found.add_error(ValidationError("no field named"), "capacity")  # filed under the check's name
    assert "capacity" in found and found.errors == {"capacity": ["no field named"]}


def test_a_form_words_messages_for_the_page_and_never_quotes_the_input() -> None:
    form = Form({"title": "Title", "starts_at": "Starts"}, {"title": HUGE}, limits={"title": 200})
    assert form.value("title") == EMOJI * 200 and form.text("title") == HUGE
    form.add("title", f"title {HUGE!r} is too long")
    form.add("starts_at", "starts_at must be a date and time")
    form.add("mentor", "you cannot be your own mentor")  # not a field of the form: the form's own
    assert form.summary() == [
        ("", "You cannot be your own mentor"),
        ("title", "Title … is too long"),
        ("starts_at", "Starts must be a date and time"),
    ]
    form.add_error(ValidationError("two", errors={"title": ["title must be at most 200 characters"], "x": ["y"]}))
    assert form.messages("title") == ["Title … is too long"]  # the first problem of a field stays alone
    assert form.invalid and form.id("title") == "gk-title" and form.error_id("title") == "gk-error-title"


def test_a_form_reads_numbers_and_times_and_saves_only_what_it_could_read() -> None:
    form = Form({"n": "Places", "at": "Starts", "empty": "Empty"}, {"n": "12", "at": "2026-02-01T12:00"})
    assert form.whole_number("n", low=1, high=20) == 12 and form.whole_number("empty") is None
    assert form.moment("at", UTC) == datetime(2026, 2, 1, 12, tzinfo=UTC)
    assert not form.invalid
    saved: list[str] = []
    assert form.submit(lambda: saved.append("saved") or "done") == "done" and saved == ["saved"]

    bad = Form({"n": "Places", "at": "Starts"}, {"n": "9" * 30, "at": "soon"})
    assert bad.whole_number("n") is None and bad.moment("at", UTC) is None
    checked: list[str] = []

    def check() -> None:
        checked.append("checked")
        raise ValidationError("n must be small", errors={"n": ["n must be small"], "other": ["Other is wrong"]})

    assert bad.submit(lambda: saved.append("again"), check=check) is None
    assert saved == ["saved"] and checked == ["checked"]  # checked, not saved
    assert bad.summary() == [("", "Other is wrong"), ("n", "Places must be a whole number"),
                             ("at", "Starts must be a date and time")]  # fmt: skip


# -- events ----------------------------------------------------------------------------------


def test_the_event_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {
        "title": HUGE,
        "description": "Bring snacks",
        "starts_at": "2026-02-01T12:00",
        "ends_at": "2026-02-01T11:00",
        "timezone": "Nowhere/Land",
        "location": "",
        "url": "ftp://x",
        "capacity": "-3",
        "visibility": "public",
    }
    response = site.post("/events/new", typed, user="bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["title", "ends_at", "timezone", "location", "url", "capacity"])
    assert "Title must be at most 200 characters" in html and "<title>Error: New event" in html
    for kept in ('value="2026-02-01T12:00"', 'value="Nowhere/Land"', 'value="ftp://x"', 'value="-3"',
                 ">Bring snacks</textarea>", 'value="public" checked'):  # fmt: skip
        assert kept in html
    shown_at_most(html, 200)
    assert gk.events.of_member("bob").organizing == ()


def test_an_unreadable_time_still_reports_the_other_fields(site: Site, gk: GuildKit) -> None:
    typed = {"title": "", "starts_at": "soon", "ends_at": "2026-02-01T11:00", "timezone": "Europe/Paris",
             "location": "Park", "visibility": "public"}  # fmt: skip
    html = site.post("/events/new", typed, user="bob").get_data(as_text=True)
    reported(html, ["title", "starts_at"])
    assert "Starts must be a date and time" in html and "Title must not be empty" in html
    assert gk.events.of_member("bob").organizing == ()


# -- mentorship ------------------------------------------------------------------------------


def test_the_mentor_profile_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {"topics": "python, " + "x" * 60, "languages": "english!!", "timezone": HUGE, "capacity": "lots",
             "availability": "Evenings", "pitch": "Ask me", "open": "yes"}  # fmt: skip
    response = site.post("/mentors/bob", typed, user="bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["topics", "languages", "timezone", "capacity"], scope="p-")
    for kept in ('value="english!!"', 'value="lots"', ">Evenings</textarea>", 'value="yes" checked'):
        assert kept in html
    shown_at_most(html, 64)
    assert "Mentees at once must be a whole number from 1" in html
    with pytest.raises(LookupError):
        gk.mentorship.profile("bob")  # nothing saved


def test_the_mentoring_request_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    gk.mentorship.offer("ada", topics=["python"], languages=["en"], timezone="Europe/Berlin", capacity=2)
    typed = {"goals": "", "topics": "y" * 60, "language": "english!!", "timezone": HUGE, "message": "Hello"}
    response = site.post("/mentors/ada/request", typed, user="bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["goals", "topics", "language", "timezone"], scope="r-")
    assert "Your goals must not be empty" in html and ">Hello</textarea>" in html
    shown_at_most(html, 64)
    assert gk.mentorship.mentorships_of("bob", "mentee") == []


def test_finding_a_mentor_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    response = site.client.get("/community/mentors", query_string={"topics": "x" * 60, "language": "english!!",
                                                                   "timezone": HUGE})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["topics", "language", "timezone"])
    assert 'value="english!!"' in html
    shown_at_most(html, 64)


def test_a_mentorships_action_forms_report_every_bad_field(site: Site, gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    gk.mentorship.offer("ada", topics=["python"], languages=["en"], timezone="Europe/Berlin", capacity=2)
    made = gk.mentorship.request("bob", "ada", goals="Ship a library")
    path = f"/mentorships/{made.id}"
    gk.mentorship.accept(made.id, "ada")
    for on in ("2026-04-01", "soon"):  # in the future; not a date at all
        response = site.post(f"{path}/check-in", {"on": on, "notes": ""}, user="bob")
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        reported(html, ["on", "notes"], scope="check-in-")
        assert f'value="{on}"' in html and "Notes must not be empty" in html
    assert gk.mentorship.check_ins(made.id, "bob") == []
    response = site.post(f"{path}/end", {"reason": HUGE * 4}, user="bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["reason"], scope="end-")
    shown_at_most(html, 2000)
    gk.mentorship.end(made.id, "bob", "Moved away")
    response = site.post(f"{path}/feedback", {"rating": "9", "comment": HUGE * 4}, user="bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["rating", "comment"], scope="feedback-")
    shown_at_most(html, 2000)
    assert gk.mentorship.feedback_for(made.id, "bob") == []
    declined = gk.mentorship.request("bob", "ada", goals="Again")
    response = site.post(f"/mentorships/{declined.id}/decline", {"reason": " ", "next": "inbox"}, user="ada")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["reason"], scope=f"decline-{declined.id}-")
    assert gk.mentorship.get(declined.id, "ada").state == "requested"


# -- seasons ---------------------------------------------------------------------------------


def test_the_season_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {"slug": "Bad Slug", "name": HUGE, "description": "Spring", "point_type": "nope",
             "starts_at": "2027-03-20T00:00", "ends_at": "2027-03-01T00:00", "top_n": "many", "badge": "",
             "define_badge": "1"}  # fmt: skip
    response = site.post("/seasons/new", typed, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["slug", "name", "point_type", "ends_at", "top_n"])
    for kept in ('value="Bad Slug"', 'value="2027-03-01T00:00"', 'value="many"', ">Spring</textarea>"):
        assert kept in html
    shown_at_most(html, 150)
    assert gk.seasons.list() == []


# -- surveys ---------------------------------------------------------------------------------


def test_the_survey_forms_report_every_bad_field(site: Site, gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(datetime(2026, 1, 7, 12, tzinfo=UTC))
    typed = {"kind": "weird", "question": HUGE, "days": "0"}
    response = site.post("/analytics/surveys", typed, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["kind", "question", "days"])
    assert 'value="0"' in html
    shown_at_most(html, 500)
    assert gk.analytics.surveys.all() == []

    survey = gk.analytics.surveys.open(None, kind="csat", question="Happy?", closes_at=gk.clock() + timedelta(days=2))
    answer = site.post(f"/surveys/{survey.id}/respond", {"comment": HUGE * 4}, user="bob")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    reported(html, ["score", "comment"], scope="survey-")
    assert "Choose a score" in html and "Comment must be at most 2000 characters" in html
    shown_at_most(html, 2000)
    kept = site.post(f"/surveys/{survey.id}/respond", {"score": "4", "comment": "x" * 2001}, user="bob")
    html = kept.get_data(as_text=True)
    assert kept.status_code == 422 and 'value="4" checked' in html and ">" + "x" * 2000 + "</textarea>" in html
    reported(html, ["comment"], scope="survey-")
    assert gk.analytics.surveys.answer(survey.id, "bob") is None


# -- guidelines ------------------------------------------------------------------------------


def test_the_guidelines_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    response = site.post("/guidelines/new", {"title": "", "body": "", "summary": HUGE * 4}, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["title", "body", "summary"])
    shown_at_most(html, 2000)
    assert gk.guidelines.current() is None


# -- the admin console -----------------------------------------------------------------------


def test_the_badge_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {"slug": HUGE, "name": "", "description": "Answers", "tiers": "bronze, platinum", "criterion": "count",
             "activity_type": "not a type!", "subject_role": "actor", "thresholds": "1, x"}  # fmt: skip
    response = site.post("/admin/badges/new", typed, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["slug", "name", "tiers", "activity_type", "thresholds"])
    for kept in ('value="bronze, platinum"', 'value="not a type!"', 'value="1, x"', ">Answers</textarea>"):
        assert kept in html
    shown_at_most(html, 100)
    assert all(b.origin_kind != "database" for b in gk.admin.badges())


def test_the_role_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {"slug": HUGE, "name": "", "description": "Helps", "permissions": "made.up"}
    response = site.post("/admin/roles", typed, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["slug", "name", "permissions"])
    assert 'value="Helps"' in html
    shown_at_most(html, 100)
    assert all(r.origin_kind != "database" for r in gk.admin.roles())


def test_the_award_form_reports_every_bad_field(site: Site, gk: GuildKit) -> None:
    typed = {"what": "award", "user_id": "nobody", "points": "ten", "point_type": "reputation", "reason": ""}
    response = site.post("/admin/awards", typed, user="boss")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported(html, ["user_id", "points", "reason"])
    assert 'value="nobody"' in html and 'value="ten"' in html and 'value="reputation" selected' in html
    revoke = site.post("/admin/awards", {"what": "revoke", "user_id": HUGE, "level": "two", "reason": ""}, user="boss")
    html = revoke.get_data(as_text=True)
    assert revoke.status_code == 422
    reported(html, ["user_id", "badge", "level", "reason"], scope="revoke-")  # neither a badge nor a role named
    shown_at_most(html, 191)


def test_the_token_and_rule_forms_name_the_field_and_keep_the_input(site: Site, gk: GuildKit) -> None:
    made = site.post("/admin/tokens", {"name": HUGE, "scopes": "admin"}, user="boss")
    html = made.get_data(as_text=True)
    assert made.status_code == 422
    reported(html, ["name"])
    assert 'value="admin" checked' in html
    shown_at_most(html, 100)
    assert gk.tokens.list() == []
    preview = site.post("/admin/rules/previews", {"rules": "[[points]\nname = ", "remove": "old-rule"}, user="boss")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    reported(html, ["rules"])
    assert "[[points]\nname = </textarea>" in html and 'value="old-rule"' in html


# -- the JSON API ----------------------------------------------------------------------------


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    gk.join("ann", name="Ann")
    gk.award("boss", role="admin", reason="setup")
    return Api(mount(gk_app, gk))


def not_echoed(body: dict[str, Any]) -> None:
    assert EMOJI not in json.dumps(body, ensure_ascii=False)


def test_the_api_names_every_bad_field_of_an_event_at_once(api: Api, gk: GuildKit) -> None:
    now = gk.clock()
    body = {
        "title": "x" * 201,  # refused by the schema
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),  # the rules: before the start
        "timezone": "Nowhere/Land",  # the rules: unknown
        "url": "ftp://example.org",  # the rules: not http(s)
    }  # no location, not online: the rules ask for one
    errors = problem(api.call("POST", "/events", user="ann", body=body), 422)["errors"]
    assert set(errors) == {"title", "ends_at", "timezone", "url", "location"}, errors
    fine_shape = {**body, "title": "Picnic"}  # only the rules refuse: still every field at once
    errors = problem(api.call("POST", "/events", user="ann", body=fine_shape), 422)["errors"]
    assert set(errors) == {"ends_at", "timezone", "url", "location"}, errors
    huge = problem(api.call("POST", "/events", user="ann", body={**body, "title": HUGE, "timezone": HUGE}), 422)
    assert {"title", "timezone"} <= set(huge["errors"])
    not_echoed(huge)
    later = (now + timedelta(days=3)).isoformat()
    fine = {**fine_shape, "ends_at": later, "timezone": "Europe/Paris", "url": None, "online": True}
    created = api.call("POST", "/events", user="ann", body=fine)
    assert created.status_code == 201, created.get_data(as_text=True)
    patched = api.call("PATCH", f"/events/{created.get_json()['id']}", user="ann",
                       body={"title": "", "timezone": "Nowhere/Land", "url": "ftp://x"})  # fmt: skip
    assert set(problem(patched, 422)["errors"]) == {"title", "timezone", "url"}


def test_the_api_names_every_bad_field_of_a_season_and_a_badge(api: Api, gk: GuildKit) -> None:
    now = gk.clock()
    season = {"slug": "Bad Slug", "name": "Spring", "point_type": "nope", "starts_at": now.isoformat(),
              "ends_at": (now - timedelta(days=1)).isoformat()}  # fmt: skip
    errors = problem(api.call("POST", "/seasons", user="boss", body=season), 422)["errors"]
    assert set(errors) == {"slug", "point_type", "ends_at"}, errors
    badge = {"slug": "helper", "name": "Helper", "criterion": "count", "tiers": ["bronze", "silver"],
             "activity_type": None, "thresholds": [5]}  # fmt: skip
    errors = problem(api.call("POST", "/admin/badges", user="boss", body=badge), 422)["errors"]
    assert set(errors) == {"activity_type", "thresholds"}, errors


def test_a_token_names_every_bad_field_and_never_echoes_a_long_scope(gk: GuildKit) -> None:
    long_scope = "x" * 600
    with pytest.raises(ValidationError) as refused:
        gk.tokens.create(None, " ", [long_scope, "nope"])
    assert set(refused.value.errors or {}) == {"name", "scopes"}
    assert long_scope not in str(refused.value) and "x" * 40 + "…" in str(refused.value)
    assert gk.tokens.list() == []  # nothing written
