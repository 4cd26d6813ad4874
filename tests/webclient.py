"""Test clients for guildkit's blueprint, mounted at ``/community`` with the signed-in user taken from
an ``X-User`` header: :class:`Api` for the JSON API, :class:`Site` for the pages.

.. code-block:: python

    gk_backend = sqlite_and_postgresql  # in a test module: run it on both

    @pytest.fixture
    def api(gk_app: Flask, gk: GuildKit) -> Api:
        return Api(mount(gk_app, gk), {"reader": gk.tokens.create(None, "reader", ["members.read_private"])[0]})
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from guildkit import GuildKit
from guildkit.testing import require_backend
from guildkit.web import make_blueprint
from guildkit.web.endpoint import WRITE_METHODS

PREFIX = "/community"
API_PREFIX = PREFIX + "/api"
#: Where the pages' forms carry the session's CSRF token.
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgresql"])
def sqlite_and_postgresql(request: pytest.FixtureRequest) -> str:
    """The web layer reads the same on guildkit's own and the host's SQLite: test one, and PostgreSQL.
    A test module opts in with ``gk_backend = sqlite_and_postgresql``."""
    return require_backend(str(request.param))


def mount(gk_app: Flask, gk: GuildKit) -> FlaskClient:
    """Register guildkit's blueprint at :data:`PREFIX`; the host's identity is the ``X-User`` header."""
    gk_app.register_blueprint(make_blueprint(), url_prefix=PREFIX)

    @gk.current_user_loader
    def who() -> str | None:
        return request.headers.get("X-User")

    return gk_app.test_client()


def problem(response: TestResponse, status: int, field: str | None = None) -> dict[str, Any]:
    """The problem document of a ``status`` response (naming ``field`` in its ``errors``, if given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    if field is not None:
        assert field in body["errors"], body
    return body


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_FIELD.search(html)
    assert found is not None, "no CSRF field on this page"
    return found.group(1)


class Caller(TypedDict, total=False):
    """Who calls: a signed-in ``user``, or the API token named ``token``."""

    user: str | None
    token: str | None


class Call(Caller, total=False):
    """The keyword arguments of :meth:`Api.call`."""

    body: Any
    headers: dict[str, str] | None


@dataclass
class Api:
    """Calls under :data:`API_PREFIX`, as ``user`` (the ``X-User`` header) or with the API token named
    ``token`` in :attr:`tokens`."""

    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        *,
        user: str | None = None,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        sent = dict(headers or {})
        if user:
            sent["X-User"] = user
        if token:
            sent["Authorization"] = f"Bearer {self.tokens[token]}"
        if body is None and method.upper() in WRITE_METHODS:
            # A write without a body is still JSON (anything else is 415): the type, and no body.
            return self.client.open(API_PREFIX + path, method=method, headers=sent, content_type="application/json")
        return self.client.open(API_PREFIX + path, method=method, headers=sent, json=body)

    def ok(self, method: str, path: str, *, status: int = 200, **call: Unpack[Call]) -> Any:
        """The JSON body of a ``status`` response."""
        response = self.call(method, path, **call)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def problem(self, method: str, path: str, status: int, **call: Unpack[Call]) -> dict[str, Any]:
        """The problem document of a ``status`` response."""
        return problem(self.call(method, path, **call), status)


@dataclass
class Site:
    """Pages under :data:`PREFIX`, seen by ``user`` (the ``X-User`` header)."""

    client: FlaskClient
    gk: GuildKit

    def get(self, path: str, *, user: str | None = None, status: int = 200) -> str:
        response = self.client.get(PREFIX + path, headers=_as(user))
        text = response.get_data(as_text=True)
        assert response.status_code == status, text
        return text

    def post(self, path: str, data: dict[str, str], *, user: str | None = None, csrf: bool = True) -> TestResponse:
        """Submit a form; with ``csrf``, with the session's CSRF token, as a browser would (``False``:
        the test sends its own ``csrf_token``, or none)."""
        if csrf:
            with self.client.session_transaction() as session:
                value = session.setdefault("_guildkit_csrf", "a-test-token-that-the-session-holds")
            data = {"csrf_token": value, **data}
        return self.client.post(PREFIX + path, data=data, headers=_as(user))


def _as(user: str | None) -> dict[str, str]:
    return {"X-User": user} if user else {}
