"""The ``flask guildkit`` commands (db commands are covered in test_migrations.py)."""

from __future__ import annotations

import json

from flask import Flask

from guildkit import GuildKit


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["guildkit", *args])
    return result.exit_code, result.output


def test_award_revoke_and_member_show(gk_app: Flask, gk: GuildKit) -> None:
    code, out = run(
        gk_app,
        "award",
        "ann",
        "--points",
        "25",
        "--point-type",
        "reputation",
        "--badge",
        "answerer",
        "--level",
        "2",
        "--reason",
        "meetup talk",
        "--key",
        "talk-1",
    )
    assert code == 0, out
    assert json.loads(out) == {"key": "talk-1", "points": 25, "badges": ["answerer"], "roles": []}
    code, out = run(gk_app, "member", "show", "ann")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["balances"] == {"reputation": 25}
    assert shown["badges"] == [{"badge": "answerer", "level": 2, "rule": "guildkit.manual"}]
    assert shown["ledger"][0]["reason"] == "meetup talk"
    code, out = run(gk_app, "revoke", "ann", "--badge", "answerer", "--reason", "wrong person")
    assert code == 0, out
    assert json.loads(out)["badges_revoked"] == ["answerer"]
    code, out = run(gk_app, "revoke", "--activity", "talk-1", "--reason", "undo")
    assert code == 0, out
    # reputation has a floor of 1: undoing the award stops there
    assert json.loads(out)["points"] == [{"user_id": "ann", "point_type": "reputation", "amount": -24}]
    assert gk.balance("ann", "reputation") == 1


def test_cli_errors_are_clear(gk_app: Flask, gk: GuildKit) -> None:
    code, out = run(gk_app, "award", "ann", "--points", "5", "--point-type", "gold", "--reason", "x")
    assert code == 1 and "no point type 'gold'" in out
    code, out = run(gk_app, "member", "show", "ghost")
    assert code == 1 and "no member for user id 'ghost'" in out
    code, out = run(gk_app, "revoke", "--reason", "x")
    assert code == 2 and "give USER_ID" in out
    code, out = run(gk_app, "revoke", "--activity", "nope", "--reason", "x")
    assert code == 1 and "no activity with key 'nope'" in out


def test_token_create_list_revoke(gk_app: Flask, gk: GuildKit) -> None:
    from guildkit.tokens import hash_token

    code, out = run(gk_app, "token", "create", "--name", "forum sync", "--scope", "activities.write")
    assert code == 0, out
    created = json.loads(out)
    assert created["scopes"] == ["activities.write"] and created["token"].startswith("gk_")
    code, out = run(gk_app, "token", "list")
    (listed,) = json.loads(out)
    assert listed["prefix"] == created["token"][:10] and listed["revoked"] is False
    assert "token" not in listed
    from guildkit.models import ApiToken

    stored = gk.session.get(ApiToken, created["id"])
    assert stored is not None and stored.token_hash == hash_token(created["token"]) != created["token"]
    code, out = run(gk_app, "token", "revoke", str(created["id"]))
    assert code == 0 and "revoked" in out
    assert json.loads(run(gk_app, "token", "list")[1])[0]["revoked"] is True
    code, out = run(gk_app, "token", "create", "--name", "x", "--scope", "everything")
    assert code == 1 and "unknown: everything" in out
    code, out = run(gk_app, "token", "revoke", "999")
    assert code == 1 and "no token with id 999" in out
