"""Property-based run over the OpenAPI document (schemathesis, in-process): no 5xx, and every
response matches the schema the document promises for it."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildkit import GuildKit
from guildkit.web import make_blueprint

TOKEN: dict[str, str] = {}


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"


@pytest.fixture
def api_schema(gk_app: Flask, gk: GuildKit) -> schemathesis.BaseSchema:
    gk_app.register_blueprint(make_blueprint(), url_prefix="/community")
    for n in range(3):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject="answer:1", key=f"up:{n}")
    gk.record("answer.posted", actor="ann", key="post:1")
    # An admin token: every operation is reachable, so its responses get checked too.
    TOKEN["admin"] = gk.tokens.create(None, "fuzz", ["admin"])[0]
    return schemathesis.openapi.from_wsgi("/community/api/openapi.json", gk_app)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


def test_api_keeps_its_promises(api_schema: schemathesis.BaseSchema) -> None:
    # One Hypothesis run per operation (schemathesis' pytest loader does not support pytest 9 yet).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN['admin']}"}, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    # It really ran: hundreds of cases, both accepted and rejected ones.
    assert len(statuses) > 200
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
