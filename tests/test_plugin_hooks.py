"""The hooks features are built on, used by a plugin of our own: services, config, commands,
hook specs, template slots, the earning gate and analytics measures; and hooks called through
pluggy, so that wrappers and tracing see them while failures stay contained."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pluggy
import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import (
    ActivityView,
    AwardPoints,
    ConfigurationError,
    GuildKit,
    PointsChange,
    ValidationError,
    hookimpl,
    migrate,
)
from guildkit.errors import DuplicateDefinition
from guildkit.models import HookFailure
from guildkit.queries import count_of, within
from guildkit.testing import make_app
from tests.test_features import mounted

hookspec = pluggy.HookspecMarker("guildkit")


class CheersSpecs:
    """A plugin's own hook, for other plugins."""

    @hookspec
    def guildkit_cheers_given(self, gk: GuildKit, giver: str, receiver: str) -> None:
        """Told when cheers are given."""


class Cheers:
    """A small feature: a hook of its own, a service, a config key, a command and a notice."""

    def __init__(self) -> None:
        self.withhold: set[str] = set()

    @hookimpl
    def guildkit_add_hookspecs(self, pm: pluggy.PluginManager) -> None:
        pm.add_hookspecs(CheersSpecs)

    @hookimpl
    def guildkit_register_config(self, gk: GuildKit) -> Mapping[str, Any]:
        return {"GUILDKIT_CHEERS_PER_WEEK": 5}

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        if not isinstance(app.config["GUILDKIT_CHEERS_PER_WEEK"], int):
            raise ConfigurationError("GUILDKIT_CHEERS_PER_WEEK must be an integer")

    @hookimpl
    def guildkit_register_services(self, gk: GuildKit) -> Mapping[str, Any]:
        def give(giver: str, receiver: str) -> None:
            gk.pm.hook.guildkit_cheers_given(gk=gk, giver=giver, receiver=receiver)

        return {"cheers": lambda gk: SimpleNamespace(give=give)}

    @hookimpl
    def guildkit_register_commands(self, gk: GuildKit) -> Iterable[click.Command]:
        @click.command("cheers-budget")
        def budget() -> None:
            from flask import current_app

            click.echo(current_app.config["GUILDKIT_CHEERS_PER_WEEK"])

        return [budget]

    @hookimpl
    def guildkit_template_includes(self, gk: GuildKit, slot: str) -> list[str] | None:
        return ["cheers/_notice.html"] if slot == "notices" else None

    @hookimpl
    def guildkit_earning_withheld(self, gk: GuildKit, conn: sa.Connection, member_ids: frozenset[int]) -> list[int]:
        rows = conn.execute(sa.text("SELECT id, user_id FROM guildkit_members")).all()
        return [row.id for row in rows if row.id in member_ids and row.user_id in self.withhold]

    @hookimpl
    def guildkit_register_analytics_measures(self, gk: GuildKit) -> list[tuple[str, str, Any]]:
        activities = sa.table("guildkit_activities", sa.column("type"), sa.column("occurred_at"))
        return [
            (
                "answers",
                "answers posted",
                lambda start, end: count_of(
                    activities, activities.c.type == "answer.posted", within(activities.c.occurred_at, start, end)
                ),
            )
        ]


