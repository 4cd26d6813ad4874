"""Meta-tests that keep the docs and the tests honest (after datasette's test_docs.py)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from guildkit import GuildKit, config, hookdocs

ROOT = Path(__file__).parent.parent
HOOKS = [name for name, _ in hookdocs.hook_functions()]


def test_hook_reference_is_up_to_date() -> None:
    assert (ROOT / "docs" / "hooks.md").read_text() == hookdocs.render(), (
        "run: python -m guildkit.hookdocs > docs/hooks.md"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    fn = dict(hookdocs.hook_functions())[hook]
    doc = inspect.getdoc(fn) or ""
    params = list(inspect.signature(fn).parameters)  # type: ignore[arg-type]
    assert doc.split("\n")[0].endswith("."), f"{hook} needs a one-line summary"
    for param in params:
        assert f":param {param}:" in doc, f"{hook} does not document {param}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    own = Path(__file__).name
    tested = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != own and hook in p.read_text()]
    assert tested, f"no test mentions {hook}"


def test_every_config_key_is_documented() -> None:
    text = (ROOT / "docs" / "config.md").read_text()
    documented = set(re.findall(r"`(GUILDKIT_[A-Z_]+)`", text))
    # The core's keys and those guildkit's features contribute (guildkit_register_config).
    assert documented == set(GuildKit().config_defaults())
    assert set(config.DEFAULTS) < documented
