"""The Flask extension shell: init_app, state, stores, config, identity, entry points."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from guildkit import ConfigurationError, GuildKit, PointsRule, PointTypeDef, UserInfo
from guildkit.errors import PluginError
from guildkit.store import HostStore, OwnStore


def bare_app(tmp_path: Path, **config: Any) -> Flask:
    app = Flask("host", instance_path=str(tmp_path / "instance"))
    app.config.update({"GUILDKIT_LOAD_ENTRY_POINTS": False, "SECRET_KEY": "x", **config})
    return app


def test_app_factory_and_state(tmp_path: Path) -> None:
    gk = GuildKit()
    app = bare_app(tmp_path)
    gk.init_app(app)
    state = app.extensions["guildkit"]
    assert state.gk is gk
    assert not hasattr(gk, "app")
    assert isinstance(state.store, OwnStore)
    with pytest.raises(ConfigurationError, match="already registered"):
        gk.init_app(app)


def test_one_instance_serves_two_apps(tmp_path: Path) -> None:
    gk = GuildKit()
    gk.define(point_types=[PointTypeDef("xp", "XP")], rules=[PointsRule("v", "visit", 1, "xp", to="actor")])
    apps = [bare_app(tmp_path / name) for name in ("one", "two")]
    for app in apps:
        gk.init_app(app)
        with app.app_context():
            gk.create_all()
    with apps[0].app_context():
        gk.record("visit", actor="ann", key="v1")
        gk.record("visit", actor="ann", key="v2")
    with apps[1].app_context():
        gk.record("visit", actor="ann", key="v1")
        assert gk.balance("ann", "xp") == 1
    with apps[0].app_context():
        assert gk.balance("ann", "xp") == 2


def test_use_outside_an_app_context_or_uninitialised(tmp_path: Path) -> None:
    gk = GuildKit()
    app = bare_app(tmp_path)
    with app.app_context(), pytest.raises(ConfigurationError, match="not initialised"):
        gk.record("visit", actor="a", key="k")
    other = GuildKit(app)
    with app.app_context():
        with pytest.raises(ConfigurationError, match="different GuildKit"):
            _ = gk.store
        assert isinstance(other.store, OwnStore)
    with pytest.raises(RuntimeError, match="application context"):
        _ = other.store


def test_own_sqlite_database_in_instance_folder_uses_wal(tmp_path: Path) -> None:
    app = bare_app(tmp_path)
    gk = GuildKit(app)
    with app.app_context():
        gk.create_all()
        assert Path(app.instance_path, "guildkit.db").exists()
        with gk.store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        gk.store.dispose()  # type: ignore[attr-defined]


def test_host_database_gets_prefixed_tables_only(tmp_path: Path) -> None:
    db = SQLAlchemy()
    app = bare_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}")
    db.init_app(app)
    gk = GuildKit(app, db=db)
    with app.app_context():
        assert isinstance(gk.store, HostStore)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY)")
        gk.create_all()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "users" in tables
        assert all(t.startswith("guildkit_") for t in tables - {"users"})
        db.engine.dispose()


def host_app_with_notes(tmp_path: Path) -> tuple[Flask, SQLAlchemy, GuildKit]:
    db = SQLAlchemy()
    app = bare_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}")
    db.init_app(app)
    gk = GuildKit(app, db=db)
    gk.define(point_types=[PointTypeDef("xp", "XP")], rules=[PointsRule("v", "visit", 1, "xp", to="actor")])
    with app.app_context():
        gk.create_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return app, db, gk


def test_guildkit_never_commits_the_hosts_session(tmp_path: Path) -> None:
    app, db, gk = host_app_with_notes(tmp_path)
    with app.app_context():
        db.session.execute(sa.text("SELECT count(*) FROM notes"))  # the host's transaction is open
        gk.record("visit", actor="ann", key="v1")
        db.session.rollback()
        assert gk.balance("ann", "xp") == 1
        db.session.remove()
        db.engine.dispose()


def test_uncommitted_host_writes_on_sqlite_fail_fast_and_clearly(tmp_path: Path) -> None:
    import time

    from guildkit.errors import HostTransactionOpen

    app, db, gk = host_app_with_notes(tmp_path)
    with app.app_context():
        db.session.execute(sa.text("INSERT INTO notes (body) VALUES ('draft')"))
        started = time.monotonic()
        with pytest.raises(HostTransactionOpen, match="commit"):
            gk.record("visit", actor="ann", key="v1")
        assert time.monotonic() - started < 5
        db.session.commit()
        assert gk.record("visit", actor="ann", key="v1").points_for("ann") == 1
        assert db.session.execute(sa.text("SELECT body FROM notes")).scalar() == "draft"
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"GUILDKIT_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"GUILDKIT_BATCH_LIMIT": 0}, "BATCH_LIMIT"),
        ({"GUILDKIT_PLUGINS_ALLOW": "stackexchange"}, "PLUGINS_ALLOW"),
        ({"GUILDKIT_PLUGINS_DENY": "x"}, "PLUGINS_DENY"),
    ],
)
def test_bad_config_fails_at_init(tmp_path: Path, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        GuildKit(bare_app(tmp_path, **config))


def test_database_uri_and_db_together_is_an_error(tmp_path: Path) -> None:
    db = SQLAlchemy()
    app = bare_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://", GUILDKIT_DATABASE_URI="sqlite://")
    db.init_app(app)
    with pytest.raises(ConfigurationError, match="use one"):
        GuildKit(app, db=db)


def test_current_user_loader_and_user_info(tmp_path: Path) -> None:
    app = bare_app(tmp_path)
    gk = GuildKit(app)
    with app.test_request_context():
        assert gk.current_user_id() is None
        assert gk.user_info(7) == UserInfo(name="User 7")

    @gk.current_user_loader
    def load() -> int:
        return 42

    @gk.user_info_loader
    def info(user_id: str) -> UserInfo:
        return UserInfo(name=f"Ada #{user_id}", profile_url=f"/u/{user_id}")

    with app.test_request_context():
        assert gk.current_user_id() == "42"
        assert gk.user_info(42).profile_url == "/u/42"


def test_flask_login_works_without_a_loader(tmp_path: Path) -> None:
    from flask_login import LoginManager, UserMixin, login_user

    class User(UserMixin):
        def __init__(self, user_id: str) -> None:
            self.id = user_id

    app = bare_app(tmp_path)
    login = LoginManager(app)
    login.user_loader(User)
    gk = GuildKit(app)
    with app.test_request_context():
        assert gk.current_user_id() is None
        login_user(User("99"))
        assert gk.current_user_id() == "99"


def fake_entry_points(*pairs: tuple[str, str]) -> Any:
    def entry_points(group: str) -> list[EntryPoint]:
        assert group == "guildkit"
        return [EntryPoint(name, value, group) for name, value in pairs]

    return entry_points


@pytest.mark.parametrize(
    ("allow", "deny", "loaded"),
    [
        (None, [], {"qa", "other"}),
        (["qa"], [], {"qa"}),
        (None, ["qa"], {"other"}),
        (["qa"], ["qa"], set()),
    ],
)
def test_entry_points_allow_and_deny(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allow: list[str] | None, deny: list[str], loaded: set[str]
) -> None:
    monkeypatch.setattr(
        "guildkit.plugins.entry_points",
        fake_entry_points(("qa", "tests.plugins.qa_rules"), ("other", "tests.plugins.other_plugin")),
    )
    app = bare_app(tmp_path, GUILDKIT_LOAD_ENTRY_POINTS=True, GUILDKIT_PLUGINS_ALLOW=allow, GUILDKIT_PLUGINS_DENY=deny)
    gk = GuildKit(app)
    names = {name for name, _ in gk.pm.list_name_plugin()}
    assert names & {"qa", "other"} == loaded


def test_broken_entry_point_names_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("guildkit.plugins.entry_points", fake_entry_points(("broken", "tests.plugins.does_not_exist")))
    with pytest.raises(PluginError, match="'broken'"):
        GuildKit(bare_app(tmp_path, GUILDKIT_LOAD_ENTRY_POINTS=True))


def test_cli_plugins_lists_json(tmp_path: Path) -> None:
    from tests.plugins import qa_rules

    app = bare_app(tmp_path)
    GuildKit(app, plugins=[qa_rules])
    out = app.test_cli_runner().invoke(args=["guildkit", "plugins"])
    assert out.exit_code == 0, out.output
    listed = {p["name"]: p for p in json.loads(out.output)}
    assert listed["guildkit.builtin.manual"]["hooks"] == ["guildkit_register_rules"]
    assert listed["guildkit.builtin.manual"]["version"] == "0.1.0"
    assert "guildkit_register_badges" in listed["tests.plugins.qa_rules"]["hooks"]
