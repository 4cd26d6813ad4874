"""``flask guildkit ob verify|export``, the key file, and loading through the entry point."""

from __future__ import annotations

import stat
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from flask import Flask
from guildkit import ConfigurationError, GuildKit
from guildkit.testing import make_app

import guildkit_openbadges
from guildkit_openbadges import openbadges
from guildkit_openbadges.keys import to_pem


@pytest.fixture(params=["sqlite"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_export_then_verify_exit_codes(gk_app: Flask, gk: GuildKit, issued: str, tmp_path: Path) -> None:
    runner = gk_app.test_cli_runner()
    out = tmp_path / "export"
    exported = runner.invoke(args=["guildkit", "ob", "export", issued, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    files = sorted(out.glob("*.jwt"))
    assert [f.name.rsplit("-", 1)[0] for f in files] == ["answerer-level-1", "answerer-level-2", "helper-level-1"]
    assert "3 credential(s) exported for ann" in exported.stderr
    good = runner.invoke(args=["guildkit", "ob", "verify", str(files[2])])
    assert good.exit_code == 0 and good.output.startswith("valid: 'Helper' issued by did:key:z6Mk")
    as_json = runner.invoke(args=["guildkit", "ob", "verify", "--json", str(files[0])])
    assert as_json.exit_code == 0 and '"valid": true' in as_json.output
    tampered = tmp_path / "tampered.jwt"
    text = files[2].read_text().strip()
    tampered.write_text(text[:-6] + ("AAAAAA" if not text.endswith("AAAAAA") else "BBBBBB"))
    bad = runner.invoke(args=["guildkit", "ob", "verify", str(tampered)])
    assert bad.exit_code == 1 and "INVALID" in bad.stderr and "signature does not match" in bad.stderr
    gk.revoke(issued, badge="helper", reason="oops")
    revoked = runner.invoke(args=["guildkit", "ob", "verify", str(files[2])])
    assert revoked.exit_code == 1 and "revoked" in revoked.stderr
    missing = runner.invoke(args=["guildkit", "ob", "verify", str(tmp_path / "nope.jwt")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_key_file_is_created_once_with_0600(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(guildkit_openbadges,)) as (app, _):
        path = Path(app.instance_path) / "guildkit-openbadges-key.pem"
        assert not path.exists()  # nothing at init_app
        did = openbadges(app).key.did
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with make_app("sqlite", tmp_path, plugins=(guildkit_openbadges,)) as (app, _):
        assert openbadges(app).key.did == did  # the same key on the next start


def test_key_from_config_and_bad_keys(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from guildkit_openbadges.didkey import did_from_public_key

    key = Ed25519PrivateKey.generate()
    config = {"GUILDKIT_OPENBADGES_KEY": to_pem(key).decode()}
    with make_app("sqlite", tmp_path / "a", config=config, plugins=(guildkit_openbadges,)) as (app, _):
        assert openbadges(app).key.did == did_from_public_key(key.public_key())
    with make_app("sqlite", tmp_path / "b", config={"GUILDKIT_OPENBADGES_KEY": "nope"},
                  plugins=(guildkit_openbadges,)) as (app, _):  # fmt: skip
        with pytest.raises(ConfigurationError, match="GUILDKIT_OPENBADGES_KEY: not an unencrypted PEM"):
            openbadges(app).key  # noqa: B018
        with pytest.raises(ConfigurationError, match="GUILDKIT_OPENBADGES_BASE_URL"):
            openbadges(app).status_list_url  # noqa: B018


def test_entry_point_is_declared_and_loads(tmp_path: Path) -> None:
    found = {ep.name: ep for ep in entry_points(group="guildkit")}
    assert "openbadges" in found, "pip install -e plugins/guildkit-openbadges first"
    assert found["openbadges"].load() is guildkit_openbadges
    config = {"GUILDKIT_LOAD_ENTRY_POINTS": True, "GUILDKIT_PLUGINS_ALLOW": ["openbadges"]}
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        assert gk.pm.get_plugin("openbadges") is guildkit_openbadges
        assert app.config["GUILDKIT_OPENBADGES_URL_PREFIX"] == "/openbadges"
        assert "ob" in app.cli.commands["guildkit"].commands  # type: ignore[attr-defined]
