"""Features are plugins: guildkit_register_routes puts a plugin's views on the blueprint guildkit
makes, and the deny list switches a first-party feature off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template

from guildkit import GuildKit, hookimpl
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
