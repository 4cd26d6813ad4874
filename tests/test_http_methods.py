"""Methods a guildkit API URL does not have: ``405`` with ``Allow`` and a problem document.

Werkzeug refuses a method no rule has before any blueprint is chosen, so without help the host's
HTML 405 page would answer for guildkit's API; and a method only the API's catch-all has
(``PUT /members``) would be a 404. Every URL of the URL map is checked with every method it lacks.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guildkit import GuildKit
from tests.security_world import World, api_rules, seed, url_for_rule
from tests.webclient import API_PREFIX, PREFIX, mount, problem

#: Methods to try: the ones a rule may have, and ones none has.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND")


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"


@pytest.fixture
def world(gk_app: Flask, gk: GuildKit) -> tuple[FlaskClient, World]:
    client = mount(gk_app, gk)

    @gk_app.route("/host-only", methods=["GET"])
    def host_only() -> str:
        return "the host's"

    return client, seed(gk)


def allowed_by_url(gk_app: Flask, places: World) -> dict[str, set[str]]:
    """Each API URL (arguments filled in) with the methods of the rules that have it."""
    found: dict[str, set[str]] = defaultdict(set)
    for rule, method in api_rules(gk_app, methods=("GET", "POST", "PUT", "PATCH", "DELETE")):
        found[url_for_rule(places, rule)].add(method)
    return found


def test_every_missing_method_is_a_json_405_with_allow(gk_app: Flask, world: tuple[FlaskClient, World]) -> None:
    client, places = world
    urls = allowed_by_url(gk_app, places)
    assert len(urls) >= 90
    wrong = []
    for url, methods in sorted(urls.items()):
        allow = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        for method in set(METHODS) - allow:
            response = client.open(url, method=method, json={} if method != "HEAD" else None)
            got = (response.status_code, response.mimetype, set(response.headers.get("Allow", "").split(", ")))
            if got != (405, "application/problem+json", allow):
                wrong.append(f"{method} {url}: {got}")
            elif method != "HEAD" and response.get_json()["code"] != "method_not_allowed":
                wrong.append(f"{method} {url}: {response.get_json()}")
            elif "Content-Security-Policy" not in response.headers:
                wrong.append(f"{method} {url}: no security headers")
        options = client.options(url)
        if options.status_code != 200 or set(options.headers["Allow"].split(", ")) != allow:
            wrong.append(f"OPTIONS {url}: {options.status_code} {options.headers.get('Allow')}")
    assert not wrong, "\n".join(wrong)


def test_the_review_findings(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    response = client.open(f"{API_PREFIX}/members", method="TRACE")
    assert problem(response, 405)["detail"] == "TRACE is not allowed here"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    response = client.put(f"{API_PREFIX}/members", json={})
    assert problem(response, 405) and response.headers["Allow"] == "GET, HEAD, OPTIONS"
    response = client.open(f"{API_PREFIX}/openapi.json", method="TRACE")
    assert problem(response, 405) and response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_unknown_api_urls_stay_404_whatever_the_method(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    for method in METHODS:
        response = client.open(f"{API_PREFIX}/no/such/thing", method=method, json={} if method != "HEAD" else None)
        assert response.status_code == 404, method
        if method != "HEAD":
            assert problem(response, 404)["code"] == "not_found"


def test_pages_and_the_host_keep_the_host_405(world: tuple[FlaskClient, World]) -> None:
    """Only the API answers in JSON: a page or a host URL gets whatever the host answers."""
    client, _ = world
    for url in (f"{PREFIX}/members", "/host-only"):
        response = client.open(url, method="TRACE")
        assert response.status_code == 405 and response.mimetype == "text/html", url
    assert "Content-Security-Policy" not in client.open("/host-only", method="TRACE").headers
