"""The routes: who may download what, the badge page link, the public verify URL, the issuer profile."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from guildkit import GuildKit

from guildkit_openbadges import openbadges


@pytest.fixture(params=["sqlite", "postgresql"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    from guildkit.testing import require_backend

    return require_backend(str(request.param))


def _award_ids(gk: GuildKit, user: str) -> dict[tuple[str, int], int]:
    return {(a.badge_slug, a.level): a.id for a in gk.badges(user)}


def test_the_holder_downloads_others_are_refused(client: Any, gk: GuildKit, issued: str) -> None:
    gk.join("bob", name="Bob")
    gk.award("root", role="admin", reason="runs the place", key="staff:root")
    helper = _award_ids(gk, issued)[("helper", 1)]
    url = f"/openbadges/credentials/{helper}"
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    other = client.get(url, headers={"X-User": "bob"})
    assert other.status_code == 403 and other.get_json()["detail"] == "this badge award is not yours"
    assert client.get("/openbadges/credentials/999999", headers={"X-User": "bob"}).status_code == 403
    own = client.get(url, headers={"X-User": issued})
    assert own.status_code == 200 and own.mimetype == "application/vc+jwt"
    assert own.headers["Content-Disposition"] == f'attachment; filename="helper-level-1-{helper}.jwt"'
    assert openbadges().verify(own.get_data(as_text=True)).valid
    admin = client.get(url, headers={"X-User": "root"})
    assert admin.status_code == 200 and admin.get_data() == own.get_data()
    assert client.get("/openbadges/credentials/999999", headers={"X-User": "root"}).status_code == 404
    gk.revoke(issued, badge="helper", reason="oops")
    assert client.get(url, headers={"X-User": issued}).status_code == 403


def test_the_badge_page_links_only_for_holders(client: Any, gk: GuildKit, issued: str) -> None:
    gk.join("bob", name="Bob")
    ids = _award_ids(gk, issued)
    page = client.get("/community/badges/answerer", headers={"X-User": issued}).get_data(as_text=True)
    for level in (1, 2):
        assert f'href="/openbadges/credentials/{ids[("answerer", level)]}"' in page
        assert f"Download as an Open Badge (level {level})" in page
    assert "level 3" not in page
    for viewer in ({"X-User": "bob"}, {}):
        html = client.get("/community/badges/answerer", headers=viewer).get_data(as_text=True)
        assert "Download as an Open Badge" not in html
    helper_page = client.get("/community/badges/helper", headers={"X-User": issued}).get_data(as_text=True)
    assert helper_page.count("Download as an Open Badge") == 1


def test_public_verify_url(client: Any, gk: GuildKit, issued: str) -> None:
    token = client.get(
        f"/openbadges/credentials/{_award_ids(gk, issued)[('answerer', 2)]}", headers={"X-User": issued}
    ).get_data(as_text=True)
    good = client.post("/openbadges/verify", data=token, content_type="text/plain")
    body = good.get_json()
    assert good.status_code == 200 and body["valid"] is True and body["errors"] == []
    assert body["revoked"] is False and body["achievement"]["name"] == "Silver Answerer"
    assert body["issuer"] == openbadges().key.did
    bad = client.post("/openbadges/verify", data=token[:-4] + "AAAA").get_json()
    assert bad["valid"] is False and any("signature" in e for e in bad["errors"])
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+jwt," + token,
    }
    assert client.post("/openbadges/verify", json=enveloped).get_json()["valid"] is True
    empty = client.post("/openbadges/verify", data="  ")
    assert empty.status_code == 400 and empty.get_json()["errors"] == {"body": ["empty"]}
    assert client.post("/openbadges/verify", data=b"\xff\xfe").status_code == 400
    assert client.post("/openbadges/verify", data="x" * (256 * 1024 + 1)).status_code == 413
    unsigned = client.post("/openbadges/verify", data='{"type": "VerifiableCredential"}').get_json()
    assert unsigned["valid"] is False and any("no VC-JWT proof" in e for e in unsigned["errors"])


def test_issuer_profile_and_achievements(client: Any, gk_app: Flask, issued: str) -> None:
    profile = client.get("/openbadges/issuer")
    assert profile.status_code == 200 and profile.mimetype == "application/ld+json"
    assert profile.get_json()["id"].startswith("did:key:z6Mk") and profile.get_json()["name"] == "Test Guild"
    silver = client.get("/openbadges/achievements/answerer/2").get_json()
    assert silver["type"] == ["Achievement"] and silver["name"] == "Silver Answerer"
    for missing in ("/openbadges/achievements/answerer/4", "/openbadges/achievements/nope/1"):
        response = client.get(missing)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.get("/openbadges/achievements/hidden/1").status_code == 404  # secret and unheld


def test_nothing_mounted_when_the_prefix_is_empty(tmp_path: Any) -> None:
    from guildkit.testing import make_app

    import guildkit_openbadges

    config = {"GUILDKIT_OPENBADGES_URL_PREFIX": ""}
    with make_app("sqlite", tmp_path, config=config, plugins=(guildkit_openbadges,)) as (app, _):
        assert "guildkit_openbadges" not in app.blueprints
        assert app.test_client().get("/openbadges/issuer").status_code == 404
        assert not (tmp_path / "instance" / "guildkit-openbadges-key.pem").exists()
