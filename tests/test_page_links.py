"""guildkit_page_links: plugins add links to the badge and member pages; a failing plugin is left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import request

from guildkit import GuildKit, PageLink, hookimpl
from guildkit.errors import ValidationError
from guildkit.models import HookFailure
from guildkit.testing import make_app
from guildkit.web import make_blueprint
from tests.plugins import qa_rules


class CredentialLinks:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []

    @hookimpl
    def guildkit_page_links(
        self, gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
    ) -> list[PageLink] | None:
        self.calls.append((page, subject, viewer))
        if page == "badge" and subject["held_levels"]:
            return [PageLink(f"Download {subject['badge']} <level {subject['held_levels'][-1]}>", "/ob/1.json")]
        if page == "member":
            return [PageLink("Elsewhere", f"https://example.org/u/{subject['user_id']}")]
        return None


class Broken:
    @hookimpl
    def guildkit_page_links(self, page: str) -> list[object]:
        if page == "badge":
            raise RuntimeError("no links today")
        return ["not a link"]


def test_guildkit_page_links_on_the_badge_and_member_pages(tmp_path: Path) -> None:
    links = CredentialLinks()
    with make_app("sqlite", tmp_path, plugins=(qa_rules, links, Broken())) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        gk.current_user_loader(lambda: request.headers.get("X-User"))
        gk.record("answer.posted", actor="ann", key="a1")
        client = app.test_client()

        held = client.get("/community/badges/first-answer", headers={"X-User": "ann"}).get_data(as_text=True)
        assert '<a href="/ob/1.json">Download first-answer &lt;level 1&gt;</a>' in held
        anonymous = client.get("/community/badges/first-answer").get_data(as_text=True)
        assert "/ob/1.json" not in anonymous
        assert ("badge", {"badge": "first-answer", "held_levels": [1]}, "ann") in links.calls
        assert ("badge", {"badge": "first-answer", "held_levels": []}, None) in links.calls

        profile = client.get("/community/members/ann").get_data(as_text=True)
        assert '<a href="https://example.org/u/ann">Elsewhere</a>' in profile

        failures = gk.session.scalars(sa.select(HookFailure)).all()
        assert {(f.hook, f.error.split(":")[0]) for f in failures} == {
            ("guildkit_page_links", "RuntimeError"),
            ("guildkit_page_links", "TypeError"),
        }


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x", "ftp://x", ""])
def test_page_links_must_be_http_or_a_local_path(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        PageLink("Go", url)
    assert info.value.field == "url"
