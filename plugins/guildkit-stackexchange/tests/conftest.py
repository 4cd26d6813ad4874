"""Every test gets a GuildKit with this plugin registered, on each backend (see guildkit.testing)."""

from __future__ import annotations

import pytest

import guildkit_stackexchange


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_stackexchange,)
