"""A small host app embedding guildkit exactly as the README says (the demo).

For now it is a placeholder community page over seeded data; the full Q&A app (sign-up, posts,
votes) arrives with the blueprint. Reputation comes from the Stack Exchange plugin
(plugins/guildkit-stackexchange, found through its entry point); the app's own badges and XP
are in rules.toml.

    flask --app example_app seed     # believable data: dozens of users, hundreds of activities
    flask --app example_app run
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, render_template
from flask.cli import with_appcontext
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from guildkit import GuildKit, UserInfo
from guildkit.models import Badge, BadgeAward, Balance, Member

HERE = Path(__file__).parent


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
gk = GuildKit(db=db)


class User(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


@gk.user_info_loader
def user_info(user_id: str) -> UserInfo | None:
    user = db.session.get(User, int(user_id))
    return None if user is None else UserInfo(name=user.name)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY="demo-only-not-secret",
        SQLALCHEMY_DATABASE_URI="sqlite:///example.db",
        GUILDKIT_RULES_FILE=str(HERE / "rules.toml"),
    )
    app.config.update(config or {})
    db.init_app(app)
    gk.init_app(app)
    app.cli.add_command(seed_command)

    @app.get("/")
    def home() -> str:
        return render_template("home.html", **community_overview())

    return app


def community_overview() -> dict[str, Any]:
    session = db.session
    top = session.execute(
        sa.select(Member.user_id, Balance.balance)
        .join(Balance, Balance.member_id == Member.id)
        .where(Balance.point_type == "reputation")
        .order_by(Balance.balance.desc(), Member.id)
        .limit(10)
    ).all()
    recent = session.execute(
        sa.select(Member.user_id, Badge.name, BadgeAward.level, Badge.levels, BadgeAward.awarded_at)
        .join(Member, Member.id == BadgeAward.member_id)
        .join(Badge, Badge.slug == BadgeAward.badge_slug)
        .where(BadgeAward.revoked_at.is_(None), Badge.secret.is_(False))
        .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
        .limit(12)
    ).all()
    names = {str(u.id): u.name for u in session.scalars(sa.select(User))}
    return {
        "top": [(names.get(user_id, user_id), balance) for user_id, balance in top],
        "recent": [
            (names.get(user_id, user_id), name, levels[level - 1]["tier"], when)
            for user_id, name, level, levels, when in recent
        ],
        "members": session.scalar(sa.select(sa.func.count()).select_from(Member)),
    }


NAMES = [
    *("Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Guido", "Yukihiro"),
    *("Bjarne", "Edsger", "Donald", "Frances", "Radia", "Shafi", "Tim", "Vint", "Leslie", "Niklaus"),
    *("John", "Hedy", "Katherine", "Annie", "Sophie", "Karen", "Joan", "Mary", "Jean", "Evelyn"),
    *("Adele", "Ida", "Lynn", "Ruth", "Carol", "Dorothy", "Betty", "Kathleen", "Marlyn", "Gertrude"),
]


@click.command("seed")
@with_appcontext
@click.option("--users", default=40, show_default=True)
@click.option("--days", default=60, show_default=True)
@click.option("--seed", "random_seed", default=2026, show_default=True)
def seed_command(users: int, days: int, random_seed: int) -> None:
    """Create a believable community: users, posts, votes, accepts, visits."""
    rng = random.Random(random_seed)
    db.create_all()
    gk.create_all()
    people = [User(name=NAMES[n % len(NAMES)] + ("" if n < len(NAMES) else f" {n}")) for n in range(users)]
    db.session.add_all(people)
    db.session.commit()
    ids = [str(u.id) for u in people]
    # A few people do most of the work, as in real communities.
    weights = [1 / (rank + 1) for rank in range(users)]
    start = datetime.now(UTC) - timedelta(days=days)
    activities: list[dict[str, Any]] = []
    posts: list[tuple[str, str]] = []
    voted: set[tuple[str, str]] = set()
    accepted: set[str] = set()
    for day in range(days):
        today = start + timedelta(days=day)
        for user in rng.choices(ids, weights, k=rng.randint(8, 16)):
            activities.append({"type": "visit", "actor": user, "key": f"visit:{user}:{day}", "occurred_at": today})
        for n in range(rng.randint(3, 8)):
            author = rng.choices(ids, weights)[0]
            kind = rng.choice(["question", "answer", "answer"])
            subject = f"{kind}:{day}-{n}"
            when = today + timedelta(minutes=rng.randint(0, 1200))
            activities.append(
                {
                    "type": f"{kind}.posted",
                    "actor": author,
                    "subject": subject,
                    "key": f"post:{subject}",
                    "occurred_at": when,
                }
            )
            posts.append((subject, author))
        for _ in range(rng.randint(10, 25)):
            subject, author = rng.choice(posts)
            voter = rng.choice(ids)
            if voter == author or (voter, subject) in voted:
                continue
            voted.add((voter, subject))
            kind = subject.split(":")[0]
            vote = "upvoted" if rng.random() < 0.88 else "downvoted"
            activities.append(
                {
                    "type": f"{kind}.{vote}",
                    "actor": voter,
                    "target": author,
                    "subject": subject,
                    "key": f"vote:{voter}:{subject}",
                    "occurred_at": today + timedelta(hours=20),
                }
            )
        answers = [p for p in posts[-8:] if p[0].startswith("answer") and p[0] not in accepted]
        if answers and rng.random() < 0.6:
            subject, author = rng.choice(answers)
            accepted.add(subject)
            asker = rng.choice([i for i in ids if i != author])
            activities.append(
                {
                    "type": "answer.accepted",
                    "actor": asker,
                    "target": author,
                    "subject": subject,
                    "key": f"accept:{subject}",
                    "occurred_at": today + timedelta(hours=22),
                }
            )
    for user in ids:
        gk.join(user)
    batch = 500
    for offset in range(0, len(activities), batch):
        gk.record_many(activities[offset : offset + batch])
    click.echo(f"Seeded {users} users and {len(activities)} activities over {days} days.")
