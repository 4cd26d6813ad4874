"""The example host app: seeding makes a living community, and its page shows it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from example_app import create_app
from guildkit.models import Activity, BadgeAward, Member


def test_seed_and_home_page(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'example.db'}", "TESTING": True})
    result = app.test_cli_runner().invoke(args=["seed", "--users", "30", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Seeded 30 users" in result.output
    gk = app.extensions["guildkit"].gk
    with app.app_context():
        session = gk.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Member)) == 30
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity)) > 500
        tiers = {a.badge_slug for a in session.scalars(sa.select(BadgeAward))}
        assert {"first-post", "answerer", "enthusiast"} <= tiers
        page = app.test_client().get("/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Recent badges" in html and "earned" in html
        gk.store.remove_session()
        gk.store.engine.dispose()
