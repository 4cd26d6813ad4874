"""Community objectives over HTTP: the API (in the OpenAPI document; 422 naming the field and
writing nothing; 401/403 by permission; 404 and 409), the pages (the list, one objective, the
section on the analytics dashboard; the form naming every bad field at once and keeping what was
typed; archive and restore). What reads or writes data runs on every backend; the OpenAPI document
and the bad input of the API and the form, which Python refuses before any transaction opens, on
SQLite only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildkit import GuildKit
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests import test_objectives
from tests.test_objectives import (
    DAY0,
    DUE,
    MEMBERS,
    OBJECTIVES,
    REGISTERED,
    TODAY,
    count,
    hand_mau,
    make,
)
from tests.webclient import API_PREFIX, Api, Site, mount, problem

START = DAY0 + timedelta(days=20)
GOOD = {"title": "Grow MAU", "kpi": "mau", "direction": "at_least", "target": 40,
        "starts_on": START.isoformat(), "due_on": DUE.isoformat()}  # fmt: skip
FORM = {"title": "Grow MAU", "kpi": "mau", "direction": "at_least", "target": "40", "starts_on": START.isoformat(),
        "due_on": DUE.isoformat(), "owner": "boss", "notes": ""}  # fmt: skip


# The core tests' fixtures: the same plugins and communities, each community built once a session
# on SQLite.
gk_plugins, community, gk_app = test_objectives.gk_plugins, test_objectives.community, test_objectives.gk_app
people, world = test_objectives.people, test_objectives.world


@pytest.fixture
def client(gk_app: Flask, people: GuildKit) -> FlaskClient:
    return mount(gk_app, people)


@pytest.fixture
def api(client: FlaskClient, people: GuildKit) -> Api:
    return Api(
        client,
        {
            "analyst": people.tokens.create(None, "bi", ["analytics.view"])[0],
            "manager": people.tokens.create(None, "planning", ["analytics.view", "objectives.manage"])[0],
        },
    )


@pytest.fixture
def site(client: FlaskClient, people: GuildKit) -> Site:
    return Site(client, people)


# -- the API ---------------------------------------------------------------------------------


def test_the_api_sets_reads_and_lists_objectives(api: Api, world: GuildKit) -> None:
    made = api.ok("POST", "/objectives", user="boss", body=GOOD | {"owner": "ann"}, status=201)
    assert (made["kpi_name"], made["unit"], made["owner"], made["owner_name"]) == (
        "Monthly active members (MAU)", "count", "ann", "Ann",
    )  # fmt: skip
    assert made["baseline"] == hand_mau(START) and made["state"] == "active"
    standing = made["standing"]
    assert standing["current"] == hand_mau(TODAY) == MEMBERS and standing["outlook"] in ("on_track", "off_track")
    assert [r["value"] for r in standing["trend"]] == [
        hand_mau(START + timedelta(days=int(d))) for d in _offsets(standing["trend"])
    ]
    assert api.ok("GET", f"/objectives/{made['id']}", user="ann") == made
    assert [o["id"] for o in api.ok("GET", "/objectives", token="analyst")] == [made["id"]]
    assert api.ok("GET", "/objectives?state=archived", user="ann") == []
    kpis = {k["key"]: k for k in api.ok("GET", "/objectives/kpis", user="ann")}
    assert kpis["first_response_hours"]["unit"] == "hours" and kpis["churn_rate"]["better"] == "down"
    changed = api.ok("PATCH", f"/objectives/{made['id']}", user="boss", body={"target": MEMBERS - 5})
    assert changed["target"] == MEMBERS - 5 and changed["standing"]["reached"] is True


def _offsets(trend: list[dict[str, Any]]) -> list[int]:
    from datetime import date

    return [(date.fromisoformat(r["day"]) - START).days for r in trend]


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"kpi": "happiness"}, "kpi"),
    ({"direction": "up"}, "direction"),
    ({"target": "lots"}, "target"),
    ({"target": 120, "kpi": "stickiness"}, "target"),
    ({"due_on": START.isoformat()}, "due_on"),
    ({"starts_on": "soon"}, "starts_on"),
    ({"owner": "bob"}, "owner"),
    ({"title": ""}, "title"),
]


# Bad input on SQLite only: the schema and the service check each field in Python before a
# transaction opens, the same on every backend; test_objectives.py shows on each that a refusal
# writes nothing.
@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    api: Api, people: GuildKit, subtests: pytest.Subtests
) -> None:
    for change, field in BAD_INPUT:
        with subtests.test(field=field, change=change):
            problem(api.call("POST", "/objectives", user="boss", body=GOOD | change), 422, field)
            assert count(people, OBJECTIVES) == 0


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_service_names_every_bad_field_at_once(api: Api, people: GuildKit) -> None:
    body = GOOD | {"kpi": "happiness", "due_on": START.isoformat(), "owner": "bob"}
    errors = problem(api.call("POST", "/objectives", user="boss", body=body), 422)["errors"]
    assert set(errors) == {"kpi", "due_on", "owner"}
    assert count(people, OBJECTIVES) == 0


def test_reading_needs_the_analytics_and_changing_needs_the_permission(api: Api, people: GuildKit) -> None:
    problem(api.call("GET", "/objectives"), 401)
    problem(api.call("GET", "/objectives", user="bob"), 403)
    problem(api.call("GET", "/objectives/kpis", user="bob"), 403)
    for caller in ({"user": "ann"}, {"token": "analyst"}, {"user": "bob"}):
        problem(api.call("POST", "/objectives", body=GOOD, **caller), 403)  # type: ignore[arg-type]
    problem(api.call("POST", "/objectives", body=GOOD), 401)
    # A token acts for no one: it names the owner.
    problem(api.call("POST", "/objectives", token="manager", body=GOOD), 422, "owner")
    made = api.ok("POST", "/objectives", token="manager", body=GOOD | {"owner": "ann"}, status=201)
    assert made["created_by"] is None
    for path in (f"/objectives/{made['id']}/archive", f"/objectives/{made['id']}/restore"):
        problem(api.call("POST", path, user="ann"), 403)
    problem(api.call("PATCH", f"/objectives/{made['id']}", user="ann", body={"target": 1}), 403)
    assert people.objectives.get(made["id"]).state == "active"


def test_archive_restore_and_refused_moves(api: Api, people: GuildKit) -> None:
    made = api.ok("POST", "/objectives", user="boss", body=GOOD, status=201)
    path = f"/objectives/{made['id']}"
    problem(api.call("POST", path + "/restore", user="boss"), 409)
    assert api.ok("POST", path + "/archive", user="boss")["state"] == "archived"
    problem(api.call("POST", path + "/archive", user="boss"), 409)
    problem(api.call("PATCH", path, user="boss", body={"target": 1}), 409)
    assert api.ok("POST", path + "/restore", user="boss")["state"] == "active"
    problem(api.call("GET", "/objectives/999999", user="boss"), 404)
    problem(api.call("PATCH", "/objectives/999999", user="boss", body={"target": 1}), 404)


# SQLite only: the document is built from the routes and schemas, whatever the database.
@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_api_is_in_the_openapi_document(api: Api) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    operations = {
        (p.removeprefix(API_PREFIX), m) for p, ops in spec["paths"].items() if "/objectives" in p for m in ops
    }
    assert operations == {
        ("/objectives", "get"), ("/objectives", "post"), ("/objectives/kpis", "get"),
        ("/objectives/{objective_id}", "get"), ("/objectives/{objective_id}", "patch"),
        ("/objectives/{objective_id}/archive", "post"), ("/objectives/{objective_id}/restore", "post"),
    }  # fmt: skip
    post = spec["paths"][API_PREFIX + "/objectives"]["post"]
    assert post["tags"] == ["objectives"] and {"401", "403", "422"} <= set(post["responses"])
    assert {"Objective", "ObjectiveIn", "ObjectivePatch", "Kpi"} <= set(spec["components"]["schemas"])


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_objectives_api_keeps_its_promises(api: Api, people: GuildKit, gk_app: Flask) -> None:
    made = api.ok("POST", "/objectives", user="boss", body=GOOD, status=201)
    api.ok("POST", "/objectives", user="boss", body=GOOD | {"title": "Archived"}, status=201)
    api.ok("POST", f"/objectives/{made['id'] + 1}/archive", user="boss")
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", gk_app)
    operations = [r.ok() for r in schema.get_all_operations() if "/objectives" in r.ok().path]
    assert len(operations) == 7
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"X-User": "boss"}, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


# -- the pages -------------------------------------------------------------------------------


def test_the_pages_show_progress_trend_and_outlook_in_words(site: Site, world: GuildKit) -> None:
    on_track = make(world, title="Reach everyone", target=MEMBERS)
    off_track = make(world, title="Grow the membership", kpi="members", target=MEMBERS + 10)
    listing = site.get("/analytics/objectives", user="ann")
    assert "Reach everyone" in listing and "Grow the membership" in listing
    assert "On track" in listing and "Off track" in listing
    assert "Monthly active members (MAU) at least 20 by Jun 30, 2026" in listing
    assert listing.count('class="gk-chart gk-sparkline" role="img"') == 2 and "<desc id=" in listing
    assert "<progress" in listing and "Set an objective" not in listing  # ann may not manage
    assert "mau" not in listing.replace("(MAU)", "")  # words, never the KPI's key
    page = site.get(f"/analytics/objectives/{on_track.id}", user="ann")
    assert "Readings of Monthly active members (MAU), newest first" in page and 'id="gk-chart-objective-title"' in page
    dashboard = site.get("/analytics", user="boss")
    assert 'id="gk-objectives"' in dashboard and "Reach everyone" in dashboard and "Set an objective" in dashboard
    assert f"/analytics/objectives/{off_track.id}" in dashboard
    site.get("/analytics/objectives", user="bob", status=403)
    site.get("/analytics/objectives", status=401)
    site.get(f"/analytics/objectives/{on_track.id}", user="bob", status=403)
    site.get("/analytics/objectives/999999", user="ann", status=404)


# SQLite only, as the API's bad input above.
@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_form_names_every_bad_field_and_writes_nothing(site: Site, people: GuildKit) -> None:
    form = site.get("/analytics/objectives/new", user="boss")
    assert '<label for="gk-title">' in form and 'name="csrf_token"' in form and "Monthly active members" in form
    site.get("/analytics/objectives/new", user="ann", status=403)
    bad = FORM | {"title": "", "kpi": "happiness", "direction": "sideways", "target": "a lot",
                  "starts_on": DUE.isoformat(), "due_on": START.isoformat()}  # fmt: skip
    refused = site.post("/analytics/objectives/new", bad, user="boss")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "There is a problem" in text
    for field in ("title", "kpi", "direction", "target", "due_on"):
        assert f'aria-describedby="gk-error-{field}"' in text or f'id="gk-error-{field}"' in text, field
    assert "Target must be a number" in text and "Due date must be after the start date" in text
    assert 'value="a lot"' in text  # what was typed is kept
    assert count(people, OBJECTIVES) == 0
    assert site.post("/analytics/objectives/new", FORM, user="ann").status_code == 403
    assert site.post("/analytics/objectives/new", FORM, user="boss", csrf=False).status_code == 400
    assert count(people, OBJECTIVES) == 0


def test_setting_changing_archiving_and_restoring_on_the_pages(site: Site, people: GuildKit) -> None:
    done = site.post("/analytics/objectives/new", FORM | {"target": "1,200", "owner": "ann"}, user="boss")
    assert done.status_code == 303
    (made,) = people.objectives.list()
    assert done.headers["Location"].endswith(f"/analytics/objectives/{made.id}?done=saved")
    assert (made.target, made.owner, made.created_by) == (1200, "ann", "boss")
    edit = site.get(f"/analytics/objectives/{made.id}/edit", user="boss")
    assert 'value="1,200"' in edit
    changed = site.post(f"/analytics/objectives/{made.id}/edit", FORM | {"target": "4.5", "direction": "at_most"},
                        user="boss")  # fmt: skip
    assert changed.status_code == 303
    assert (people.objectives.get(made.id).target, people.objectives.get(made.id).direction) == (4.5, "at_most")
    assert site.post(f"/analytics/objectives/{made.id}/archive", {}, user="ann").status_code == 403
    assert site.post(f"/analytics/objectives/{made.id}/archive", {}, user="boss").status_code == 303
    archived = site.get(f"/analytics/objectives/{made.id}?done=archived", user="boss")
    assert "Objective archived." in archived and "Restore" in archived
    assert site.post(f"/analytics/objectives/{made.id}/edit", FORM, user="boss").status_code == 409
    assert site.post(f"/analytics/objectives/{made.id}/restore", {}, user="boss").status_code == 303
    assert people.objectives.get(made.id).state == "active"


@pytest.mark.skipif(not REGISTERED, reason="needs guildkit.objectives in DEFAULT_PLUGINS (the deny list names it)")
def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.objectives"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, _):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert not [r.rule for r in app.url_map.iter_rules() if "objective" in r.rule]
