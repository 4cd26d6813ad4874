"""The receiver's HTTP contract: mounting, headers, content type, JSON, size limit, ping, and what
it ignores. These do not depend on the database, so they run on SQLite only (the recording
tests run on every backend)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from guildkit import ConfigurationError
from guildkit.testing import make_app

import guildkit_github
from github_support import SECRET, GitHub
from guildkit_github.rules import POINT_TYPE

Payloads = Callable[[str], dict[str, Any]]


@pytest.fixture(params=["sqlite"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _rules(app: Flask) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("guildkit_github.")]


def test_not_mounted_without_a_secret(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(guildkit_github,)) as (app, gk):
        assert _rules(app) == []
        assert app.test_client().post("/hooks/github", json={}).status_code == 404
        # Inert: no point type or badges of its own either, and the link table is there.
        assert POINT_TYPE not in gk.registry.point_types
        assert not [slug for slug in gk.registry.badges if slug.startswith("github-")]
        assert guildkit_github.linked_accounts(gk) == []


def test_mounted_at_the_configured_path(tmp_path: Path) -> None:
    config = {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_WEBHOOK_PATH": "/integrations/gh"}
    with make_app("sqlite", tmp_path, plugins=(guildkit_github,), config=config) as (app, _):
        assert _rules(app) == ["/integrations/gh"]
        assert app.test_client().get("/integrations/gh").status_code == 405


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("GUILDKIT_GITHUB_SECRET", 12345, "GUILDKIT_GITHUB_SECRET must be a string"),
        ("GUILDKIT_GITHUB_SECRET", ["ok", ""], "GUILDKIT_GITHUB_SECRET must hold non-empty strings"),
        ("GUILDKIT_GITHUB_WEBHOOK_PATH", "hooks/github", "GUILDKIT_GITHUB_WEBHOOK_PATH must be a path"),
        ("GUILDKIT_GITHUB_MAX_BODY_BYTES", 10, "GUILDKIT_GITHUB_MAX_BODY_BYTES must be an integer of at least 1024"),
        ("GUILDKIT_GITHUB_RESOLVE", "module.function", "GUILDKIT_GITHUB_RESOLVE must be a callable"),
        ("GUILDKIT_GITHUB_DEFAULT_RULES", "yes", "GUILDKIT_GITHUB_DEFAULT_RULES must be None"),
        ("GUILDKIT_GITHUB_REPOSITORIES", "octocat/Hello-World", "GUILDKIT_GITHUB_REPOSITORIES must be a list"),
        ("GUILDKIT_GITHUB_REPOSITORIES", ["octocat"], "GUILDKIT_GITHUB_REPOSITORIES entries must look like"),
        ("GUILDKIT_GITHUB_INCLUDE_PRIVATE", 1, "GUILDKIT_GITHUB_INCLUDE_PRIVATE must be True or False"),
        ("GUILDKIT_GITHUB_API_URL", "api.github.com", "GUILDKIT_GITHUB_API_URL must be an http(s):// URL"),
    ],
)
def test_a_bad_config_value_fails_at_start_up(tmp_path: Path, key: str, value: object, message: str) -> None:
    with (
        pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")),
        make_app("sqlite", tmp_path, plugins=(guildkit_github,), config={key: value}),
    ):
        pass  # pragma: no cover - make_app raises


def test_the_secret_is_never_echoed_in_errors(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError) as caught,
        make_app("sqlite", tmp_path, plugins=(guildkit_github,), config={"GUILDKIT_GITHUB_SECRET": {"s3cret": 1}}),
    ):
        pass  # pragma: no cover - make_app raises
    assert "s3cret" not in str(caught.value)


def test_ping_is_answered(github: GitHub, payloads: Payloads) -> None:
    reply = github.deliver("ping", payloads("ping"), delivery="ping-1")
    assert (reply.status, reply.body) == (200, {"pong": True, "delivery": "ping-1"})


@pytest.mark.parametrize("header", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_a_missing_header_is_400_naming_it(github: GitHub, payloads: Payloads, header: str) -> None:
    reply = github.deliver("ping", payloads("ping"), headers={header: ""})
    assert reply.status == 400
    assert reply.body["code"] == "missing_header"
    assert reply.body["errors"] == {header: [f"missing {header} header"]}


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-GitHub-Event", "Pull Request"), ("X-GitHub-Delivery", "not/a guid"), ("X-GitHub-Delivery", "a" * 101)],
)
def test_a_malformed_header_is_400_naming_it(github: GitHub, payloads: Payloads, header: str, value: str) -> None:
    reply = github.deliver("ping", payloads("ping"), headers={header: value})
    assert (reply.status, reply.body["code"], list(reply.body["errors"])) == (400, "bad_header", [header])


def test_a_form_encoded_delivery_is_415(github: GitHub) -> None:
    body = b"payload=%7B%7D"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": "d-form",
        "X-Hub-Signature-256": guildkit_github.sign(SECRET, body),
    }
    reply = github.post(body, headers)
    assert (reply.status, reply.body["code"], list(reply.body["errors"])) == (
        415,
        "unsupported_media_type",
        ["Content-Type"],
    )
    assert "application/json" in reply.body["detail"]


@pytest.mark.parametrize(("body", "detail"), [(b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object")])
def test_bad_json_is_400(github: GitHub, body: bytes, detail: str) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "d-json",
        "X-Hub-Signature-256": guildkit_github.sign(SECRET, body),
    }
    reply = github.post(body, headers)
    assert (reply.status, reply.body["code"], list(reply.body["errors"])) == (400, "bad_json", ["body"])
    assert detail in reply.body["detail"]


@pytest.mark.parametrize(
    ("event", "name", "path", "message"),
    [
        ("pull_request", "pull_request_closed_merged", "pull_request.user.id", "must be an integer"),
        # The event's own time and the repository's id are part of the activity's key.
        ("pull_request", "pull_request_closed_merged", "pull_request.merged_at", "must be an ISO 8601 timestamp"),
        ("issues", "issues_closed", "issue.closed_at", "must be an ISO 8601 timestamp"),
        ("issues", "issues_opened", "repository.id", "must be an integer"),
    ],
)
def test_a_payload_missing_a_needed_field_is_400_naming_it(
    github: GitHub, payloads: Payloads, event: str, name: str, path: str, message: str
) -> None:
    payload = payloads(name)
    *parents, last = path.split(".")
    holder = payload
    for step in parents:
        holder = holder[step]
    del holder[last]
    reply = github.deliver(event, payload)
    assert reply.status == 400
    assert reply.body["code"] == "invalid_payload"
    assert reply.body["errors"] == {path: [f"payload field {path} {message}"]}


@pytest.mark.parametrize(
    ("event", "change", "reason"),
    [
        ("pull_request", {"action": "opened"}, "pull_request.opened: not mapped"),
        ("issues", {"action": "labeled"}, "issues.labeled: not mapped"),
        ("release", {"action": "created"}, "release.created: not mapped"),
        ("star", {"action": "created"}, "star.created: not mapped"),
        ("push", {"action": None}, "push: not mapped (no action)"),
    ],
)
def test_unhandled_events_and_actions_are_202_ignored(
    github: GitHub, payloads: Payloads, event: str, change: dict[str, Any], reason: str
) -> None:
    reply = github.deliver(event, payloads("issues_opened") | change, delivery="d-ignored")
    assert (reply.status, reply.body) == (202, {"delivery": "d-ignored", "ignored": reason})


def test_a_pull_request_closed_without_merging_is_ignored(github: GitHub, payloads: Payloads) -> None:
    payload = payloads("pull_request_closed_merged")
    payload["pull_request"].update(merged=False, merged_by=None, merged_at=None)
    reply = github.deliver("pull_request", payload)
    assert (reply.status, reply.body["ignored"]) == (202, "pull_request.closed: closed without merging")


class TestSizeLimit:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_MAX_BODY_BYTES": 4096}

    def test_the_default_limit_is_one_mebibyte(self, tmp_path: Path) -> None:
        with make_app("sqlite", tmp_path, plugins=(guildkit_github,)) as (app, _):
            assert app.config["GUILDKIT_GITHUB_MAX_BODY_BYTES"] == 1024 * 1024

    def test_a_body_over_the_limit_is_413(self, github: GitHub, payloads: Payloads) -> None:
        payload = payloads("issues_opened")
        payload["issue"]["body"] = "x" * 4096
        reply = github.deliver("issues", payload)
        assert reply.status == 413
        assert reply.body["code"] == "too_large"
        assert "GUILDKIT_GITHUB_MAX_BODY_BYTES" in reply.body["detail"]

    def test_a_chunked_body_over_the_limit_is_413(self, github: GitHub) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"zen": "'
            for _ in range(5):
                yield b"x" * 1000
            yield b'"}'

        headers = {"Content-Type": "application/json", "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-big"}
        reply = github.post(chunks(), headers, chunked=True)
        assert reply.status == 413

    def test_a_body_at_the_limit_is_read(self, github: GitHub, payloads: Payloads) -> None:
        payload = payloads("ping")
        payload["zen"] = ""
        size = len(github.encode(payload))
        payload["zen"] = "z" * (4096 - size)
        assert len(github.encode(payload)) == 4096
        assert github.deliver("ping", payload).status == 200


class TestRepositories:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_REPOSITORIES": ["octocat/Spoon-Knife", "github/*"]}

    def test_other_repositories_are_ignored(self, github: GitHub, payloads: Payloads, linked: dict[str, str]) -> None:
        reply = github.deliver("issues", payloads("issues_opened"))
        assert (reply.status, reply.body["ignored"]) == (
            202,
            "octocat/Hello-World: not in GUILDKIT_GITHUB_REPOSITORIES",
        )

    @pytest.mark.parametrize("full_name", ["octocat/spoon-knife", "GitHub/docs"])
    def test_listed_repositories_are_recorded(
        self, github: GitHub, payloads: Payloads, linked: dict[str, str], full_name: str
    ) -> None:
        payload = payloads("issues_opened")
        payload["repository"]["full_name"] = full_name
        reply = github.deliver("issues", payload)
        assert reply.status == 200
        assert [a["type"] for a in reply.body["activities"]] == ["github.issue.opened"]


def test_private_repositories_are_ignored_by_default(
    github: GitHub, payloads: Payloads, linked: dict[str, str]
) -> None:
    payload = payloads("issues_opened")
    payload["repository"]["private"] = True
    reply = github.deliver("issues", payload)
    assert (reply.status, reply.body["ignored"]) == (202, "octocat/Hello-World: private repositories are not recorded")


class TestPrivateRepositoriesIncluded:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_INCLUDE_PRIVATE": True}

    def test_they_are_recorded(self, github: GitHub, payloads: Payloads, linked: dict[str, str]) -> None:
        payload = payloads("issues_opened")
        payload["repository"]["private"] = True
        assert github.deliver("issues", payload).status == 200
