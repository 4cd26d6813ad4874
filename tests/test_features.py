"""Features are plugins: guildkit_register_routes puts a plugin's views on the blueprint guildkit
makes, and the deny list switches a first-party feature off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, render_template, request

from guildkit import ConfigurationError, GuildKit, hookimpl
from guildkit.routes import Routes
from guildkit.testing import make_app
from guildkit.web import make_blueprint
from guildkit.web.endpoint import endpoint, public
from guildkit.web.pages import page

api = Routes("api")
pages = Routes("pages", template_folder=Path(__file__).parent / "plugins" / "templates")


@api.get("/shouts")
@endpoint(summary="Every shout", allow=public, tags=("shouts",))
def list_shouts(caller: Any) -> dict[str, Any]:
    return {"shouts": ["hello"]}


@pages.get("/shouts")
@page
def shouts_page() -> str:
    return render_template("shouts/list.html", shouts=["hello"])


class ShoutRoutes:
    @hookimpl
    def guildkit_register_routes(self, gk: GuildKit) -> list[Routes]:
        return [api, pages]


def mounted(app: Flask) -> Flask:
    app.register_blueprint(make_blueprint(), url_prefix="/community")
    gk: GuildKit = app.extensions["guildkit"].gk
    gk.current_user_loader(lambda: request.headers.get("X-User"))
    return app


def test_guildkit_register_routes_adds_api_and_pages_with_their_templates(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(ShoutRoutes(),)) as (app, _):
        client = mounted(app).test_client()
        assert client.get("/community/api/shouts").get_json() == {"shouts": ["hello"]}
        html = client.get("/community/shouts").get_data(as_text=True)
        assert "<li>hello</li>" in html and "gk-nav" in html  # the plugin's template, in guildkit's layout
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
        assert {"guildkit.api.list_shouts", "guildkit.pages.shouts_page"} <= endpoints
        spec = client.get("/community/api/openapi.json").get_json()
        assert spec["paths"]["/community/api/shouts"]["get"]["summary"] == "Every shout"


def test_routes_exist_only_in_apps_whose_guildkit_has_the_plugin(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path / "a", plugins=(ShoutRoutes(),)) as (with_plugin, _):
        assert mounted(with_plugin).test_client().get("/community/api/shouts").status_code == 200
    with make_app("sqlite", tmp_path / "b") as (without, _):
        response = mounted(without).test_client().get("/community/api/shouts")
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_the_blueprint_needs_guildkit_set_up_first() -> None:
    app = Flask("too-early")
    with pytest.raises(Exception, match=r"gk.init_app\(app\)"):
        app.register_blueprint(make_blueprint(), url_prefix="/community")


def test_routes_refuse_an_unknown_target() -> None:
    with pytest.raises(ValueError, match="'api' or 'pages'"):
        Routes("admin")  # type: ignore[arg-type]


# -- each first-party feature can be switched off ---------------------------------------------

#: Feature plugin -> (a path of its pages, its service on gk, its CLI command, its nav label, a table).
FEATURES = {
    "guildkit.mentorship": ("/mentors", "mentorship", "mentorship", "Mentoring", "guildkit_mentor_profiles"),
    "guildkit.events": ("/events", "events", None, "Events", "guildkit_events"),
    "guildkit.guidelines": ("/guidelines", "guidelines", None, "Guidelines", "guildkit_guidelines"),
    "guildkit.moderation": ("/moderation", "moderation", "moderation", "Moderation", "guildkit_moderation_cases"),
    "guildkit.analytics": ("/analytics", "analytics", None, "Analytics", "guildkit_surveys"),
    "guildkit.admin": ("/admin", "admin", None, "Admin", "guildkit_console_badges"),
    "guildkit.trust": ("/api/me/privileges", "trust", "trust", None, "guildkit_trust_levels"),
    "guildkit.groups": ("/groups", "groups", "groups", "Groups", "guildkit_groups"),
    "guildkit.kudos": ("/kudos", "kudos", None, "Kudos", "guildkit_kudos"),
    "guildkit.nominations": ("/nominations", "nominations", "nominations", "Nominations", "guildkit_nominations"),
    "guildkit.challenges": ("/challenges", "challenges", "challenges", "Challenges", "guildkit_challenges"),
    "guildkit.objectives": ("/analytics/objectives", "objectives", None, None, "guildkit_objectives"),
    "guildkit.titles": ("/api/me/title", "titles", None, None, "guildkit_member_titles"),
    "guildkit.streaks": ("/streaks", "streaks", "streaks", None, "guildkit_streak_freezes"),
}

#: What a feature takes with it when it is switched off: the features built on it.
BUILT_ON = {"guildkit.trust": ["guildkit.moderation"], "guildkit.analytics": ["guildkit.objectives"]}


def feature_app(tmp_path: Path, deny: list[str]) -> Any:
    return make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": deny})


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_a_feature_switched_off_has_no_routes_tables_service_commands_or_link(tmp_path: Path, feature: str) -> None:
    path, service, command, label, table = FEATURES[feature]
    # Moderation builds on trust levels, objectives on analytics: switching one off takes the other.
    deny = [feature, *BUILT_ON.get(feature, [])]
    with feature_app(tmp_path, deny) as (app, gk):
        client = mounted(app).test_client()
        assert gk.pm.get_plugin(feature) is None
        paths = {rule.rule for rule in app.url_map.iter_rules()}
        assert not any(p.startswith("/community" + path) for p in paths)
        assert table not in sa.inspect(gk.store.engine).get_table_names()
        with pytest.raises(AttributeError, match="GUILDKIT_PLUGINS_DENY"):
            getattr(gk, service)
        if command is not None:
            assert command not in app.cli.commands["guildkit"].commands  # type: ignore[attr-defined]
        gk.join("ann", name="Ann")
        gk.award("ann", role="admin", reason="to see every link")
        home = client.get("/community/", headers={"X-User": "ann"})
        assert home.status_code == 200
        if label is not None:
            assert f">{label}</a>" not in home.get_data(as_text=True)
        assert client.get("/community/members/ann", headers={"X-User": "ann"}).status_code == 200
        assert client.get("/community/badges", headers={"X-User": "ann"}).status_code == 200
        # Every other feature's pages still render (no feature's template leans on another's).
        for other, (other_path, *_) in FEATURES.items():
            if other not in deny and not other_path.startswith("/api/"):
                assert client.get(f"/community{other_path}", headers={"X-User": "ann"}).status_code == 200, other
        assert gk.record("answer.posted", actor="ann", key="a1").duplicate is False


def test_with_every_feature_on_the_nav_has_each_link(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path) as (app, gk):
        client = mounted(app).test_client()
        gk.join("ann", name="Ann")
        gk.award("ann", role="admin", reason="to see every link")
        html = client.get("/community/", headers={"X-User": "ann"}).get_data(as_text=True)
        for _, _, _, label, _ in FEATURES.values():
            if label is not None:
                assert f">{label}</a>" in html


def test_moderation_without_trust_is_refused_at_start_up(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match=r"guildkit.moderation needs guildkit.trust"),
        feature_app(tmp_path, ["guildkit.trust"]),
    ):
        pass


def test_the_core_cannot_be_switched_off(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigurationError, match="part of guildkit's core"),
        feature_app(tmp_path, ["guildkit.community"]),
    ):
        pass
