"""Fixtures: the plugin registered on every backend, and a real HTTP receiver on 127.0.0.1.

Delivery jobs are off by default (tests drain with ``deliver_due`` and move ``gk_clock``); tests
of the jobs turn them on, and the app's job threads are stopped before its database goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

import guildkit_webhooks
from guildkit_webhooks.testing import Receiver, serve_receiver


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_webhooks,)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {
        "GUILDKIT_WEBHOOKS_WORKER": False,
        "GUILDKIT_WEBHOOKS_TIMEOUT": 5.0,
        "GUILDKIT_WEBHOOKS_BACKOFF_BASE": 10.0,
        "GUILDKIT_WEBHOOKS_MAX_ATTEMPTS": 4,
    }


@pytest.fixture(autouse=True)
def _stop_workers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Stop the job threads a test started while its database still exists (this fixture asks for
    the app itself, so it is torn down before the app is)."""
    app: Flask | None = request.getfixturevalue("gk_app") if "gk_app" in request.fixturenames else None
    yield
    if app is not None:
        with app.app_context():
            assert app.extensions["guildkit"].gk.jobs.stop(), "a guildkit-jobs thread did not stop"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as found:
        yield found
