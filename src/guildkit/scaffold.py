"""``flask guildkit plugin new NAME``: a minimal plugin package that installs, registers and tests.

The skeleton is what docs/plugins.md walks through: a ``pyproject.toml`` with the ``guildkit``
entry point, a plugin module with one point type, one badge and two rules, ``py.typed``, a
README, and a test that uses guildkit's pytest fixtures. Nothing here imports the host app.
"""

from __future__ import annotations

import re
from pathlib import Path

from guildkit.errors import ValidationError

NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "guildkit-{name}"
version = "0.1.0"
description = "{title}: a guildkit plugin."
requires-python = ">=3.11"
dependencies = ["guildkit"]

[project.entry-points.guildkit]
{name} = "{module}.plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{module} = ["py.typed"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]

[tool.ruff]
line-length = 120
"""

PLUGIN = '''\
"""{title}: what this plugin rewards.

guildkit calls these hooks once per app to build its registry (see guildkit's docs/hooks.md).
"""

from __future__ import annotations

from guildkit import BadgeDef, BadgeRule, Count, GuildKit, PointsRule, PointTypeDef, hookimpl


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> list[PointTypeDef]:
    return [PointTypeDef("{slug}-points", "{title} points")]


@hookimpl
def guildkit_register_badges(gk: GuildKit) -> list[BadgeDef]:
    return [BadgeDef("{slug}-first", "First {title}", "Did {slug}.done for the first time.")]


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[PointsRule | BadgeRule]:
    return [
        PointsRule("{slug}-done", "{slug}.done", 5, "{slug}-points", to="actor"),
        BadgeRule("{slug}-first", "{slug}-first", Count("{slug}.done"), (1,)),
    ]
'''

INIT = '''\
"""{title}: a guildkit plugin (registered through the ``guildkit`` entry point)."""
'''

CONFTEST = """\
import pytest

from {module} import plugin


@pytest.fixture
def gk_plugins():
    return (plugin,)
"""

TEST = '''\
"""guildkit's pytest fixtures (gk, gk_members, gk_activities...) come with guildkit itself."""


def test_doing_it_gives_points_and_the_first_badge(gk_members, gk_activities):
    ann = gk_members("Ann")
    result = gk_activities.record("{slug}.done", actor=ann)
    gk_activities.expect(result, points={{ann: 5}}, badges={{ann: ["{slug}-first"]}})


def test_only_the_first_time_earns_the_badge(gk_members, gk_activities):
    ann = gk_members("Ann")
    gk_activities.record("{slug}.done", actor=ann)
    again = gk_activities.record("{slug}.done", actor=ann)
    gk_activities.expect(again, points={{ann: 5}}, badges={{}})
'''

README = """\
# guildkit-{name}

{title}: a [guildkit](https://pypi.org/project/guildkit/) plugin.

```sh
pip install -e .          # guildkit finds it through the "guildkit" entry point
pytest                    # runs on SQLite (and PostgreSQL when GUILDKIT_TEST_POSTGRES_URL is set)
```

Report `{slug}.done` from your app (`gk.record("{slug}.done", actor=user_id, key=...)`): the
member gets 5 "{title} points", and the "First {title}" badge the first time.
"""


def new_plugin(name: str, into: Path) -> list[Path]:
    """Write the package ``guildkit-<name>`` in ``into``; returns the files written.

    Refuses to write into a folder that exists, so nothing is ever overwritten.
    """
    if not isinstance(name, str) or not NAME.fullmatch(name) or len(name) > 40:
        raise ValidationError("the name must be lower case letters, digits and single dashes", field="name")
    root = into / f"guildkit-{name}"
    if root.exists():
        raise ValidationError(f"{root} already exists", field="name")
    module = f"guildkit_{name.replace('-', '_')}"
    values = {"name": name, "module": module, "slug": name, "title": name.replace("-", " ").title()}
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"src/{module}/__init__.py": INIT,
        f"src/{module}/plugin.py": PLUGIN,
        f"src/{module}/py.typed": "",
        "tests/conftest.py": CONFTEST,
        "tests/test_plugin.py": TEST,
    }
    written = []
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values))
        written.append(path)
    return written
