"""Security headers on guildkit's own responses (pages, API, stylesheet, images, errors), and on
nothing of the host's. Every GET rule of guildkit's blueprint is read from the URL map."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from guildkit import GuildKit
from guildkit.config import DEFAULTS
from guildkit.errors import ConfigurationError
from guildkit.testing import make_app
from guildkit.web.badge_art import IMAGE_HEADERS
from tests.security_world import ADMIN, World, seed, url_for_rule
from tests.webclient import API_PREFIX, PREFIX, mount

DEFAULT_CSP = DEFAULTS["GUILDKIT_CONTENT_SECURITY_POLICY"] + "; frame-ancestors 'none'"
HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"


@pytest.fixture
def world(gk_app: Flask, gk: GuildKit) -> tuple[FlaskClient, World]:
    client = mount(gk_app, gk)

    @gk_app.route("/host")
    def host() -> str:
        return "the host's page"

    return client, seed(gk)


def guildkit_gets(app: Flask, places: World) -> list[str]:
    """A URL for every GET rule of guildkit's blueprint: pages, API, OpenAPI, docs, static files."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith("guildkit.") and "GET" in (rule.methods or ()) and "anything" not in rule.rule:
            urls.append(url_for_rule(places, rule))
    return urls


def test_every_guildkit_response_has_them(gk_app: Flask, world: tuple[FlaskClient, World]) -> None:
    client, places = world
    urls = guildkit_gets(gk_app, places)
    assert len(urls) >= 100 and f"{PREFIX}/admin" in urls and f"{PREFIX}/moderation" in urls
    wrong = []
    for url in urls:
        for who in ({"X-User": ADMIN}, {}):  # pages and errors alike (401s for nobody)
            response = client.get(url, headers=who)
            images = "badge" in url and "image" in url and response.mimetype.startswith("image/")
            expected = {
                "Content-Security-Policy": IMAGE_HEADERS["Content-Security-Policy"] if images else DEFAULT_CSP,
                "X-Frame-Options": "DENY",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            }
            got = {name: response.headers.get(name) for name in HEADERS}
            response.close()  # static files are streamed from an open file
            if got != expected:
                wrong.append(f"GET {url} {who} ({response.status_code}): {got}")
    assert not wrong, "\n".join(wrong)


def test_errors_and_unknown_urls_have_them(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    for response in (
        client.get(f"{API_PREFIX}/no/such/thing"),
        client.get(f"{API_PREFIX}/moderation/cases"),  # 401
        client.get(f"{API_PREFIX}/members", headers={"Authorization": "Bearer nope"}),
        client.open(f"{API_PREFIX}/members", method="TRACE"),
        client.get(f"{PREFIX}/members/nobody"),  # the page's 404
    ):
        assert response.status_code >= 400
        assert response.headers["Content-Security-Policy"] == DEFAULT_CSP, response.request.path
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_host_gets_none(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    for response in (client.get("/host"), client.get("/not-anywhere"), client.get(f"{PREFIX}-not/members")):
        assert not set(HEADERS) & set(response.headers.keys()), response.headers


def test_the_host_has_the_last_word(gk_app: Flask, world: tuple[FlaskClient, World]) -> None:
    """An app-wide after_request of the host runs after guildkit's, so it can change any of them."""
    client, _ = world

    @gk_app.after_request
    def own_policy(response: Response) -> Response:
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    response = client.get(f"{PREFIX}/members")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"GUILDKIT_SECURITY_HEADERS": False}, {}),
        (
            {"GUILDKIT_FRAME_ANCESTORS": "'self'"},
            {
                "Content-Security-Policy": DEFAULTS["GUILDKIT_CONTENT_SECURITY_POLICY"] + "; frame-ancestors 'self'",
                "X-Frame-Options": "SAMEORIGIN",
            },
        ),
        (
            {"GUILDKIT_FRAME_ANCESTORS": "'self' https://intranet.example.org"},
            {
                "Content-Security-Policy": DEFAULTS["GUILDKIT_CONTENT_SECURITY_POLICY"]
                + "; frame-ancestors 'self' https://intranet.example.org",
                "X-Frame-Options": None,
            },
        ),
        (
            {"GUILDKIT_FRAME_ANCESTORS": None},
            {"Content-Security-Policy": DEFAULTS["GUILDKIT_CONTENT_SECURITY_POLICY"], "X-Frame-Options": None},
        ),
        (
            {"GUILDKIT_CONTENT_SECURITY_POLICY": None},
            {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"},
        ),
        (
            {"GUILDKIT_CONTENT_SECURITY_POLICY": "default-src 'self'; frame-ancestors https://a.example;"},
            {
                "Content-Security-Policy": "default-src 'self'; frame-ancestors https://a.example",
                "X-Frame-Options": "DENY",
            },
        ),
        (
            {"GUILDKIT_CONTENT_SECURITY_POLICY": None, "GUILDKIT_FRAME_ANCESTORS": None},
            {"Content-Security-Policy": None, "X-Frame-Options": None},
        ),
    ],
)
def test_the_host_configures_them(tmp_path: Any, config: dict[str, Any], expected: dict[str, str | None]) -> None:
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        client = mount(app, gk)
        for url in (f"{PREFIX}/members", f"{API_PREFIX}/members"):
            headers = client.get(url).headers
            if not expected:
                assert not set(HEADERS) & set(headers.keys()), url
                continue
            assert headers["X-Content-Type-Options"] == "nosniff"
            for name, value in expected.items():
                assert headers.get(name) == value, (url, name)
        # A view's own header stays: badge images keep their sandboxing policy whatever the config.
        slug = next(iter(gk.registry.badges), None)
        if slug is not None:
            image = client.get(f"{PREFIX}/badge-images/{slug}")
            assert image.headers["Content-Security-Policy"] == IMAGE_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize(
    "config",
    [
        {"GUILDKIT_SECURITY_HEADERS": "yes"},
        {"GUILDKIT_CONTENT_SECURITY_POLICY": ["default-src 'none'"]},
        {"GUILDKIT_FRAME_ANCESTORS": 0},
    ],
)
def test_bad_values_fail_at_start_up(tmp_path: Any, config: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match=next(iter(config))), make_app("sqlite", tmp_path, config=config):
        pass
