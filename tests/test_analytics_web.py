"""The analytics API, CSV downloads and pages: permissions on every page and endpoint, query
validation naming the field, CSV equal to the JSON, charts beside their tables, surveys on the
pages (the notice, answering, opening and closing), and the nav link."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Clock, Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

KPIS = (
    "growth",
    "activity",
    "actives",
    "retention",
    "churn",
    "first-response",
    "engagement-levels",
    "recognition",
    "programmes",
)
PAGES = ("", "/members", "/retention", "/engagement", "/recognition", "/surveys", "/surveys.csv")
RANGE = "?start=2026-01-01&end=2026-01-07&bucket=day"


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_TIMEZONE": "Europe/Berlin"}


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> Any:
    return mount(gk_app, gk)


@pytest.fixture
def api(client: Any, gk: GuildKit) -> Api:
    return Api(
        client,
        {
            "analyst": gk.tokens.create(None, "bi", ["analytics.view"])[0],
            "writer": gk.tokens.create(None, "ingest", ["activities.write"])[0],
        },
    )


@pytest.fixture
def site(client: Any, gk: GuildKit) -> Site:
    return Site(client, gk)


@pytest.fixture
def people(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> dict[str, str]:
    gk_clock.set(datetime(2026, 1, 1, 10, tzinfo=UTC))
    admin, ann, bob = gk_members("Ada", roles=["admin"]), gk_members("Ann"), gk_members("Bob")
    gk.record("answer.posted", key="a1", actor=ann, occurred_at=datetime(2026, 1, 2, 9, tzinfo=UTC))
    gk.record("answer.upvoted", key="u1", actor=bob, target=ann, occurred_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    gk_clock.set(datetime(2026, 1, 7, 12, tzinfo=UTC))
    return {"admin": admin, "ann": ann, "bob": bob}


def test_every_endpoint_needs_analytics_view(api: Api, people: dict[str, str]) -> None:
    paths = [f"/analytics/{k}{RANGE}" for k in KPIS] + [f"/analytics/{k}.csv{RANGE}" for k in (*KPIS, "badge-rarity")]
    paths += ["/analytics/surveys", "/analytics/surveys/1"]
    for path in paths:
        assert problem(api.call("GET", path), 401)["code"] == "unauthorized", path
        assert problem(api.call("GET", path, user=people["ann"]), 403)["code"] == "forbidden", path
        assert problem(api.call("GET", path, token="writer"), 403)["code"] == "forbidden", path
        assert api.call("GET", path, user=people["admin"]).status_code in (200, 404), path
        assert api.call("GET", path, token="analyst").status_code in (200, 404), path
    body = {"kind": "csat", "question": "Happy?", "closes_at": "2026-02-01T00:00:00Z"}
    assert api.problem("POST", "/analytics/surveys", 401, body=body)
    assert api.problem("POST", "/analytics/surveys", 403, user=people["ann"], body=body)
    assert api.problem("POST", "/analytics/surveys", 403, token="analyst", body=body)  # viewing is not managing
    assert api.problem("POST", "/analytics/surveys/1/close", 403, user=people["ann"])


def test_kpis_as_json(api: Api, people: dict[str, str]) -> None:
    growth = api.ok("GET", f"/analytics/growth{RANGE}", token="analyst")
    assert growth["range"] == {"start": "2026-01-01", "end": "2026-01-07", "bucket": "day", "timezone": "Europe/Berlin"}
    assert (growth["new_members"], growth["total_members"]) == (3, 3)
    activity = api.ok("GET", f"/analytics/activity{RANGE}", token="analyst")
    assert [b["active_members"] for b in activity["buckets"]] == [0, 1, 0, 0, 0, 1, 0]
    assert activity["buckets"][5] == {
        "label": "2026-01-06",
        "start": "2026-01-06",
        "end": "2026-01-06",
        "active_members": 1,
        "total_members": 3,
        "engagement_rate": 0.3333,
        "contributing_members": 0,
        "contributing_rate": 0.0,
        "activities": 1,
        "by_type": {"answer.upvoted": 1},
    }
    weekly = api.ok("GET", "/analytics/activity?start=2026-01-01&end=2026-01-07&bucket=week", token="analyst")
    assert [(b["label"], b["active_members"]) for b in weekly["buckets"]] == [("2025-12-29", 1), ("2026-01-05", 1)]
    actives = api.ok("GET", f"/analytics/actives{RANGE}", user=people["admin"])
    assert (actives["dau"], actives["wau"], actives["mau"], actives["stickiness"]) == (0, 2, 2, 0.0333)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=yesterday", "start"),
        ("?end=2026-13-01", "end"),
        ("?bucket=year", "bucket"),
        ("?start=2026-01-08&end=2026-01-01", "end"),
        ("?start=1900-01-01", "start"),
        ("?start=2020-01-01&end=2026-01-01&bucket=day", "bucket"),
        ("?colour=red", "colour"),
    ],
)
def test_bad_queries_name_the_field(api: Api, people: dict[str, str], query: str, field: str) -> None:
    problem(api.call("GET", f"/analytics/growth{query}", token="analyst"), 422, field)
    problem(api.call("GET", f"/analytics/growth.csv{query}", token="analyst"), 422, field)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_equals_the_json(api: Api, people: dict[str, str]) -> None:
    for name in ("growth", "activity", "first-response", "programmes"):
        data = api.ok("GET", f"/analytics/{name}{RANGE}", token="analyst")
        response = api.call("GET", f"/analytics/{name}.csv{RANGE}", token="analyst")
        assert response.mimetype == "text/csv"
        assert f'filename="{name}-2026-01-01-2026-01-07-day.csv"' in response.headers["Content-Disposition"]
        rows = _csv(response.get_data(as_text=True))
        assert len(rows) == len(data["buckets"]) == 7
        for row, bucket in zip(rows, data["buckets"], strict=True):
            assert row["period"] == bucket["label"] and row["start"] == bucket["start"]
            for key, value in bucket.items():
                if key in row:
                    assert row[key] == ("" if value is None else str(value)), (name, key)
            for kind, count in bucket.get("by_type", {}).items():
                assert row[f"type:{kind}"] == str(count)
    levels = api.ok("GET", f"/analytics/engagement-levels{RANGE}", token="analyst")
    rows = _csv(api.call("GET", f"/analytics/engagement-levels.csv{RANGE}", token="analyst").get_data(as_text=True))
    assert (
        [int(r["members"]) for r in rows] == [lv["members"] for lv in levels["levels"]] == [2, 0, 0, 1]
    )  # a tie: both top
    rarity = api.ok("GET", f"/analytics/recognition{RANGE}", token="analyst")["badge_rarity"]
    rows = _csv(api.call("GET", f"/analytics/badge-rarity.csv{RANGE}", token="analyst").get_data(as_text=True))
    assert [(r["badge"], int(r["holders"])) for r in rows] == [(r["badge"], r["holders"]) for r in rarity]


def test_surveys_through_the_api(api: Api, people: dict[str, str], gk_clock: Clock) -> None:
    admin, ann, bob = people["admin"], people["ann"], people["bob"]
    body = {"kind": "nps", "question": "Would you recommend us?", "closes_at": "2026-02-01T00:00:00Z"}
    problem(api.call("POST", "/analytics/surveys", user=admin, body={**body, "kind": "stars"}), 422, "kind")
    problem(
        api.call("POST", "/analytics/surveys", user=admin, body={**body, "closes_at": "2026-01-01T00:00:00Z"}),
        422,
        "closes_at",
    )
    survey = api.ok("POST", "/analytics/surveys", status=201, user=admin, body=body)
    assert (survey["state"], survey["created_by"]) == ("open", admin)
    assert [s["id"] for s in api.ok("GET", "/me/surveys", user=ann)] == [survey["id"]]
    assert api.problem("GET", "/me/surveys", 401)
    path = f"/surveys/{survey['id']}/responses"
    problem(api.call("POST", path, user=ann, body={"score": 11}), 422, "score")
    problem(api.call("POST", path, user=ann, body={"score": "9"}), 422, "score")
    assert api.problem("POST", path, 401, body={"score": 9})
    assert api.problem("POST", path, 403, token="analyst", body={"score": 9})  # people answer, not tokens
    assert api.ok("POST", path, status=201, user=ann, body={"score": 10, "comment": "great"})["score"] == 10
    assert problem(api.call("POST", path, user=ann, body={"score": 3}), 409)["code"] == "already_answered"
    api.ok("POST", path, status=201, user=bob, body={"score": 5})
    assert api.ok("GET", "/me/surveys", user=ann) == []
    results = api.ok("GET", f"/analytics/surveys/{survey['id']}", token="analyst")
    assert (results["responses"], results["nps"], results["promoters"], results["detractors"]) == (2, 0.0, 1, 1)
    assert api.problem("GET", "/analytics/surveys/999", 404, token="analyst")
    gk_clock.advance(hours=1)
    assert api.ok("POST", f"/analytics/surveys/{survey['id']}/close", user=admin)["state"] == "closed"
    assert problem(api.call("POST", f"/analytics/surveys/{survey['id']}/close", user=admin), 409)
    assert problem(api.call("POST", path, user=people["admin"], body={"score": 9}), 409)["code"] == "invalid_transition"
    assert [r["nps"] for r in api.ok("GET", "/analytics/surveys?kind=nps", token="analyst")] == [0.0]
    problem(api.call("GET", "/analytics/surveys?kind=stars", token="analyst"), 422, "kind")


def test_openapi_documents_the_analytics_endpoints(api: Api, client: Any) -> None:
    spec = client.get("/community/api/openapi.json").get_json()
    for name in KPIS:
        operation = spec["paths"][f"/community/api/analytics/{name}"]["get"]
        assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"start", "end", "bucket"}
        assert "analytics.view" in operation["description"]
    assert "post" in spec["paths"]["/community/api/surveys/{survey_id}/responses"]


def test_pages_need_analytics_view(site: Site, people: dict[str, str]) -> None:
    for path in PAGES:
        site.get(f"/analytics{path}", status=401)
        site.get(f"/analytics{path}", user=people["ann"], status=403)
        site.get(f"/analytics{path}", user=people["admin"])
    assert (
        site.post("/analytics/surveys", {"kind": "csat", "question": "Q", "days": "3"}, user=people["ann"]).status_code
        == 403
    )
    assert site.post("/analytics/surveys/1/close", {}, user=people["ann"]).status_code == 403
    assert site.post("/analytics/surveys", {"kind": "csat", "question": "Q", "days": "3"}).status_code == 401


def test_pages_show_charts_beside_tables_and_csv_links(site: Site, people: dict[str, str]) -> None:
    admin = people["admin"]
    dashboard = site.get(f"/analytics{RANGE}", user=admin)
    assert dashboard.count("<svg") == 2 and '<title id="gk-chart-growth-title">Members</title>' in dashboard
    assert "<script" not in dashboard and "http://" not in dashboard.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "/community/api/analytics/growth.csv?start=2026-01-01&amp;end=2026-01-07&amp;bucket=day" in dashboard
    assert "<caption>Members per day</caption>" in dashboard and '<th scope="row">Jan 6, 2026</th>' in dashboard
    retention = site.get(f"/analytics/retention{RANGE}", user=admin)
    assert "Cohort retention" in retention and "<rect" in retention and "retention.csv" in retention
    for path in ("/members", "/engagement", "/recognition"):
        page = site.get(f"/analytics{path}{RANGE}", user=admin)
        assert "<svg" in page and "<table" in page and ".csv?" in page
    bad = site.client.get("/community/analytics?start=2026-02-01&end=2026-01-01", headers={"X-User": admin})
    assert bad.status_code == 422 and 'id="gk-end-error"' in bad.get_data(as_text=True)


def test_surveys_on_the_pages(site: Site, gk: GuildKit, people: dict[str, str], gk_clock: Clock) -> None:
    admin, ann = people["admin"], people["ann"]
    bad = site.post("/analytics/surveys", {"kind": "csat", "question": "Happy?", "days": "0"}, user=admin)
    assert bad.status_code == 422 and 'id="gk-error-days"' in bad.get_data(as_text=True)
    opened = site.post("/analytics/surveys", {"kind": "csat", "question": "Happy here?", "days": "3"}, user=admin)
    assert opened.status_code == 303
    [survey] = gk.analytics.surveys.all()
    # Open for three local days: until midnight after 9 January in Berlin.
    assert survey.closes_at == datetime(2026, 1, 9, 23, tzinfo=UTC)
    home = site.get("/", user=ann)
    assert "Happy here?" in home and 'name="score" value="5"' in home  # the notice, with its form
    assert site.post(f"/surveys/{survey.id}/respond", {"score": "9"}, user=ann).status_code == 422
    assert site.post(f"/surveys/{survey.id}/respond", {"score": "4"}, user=ann).status_code == 303
    assert "Happy here?" not in site.get("/", user=ann)
    assert "You answered 4" in site.get(f"/surveys/{survey.id}", user=ann)
    assert site.post(f"/surveys/{survey.id}/respond", {"score": "5"}, user=ann).status_code == 409
    site.get(f"/surveys/{survey.id}", status=401)
    site.get("/surveys/999", user=ann, status=404)
    listing = site.get("/analytics/surveys", user=admin)
    assert "CSAT 100.0%" in listing and "Close survey" in listing
    gk_clock.advance(hours=1)
    assert site.post(f"/analytics/surveys/{survey.id}/close", {}, user=admin).status_code == 303
    assert gk.analytics.surveys.get(survey.id).state == "closed"
    rows = _csv(site.get("/analytics/surveys.csv", user=admin))
    assert [(r["kind"], r["responses"], r["csat"]) for r in rows] == [("csat", "1", "100.0")]


def test_the_analytics_link_is_in_the_nav_for_viewers_only(site: Site, people: dict[str, str]) -> None:
    link = 'href="/community/analytics"'
    assert link in site.get("/", user=people["admin"])
    assert link not in site.get("/", user=people["ann"]) and link not in site.get("/")
