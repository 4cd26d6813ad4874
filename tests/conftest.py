from __future__ import annotations

import pytest

from tests.plugins import qa_rules


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules,)
