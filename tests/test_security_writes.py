"""Cross-site writes: every state-changing API request must be ``application/json``.

An HTML form on another site can post form encoding or ``text/plain``, and a "simple" ``fetch``
can post with no content type at all; none of them can send JSON without a CORS preflight. So
every ``POST``/``PUT``/``PATCH``/``DELETE`` of guildkit's API answers anything but JSON with
``415``, whoever calls and whether or not the endpoint takes a body. The rules are read from the
URL map, so an endpoint added tomorrow is checked too. guildkit's own HTML forms are pages (with a
CSRF token), not the API, and keep working.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guildkit import GuildKit
from tests.security_world import ADMIN, World, api_rules, database_state, seed, url_for_rule
from tests.webclient import PREFIX, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: What a cross-site form or a no-preflight fetch can send: (name, request keyword arguments).
NOT_JSON: tuple[tuple[str, dict[str, Any]], ...] = (
    ("form", {"data": {"reason": "cross-site", "status": "banned"}}),
    ("multipart", {"data": {"reason": "cross-site"}, "content_type": "multipart/form-data"}),
    ("text/plain", {"data": '{"reason": "cross-site", "status": "banned"}', "content_type": "text/plain"}),
    ("no type, no body", {}),
    ("no type, a body", {"data": b'{"reason": "cross-site"}'}),
)


@pytest.fixture
def world(gk_app: Flask, gk: GuildKit) -> tuple[FlaskClient, World]:
    client = mount(gk_app, gk)
    return client, seed(gk)


def test_every_write_refuses_anything_but_json(gk_app: Flask, gk: GuildKit, world: tuple[FlaskClient, World]) -> None:
    client, places = world
    token = gk.tokens.create(None, "every scope", ["admin"])[0]
    writes = api_rules(gk_app)
    # The review's examples are among them: a bodiless accept, marking read, assigning, a DELETE …
    paths = {f"{method} {rule.rule.removeprefix(PREFIX)}" for rule, method in writes}
    assert {
        "POST /api/mentorships/<guildkit_id:mentorship_id>/accept",
        "POST /api/me/notifications/read",
        "POST /api/moderation/cases/<guildkit_id:case_id>/assign",
        "POST /api/events/<guildkit_id:event_id>/check-in-code",
        "DELETE /api/events/<guildkit_id:event_id>/organizers/<user_id>",
        "POST /api/analytics/surveys/<guildkit_id:survey_id>/close",
        "PUT /api/members/<user_id>/status",
    } <= paths
    assert len(writes) >= 50
    before = database_state(gk)
    wrong = []
    for rule, method in writes:
        url = url_for_rule(places, rule)
        for name, sent in NOT_JSON:
            # A signed-in admin (who may do anything) and a token with every scope alike.
            for who in ({"X-User": ADMIN}, {"Authorization": f"Bearer {token}"}):
                response = client.open(url, method=method, headers=who, **sent)
                if response.status_code != 415 or response.mimetype != "application/problem+json":
                    wrong.append(f"{method} {url} ({name}): {response.status_code}")
                elif response.get_json()["code"] != "unsupported_media_type":
                    wrong.append(f"{method} {url} ({name}): {response.get_json()}")
    assert not wrong, "\n".join(wrong)
    assert database_state(gk) == before


def test_the_same_write_goes_through_as_json(gk: GuildKit, world: tuple[FlaskClient, World]) -> None:
    """What the form could not do, the JSON request does: the 415 is the only thing in the way."""
    client, places = world
    accept = f"{PREFIX}/api/mentorships/{places.args['mentorship_id']}/accept"
    admin = {"X-User": ADMIN}
    problem(client.post(accept, headers=admin, data={"go": "1"}), 415)
    assert gk.mentorship.get(places.args["mentorship_id"], ADMIN).state == "requested"
    # A write that takes no body: the JSON content type and no body at all, as clients send it.
    response = client.post(accept, headers=admin, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "accepted"
    # … or {} (what json={} sends); a body with something in it is an error, not ignored.
    read = f"{PREFIX}/api/me/notifications/read"
    assert client.post(read, headers=admin, json={}).status_code == 204
    assert client.post(read, headers=admin, data=b"  ", content_type="application/json").status_code == 204
    body = problem(client.post(read, headers=admin, json={"all": True}), 422)
    assert body["errors"] == {"_schema": ["takes no body: send none, or {}"]}
    problem(client.post(read, headers=admin, json=[]), 422)
    problem(client.post(read, headers=admin, data=b"{nope", content_type="application/json"), 400)
    # JSON with a charset, or a +json type, is JSON.
    response = client.post(read, headers=admin, data=b"{}", content_type="application/json; charset=utf-8")
    assert response.status_code == 204
    assert client.post(read, headers=admin, data=b"{}", content_type="application/merge-patch+json").status_code == 204


def test_reads_need_no_content_type(gk: GuildKit, world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    assert client.get(f"{PREFIX}/api/me", headers={"X-User": ADMIN}).status_code == 200
    assert client.get(f"{PREFIX}/api/members", data="x=1", content_type="text/plain").status_code == 200


def test_the_pages_own_forms_keep_working(gk: GuildKit, world: tuple[FlaskClient, World]) -> None:
    """A page's form posts form encoding with the session's CSRF token: that is not the API."""
    client, places = world
    admin = {"X-User": ADMIN}
    html = client.get(f"{PREFIX}/notifications", headers=admin).get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"{PREFIX}/notifications/read", headers=admin, data={"csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    # Without the token the page refuses, as before.
    assert client.post(f"{PREFIX}/notifications/read", headers=admin, data={}).status_code == 400
    # The mentorship the API would not accept from a form, the page accepts from its own form.
    mentorship = f"{PREFIX}/mentorships/{places.args['mentorship_id']}"
    html = client.get(mentorship, headers=admin).get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"{mentorship}/accept", headers=admin, data={"csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert gk.mentorship.get(places.args["mentorship_id"], ADMIN).state == "accepted"