class Thanks:
    """Implements the other plugin's hook."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    @hookimpl
    def guildkit_cheers_given(self, gk: GuildKit, giver: str, receiver: str) -> None:
        self.told.append((giver, receiver))


def test_guildkit_add_hookspecs_lets_plugins_define_hooks_for_each_other(tmp_path: Path) -> None:
    thanks = Thanks()
    with make_app("sqlite", tmp_path, plugins=(Cheers(), thanks)) as (_, gk):
        gk.cheers.give("ann", "bob")
        assert thanks.told == [("ann", "bob")]


def test_guildkit_register_services_and_config_and_commands(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(Cheers(),), config={"GUILDKIT_CHEERS_PER_WEEK": 7}) as (app, gk):
        assert gk.cheers is gk.cheers  # made once
        assert app.config["GUILDKIT_CHEERS_PER_WEEK"] == 7
        assert gk.config_defaults()["GUILDKIT_CHEERS_PER_WEEK"] == 5
        result = app.test_cli_runner().invoke(args=["guildkit", "cheers-budget"])
        assert result.exit_code == 0 and result.output == "7\n"
        with pytest.raises(AttributeError, match="no registered plugin offers it"):
            _ = gk.widgets


def test_a_config_key_or_service_defined_twice_names_both(tmp_path: Path) -> None:
    class Again:
        @hookimpl
        def guildkit_register_config(self, gk: GuildKit) -> Mapping[str, Any]:
            return {"GUILDKIT_CHEERS_PER_WEEK": 1}

        @hookimpl
        def guildkit_register_services(self, gk: GuildKit) -> Mapping[str, Any]:
            return {"cheers": lambda gk: None}

    gk = GuildKit(plugins=(Cheers(),))
    gk.register(Again(), name="again")
    with pytest.raises(DuplicateDefinition, match=r"GUILDKIT_CHEERS_PER_WEEK.*again"):
        gk.config_defaults()
    with pytest.raises(DuplicateDefinition, match=r"'cheers'.*again"):
        gk.services()
    with pytest.raises(DuplicateDefinition, match="'record'"):
        GuildKit(plugins=(SimpleNamespace(guildkit_register_services=_offers_record),)).services()


@hookimpl
def _offers_record(gk: GuildKit) -> Mapping[str, Any]:
    return {"record": lambda gk: None}


def test_a_bad_config_value_fails_init_app(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match="GUILDKIT_CHEERS_PER_WEEK"),
        make_app("sqlite", tmp_path, plugins=(Cheers(),), config={"GUILDKIT_CHEERS_PER_WEEK": "lots"}),
    ):
        pass


def test_guildkit_template_includes_adds_to_every_page(tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "cheers"
    templates.mkdir(parents=True)
    (templates / "_notice.html").write_text('<p class="gk-notice">Give cheers this week!</p>')
    with make_app("sqlite", tmp_path, plugins=(Cheers(),)) as (app, _):
        app.template_folder = str(tmp_path / "templates")
        html = mounted(app).test_client().get("/community/").get_data(as_text=True)
        assert "Give cheers this week!" in html


def test_guildkit_earning_withheld_stops_earning_but_not_recording(tmp_path: Path) -> None:
    cheers = Cheers()
    cheers.withhold = {"bob"}
    with make_app("sqlite", tmp_path, plugins=(cheers, _qa_rules())) as (_, gk):
        gk.record("answer.upvoted", actor="cat", target="ann", key="u1")
        gk.record("answer.upvoted", actor="cat", target="bob", key="u2")
        assert gk.balance("ann", "reputation") == 10
        assert gk.balances("bob") == {}


def test_guildkit_register_analytics_measures_adds_a_programme_column(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(Cheers(),)) as (_, gk):
        gk.record("answer.posted", actor="ann", key="a1", occurred_at=datetime(2026, 1, 6, 9, tzinfo=UTC))
        rng = gk.analytics.range(date(2026, 1, 1), date(2026, 1, 7), "week")
        programmes = gk.analytics.programmes(rng)
        assert [r["answers"] for r in programmes.rows] == [0, 1]
        assert programmes.columns[-1].label == "answers posted"


# -- hooks go through pluggy ------------------------------------------------------------------


class Wrapper:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl(wrapper=True)
    def guildkit_compute_points(
        self, activity: ActivityView, rule: str, award: AwardPoints
    ) -> Generator[None, Any, Any]:
        result = yield
        self.seen.append((activity.key, result))
        return 2 * award.amount if result is None else result


class Broken:
    @hookimpl
    def guildkit_points_changed(self, gk: GuildKit, change: PointsChange, activity_key: str) -> None:
        raise RuntimeError("down")


class Listener:
    def __init__(self) -> None:
        self.keys: list[str] = []

    @hookimpl
    def guildkit_points_changed(self, gk: GuildKit, change: PointsChange, activity_key: str) -> None:
        self.keys.append(activity_key)


def test_hook_wrappers_wrap_guildkits_calls(tmp_path: Path) -> None:
    wrapper = Wrapper()
    with make_app("sqlite", tmp_path, plugins=(_qa_rules(), wrapper)) as (_, gk):
        assert gk.record("answer.upvoted", actor="cat", target="ann", key="u1").points_for("ann") == 20
        assert wrapper.seen == [("u1", None)]


class NoOpinion:
    @hookimpl
    def guildkit_compute_points(self, activity: ActivityView, rule: str, award: AwardPoints) -> int | None:
        return None


def test_pluggy_tracing_sees_the_calls_and_a_failure_stays_contained(tmp_path: Path) -> None:
    listener = Listener()
    with make_app("sqlite", tmp_path, plugins=(_qa_rules(), listener, Broken(), NoOpinion())) as (_, gk):
        calls: list[str] = []
        undo = gk.pm.add_hookcall_monitoring(lambda name, impls, kwargs: calls.append(name), lambda *args: None)
        try:
            gk.record("answer.upvoted", actor="cat", target="ann", key="u1")
        finally:
            undo()
        assert "guildkit_points_changed" in calls and "guildkit_compute_points" in calls
        assert listener.keys == ["u1"]  # told, though Broken failed
        failure = gk.session.scalars(sa.select(HookFailure)).one()
        assert (failure.hook, failure.activity_key) == ("guildkit_points_changed", "u1")


def _qa_rules() -> object:
    from tests.plugins import qa_rules

    return qa_rules


class Permissions:
    @hookimpl
    def guildkit_register_permissions(self, gk: GuildKit) -> Mapping[str, str]:
        return {"kudos.moderate": "hide kudos messages"}


def test_guildkit_register_permissions_adds_scopes_and_role_permissions(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(Permissions(),)) as (_, gk):
        assert gk.permissions()["kudos.moderate"] == "hide kudos messages"
        assert gk.permissions()["analytics.view"]  # a feature's own
        _, token = gk.tokens.create(None, "bot", ["kudos.moderate"], via="tests")
        assert token.scopes == ["kudos.moderate"]
        assert "kudos.moderate" in gk.admin.permissions()  # offered for console roles
        with pytest.raises(ValidationError, match="unknown: nope"):
            gk.tokens.create(None, "bot", ["nope"], via="tests")
        (entry,) = gk.audit_log(area="tokens")
        assert (entry.actor, entry.action, entry.target) == ("tests", "token.create", f"token:{token.id}")


SHOUT_LOG = sa.Table("guildkit_shout_log", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


class ShoutHistory:
    @hookimpl
    def guildkit_register_migrations(self, gk: GuildKit) -> list[migrate.Branch]:
        return [migrate.feature_branch("shout", Path(__file__).parent / "plugins" / "shout_migrations", [SHOUT_LOG])]


def test_guildkit_register_migrations_runs_a_plugins_history_after_the_cores(tmp_path: Path) -> None:
    app = Flask("shouts", instance_path=str(tmp_path / "instance"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_DATABASE_URI=f"sqlite:///{tmp_path / 'gk.db'}")
    gk = GuildKit(app, plugins=(ShoutHistory(),))
    result = app.test_cli_runner().invoke(args=["guildkit", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = gk.store.engine
        assert migrate.currents(engine, gk)["shout"] == "shout_0001"
        listed = app.test_cli_runner().invoke(args=["guildkit", "db", "current", "--all"])
        assert json.loads(listed.output)["shout"] == "shout_0001"
        names = set(sa.inspect(engine).get_table_names())
        assert {"guildkit_shout_log", "guildkit_shout_alembic_version"} <= names
        migrate.downgrade(engine, "base", gk=gk)
        assert not {name for name in sa.inspect(engine).get_table_names() if name.startswith("guildkit_")}
        gk.store.remove_session()
        engine.dispose()


class Artwork:
    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def guildkit_badge_image(self, gk: GuildKit, slug: str) -> tuple[bytes, str] | None:
        self.asked.append(slug)
        return (b"\x89PNG\r\n\x1a\nart", "image/png") if slug == "first-answer" else None


def test_guildkit_badge_image_serves_a_plugins_image_or_a_drawn_one(tmp_path: Path) -> None:
    artwork = Artwork()
    with make_app("sqlite", tmp_path, plugins=(_qa_rules(), artwork)) as (app, _):
        client = mounted(app).test_client()
        png = client.get("/community/badge-images/first-answer")
        assert (png.status_code, png.mimetype, png.data) == (200, "image/png", b"\x89PNG\r\n\x1a\nart")
        assert "sandbox" in png.headers["Content-Security-Policy"]
        drawn = client.get("/community/badge-images/regular")
        assert drawn.mimetype == "image/svg+xml" and b"<svg" in drawn.data
        assert artwork.asked == ["first-answer", "regular"]


def test_the_console_reads_one_audit_log_by_area(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path) as (app, gk):
        client = mounted(app).test_client()
        gk.join("ada", name="Ada")
        gk.award("ada", role="admin", reason="staff")
        gk.tokens.create("ada", "bot", ["activities.write"])
        gk.join("bob", name="Bob")
        gk.moderation.report("ada", subject="q:1", user_id="bob", category="spam", comment="ads")
        case = gk.moderation.queue("ada")[0]
        gk.moderation.resolve("ada", case.id, action="warn", reason="ads again")
        everything = client.get("/community/api/admin/audit", headers={"X-User": "ada"}).get_json()
        assert {entry["area"] for entry in everything} >= {"tokens", "moderation"}
        tokens = client.get("/community/api/admin/audit?area=tokens", headers={"X-User": "ada"}).get_json()
        assert [(e["area"], e["action"], e["actor"]) for e in tokens] == [("tokens", "token.create", "ada")]
        (warned,) = [e for e in everything if e["action"] == "warn"]
        assert (warned["member"], warned["subject"]) == ("bob", f"case:{case.id}")
        assert next(e.action for e in gk.moderation.audit("ada", case_id=case.id)) == "warn"
