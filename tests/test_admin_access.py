"""Every admin page and endpoint needs the admin role: the routes are read from the URL map, so a new
admin route is checked the day it is added. Anonymous callers get 401, members and moderators 403."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Members
from guildkit.web import make_blueprint
from tests.webclient import PREFIX, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: Public on purpose: a badge's image, shown on public pages.
PUBLIC = {"/badge-images/<slug>"}
ARGUMENT = re.compile(r"<(?:([a-z_]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")
#: Values for path arguments: a console badge and role the test makes, a token id, a preview id.
VALUES = {"slug": "made", "token_id": "1", "preview_id": "1"}


def admin_routes() -> list[tuple[str, str]]:
    app = Flask("enumerate")
    GuildKit(app)  # the routes are those of the app's plugins
    app.register_blueprint(make_blueprint(), url_prefix=PREFIX)
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule.removeprefix(PREFIX)
        if not (path.startswith(("/admin", "/api/admin")) or "admin" in rule.endpoint) or path in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)


ROUTES = admin_routes()


def concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        converter, arguments, name = match.groups()
        if converter == "any":
            return arguments.split(",")[0].strip()
        return VALUES[name]

    return ARGUMENT.sub(value, path)


def test_the_admin_routes_are_found() -> None:
    paths = {path for _, path in ROUTES}
    assert {"/admin", "/admin/badges/<slug>", "/api/admin/badges", "/api/admin/audit", "/admin/tokens"} <= paths
    assert len(ROUTES) >= 35


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_admin_route_needs_the_admin_role(
    gk_app: Flask, gk: GuildKit, gk_members: Members, method: str, path: str
) -> None:
    client = mount(gk_app, gk)
    admin, moderator, member = gk_members(roles=["admin"]), gk_members(roles=["moderator"]), gk_members()
    gk.admin.create_badge(admin, {"slug": "made", "name": "Made"})
    gk.admin.create_role(admin, {"slug": "made", "name": "Made"})
    gk.tokens.create(admin, "t", ["admin"])
    url = PREFIX + concrete(path)
    body = {} if path.startswith("/api/") and method != "GET" else None

    def call(user: str | None) -> int:
        headers = {"X-User": user} if user else {}
        return client.open(url, method=method, headers=headers, json=body).status_code

    assert call(None) == 401
    assert call(member) == 403
    assert call(moderator) == 403
    assert call(admin) not in (401, 403), url


def test_admin_forms_need_the_csrf_token(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    client = mount(gk_app, gk)
    admin = gk_members(roles=["admin"])
    for path in [p for m, p in ROUTES if m == "POST" and not p.startswith("/api/")]:
        gk.admin.create_badge(admin, {"slug": "made", "name": "Made"}) if "made" not in gk.registry.badges else None
        response = client.post(PREFIX + concrete(path), data={"name": "x"}, headers={"X-User": admin})
        assert response.status_code == 400, path
        assert "security token" in response.get_data(as_text=True)


def test_the_admin_link_is_shown_to_admins_only(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    client = mount(gk_app, gk)
    admin, moderator = gk_members(roles=["admin"]), gk_members(roles=["moderator"])
    link = f'<a href="{PREFIX}/admin"'
    assert link in client.get(PREFIX + "/", headers={"X-User": admin}).get_data(as_text=True)
    assert link not in client.get(PREFIX + "/", headers={"X-User": moderator}).get_data(as_text=True)
    assert link not in client.get(PREFIX + "/").get_data(as_text=True)
