"""The signature: GitHub's HMAC-SHA256 over the raw body, checked before anything is parsed.

A delivery that fails the check is answered 401 and records nothing: the same delivery,
sent again correctly signed, is then recorded for the first time (not a duplicate).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from guildkit import GuildKit

import guildkit_github
from github_support import SECRET, GitHub
from guildkit_github.rules import POINT_TYPE

# The example in GitHub's "Validating webhook deliveries" documentation.
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello, World!"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
MERGE = "github:1296269:pr#1347:merged@2026-01-04T10:15:00Z"


def test_sign_matches_githubs_documented_example() -> None:
    assert guildkit_github.sign(DOC_SECRET, DOC_BODY) == DOC_SIGNATURE
    assert guildkit_github.verify([DOC_SECRET.encode()], DOC_BODY, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "missing"),
        ("", "empty"),
        ("sha1=" + "0" * 40, "the old SHA-1 header format"),
        ("sha256=xyz", "not hex"),
        ("sha256=" + "0" * 64, "wrong digest"),
        (DOC_SIGNATURE[:-1], "truncated"),
    ],
)
def test_verify_rejects(header: str | None, why: str) -> None:
    assert not guildkit_github.verify([DOC_SECRET.encode()], DOC_BODY, header), why


def test_verify_accepts_any_of_several_secrets_and_upper_case_hex() -> None:
    secrets = [b"old-secret", DOC_SECRET.encode()]
    assert guildkit_github.verify(secrets, DOC_BODY, "sha256=" + DOC_SIGNATURE[7:].upper())
    assert not guildkit_github.verify([b"old-secret"], DOC_BODY, DOC_SIGNATURE)
    assert not guildkit_github.verify([], DOC_BODY, DOC_SIGNATURE)


def _merged(payloads: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return payloads("pull_request_closed_merged")


def _nothing_recorded(gk: GuildKit, github: GitHub, payload: dict[str, Any], delivery: str, author: str) -> None:
    assert gk.balance(author, POINT_TYPE) == 0
    assert gk.badges(author) == []
    again = github.deliver("pull_request", payload, delivery=delivery)
    assert again.status == 200
    assert (again.body["delivery"], again.body["activities"]) == (
        delivery,
        [{"key": MERGE, "type": "github.pull_request.merged", "duplicate": False}],
    )
    assert gk.balance(author, POINT_TYPE) == 10


def test_wrong_secret_is_401_and_records_nothing(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Callable[[str], dict[str, Any]]
) -> None:
    payload = _merged(payloads)
    reply = github.deliver("pull_request", payload, delivery="d-wrong-secret", secret="not the secret")
    assert reply.status == 401
    assert reply.content_type == "application/problem+json"
    assert reply.body["code"] == "bad_signature"
    assert reply.body["errors"] == {"X-Hub-Signature-256": ["X-Hub-Signature-256 does not match the body"]}
    _nothing_recorded(gk, github, payload, "d-wrong-secret", linked["octocat"])


def test_missing_signature_is_401_and_records_nothing(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Callable[[str], dict[str, Any]]
) -> None:
    payload = _merged(payloads)
    reply = github.deliver("pull_request", payload, delivery="d-unsigned", secret=None)
    assert reply.status == 401
    assert reply.body["detail"] == "missing X-Hub-Signature-256 header"
    _nothing_recorded(gk, github, payload, "d-unsigned", linked["octocat"])


def test_tampered_body_is_401_and_records_nothing(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Callable[[str], dict[str, Any]]
) -> None:
    payload = _merged(payloads)
    signed = json.dumps(payload).encode()
    tampered = signed.replace(b'"login": "octocat"', b'"login": "mallory"', 1)
    assert tampered != signed
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "d-tampered",
        "X-Hub-Signature-256": guildkit_github.sign(SECRET, signed),
    }
    assert github.post(tampered, headers).status == 401
    _nothing_recorded(gk, github, payload, "d-tampered", linked["octocat"])


def test_the_signature_is_checked_before_the_json(gk: GuildKit, github: GitHub) -> None:
    # An unsigned garbage body is refused for its signature, never parsed.
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"}
    reply = github.post(b"{not json", headers)
    assert (reply.status, reply.body["code"]) == (401, "bad_signature")


class TestRotation:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_GITHUB_SECRET": ["the-new-secret", SECRET]}

    @pytest.fixture(params=["sqlite"])
    def gk_backend(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    def test_either_secret_is_accepted_while_rotating(self, github: GitHub, payloads: Callable[[str], Any]) -> None:
        assert github.deliver("ping", payloads("ping"), secret="the-new-secret").status == 200
        assert github.deliver("ping", payloads("ping"), secret=SECRET).status == 200
        assert github.deliver("ping", payloads("ping"), secret="a third secret").status == 401
