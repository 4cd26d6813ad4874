"""``flask --app example_app seed``: a believable community, built through the app's own code paths.

Every user, post, comment, vote and accept goes through ``actions.py``, the same functions the
views call, so the host's tables and guildkit's ledger agree exactly as they would after real use.
The only difference is ``when``: actions are backdated over the last ``--days`` days, in time
order, so streaks, daily caps and "earned on" dates look real.

The simulation: a few people do most of the work (as in real communities); each day some members
visit, ask, answer recent questions, comment and vote (better posts get more and kinder votes);
askers accept the best answer after a while; now and then someone withdraws or changes a vote.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from . import (
    actions,
    seed_challenges,
    seed_groups,
    seed_kudos,
    seed_nominations,
    seed_objectives,
    seed_streaks,
    seed_titles,
)
from .extensions import db, gk
from .models import Answer, Post, Question, User, get_post
from .seed_content import NAMES, Writer
from .seed_participation import seed_participation
from .seed_safety import seed_safety

DEMO_PASSWORD = "demo"


@dataclass
class Person:
    user: User
    joins: int  # the day they sign up
    visits: float  # chance of visiting on a given day
    answers: float  # answers they write on a day they visit (on average)


@dataclass
class PostInfo:
    kind: str
    id: int
    author: int
    at: datetime
    quality: float
    question: int  # the question's id (its own id for a question)
    voters: set[int] = field(default_factory=set)


@dataclass
class Stats:
    users: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0
    votes: int = 0
    changed: int = 0
    accepts: int = 0
    visits: int = 0


class Community:
    def __init__(self, rng: random.Random, users: int, days: int) -> None:
        self.rng = rng
        self.days = days
        self.writer = Writer(rng)
        self.people: list[Person] = []
        self.questions: list[PostInfo] = []
        self.answers: list[PostInfo] = []
        self.posts: list[PostInfo] = []
        self.answered_by: dict[int, set[int]] = {}
        self.open: dict[int, PostInfo] = {}  # unaccepted questions with answers, by question id
        self.questions_accepted: dict[int, int] = {}  # question id -> accepted answer id
        self.stats = Stats()
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = today - timedelta(days=days)  # day 0; the last simulated day is yesterday
        self.password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: scrypt is slow on purpose
        for rank in range(users):
            name = NAMES[rank % len(NAMES)] + ("" if rank < len(NAMES) else f" {rank // len(NAMES) + 1}")
            joins = 0 if rank < 8 else rng.randint(0, max(0, int(days * 0.7)))
            visits = 1.0 if rank == 0 else max(0.12, 0.95 - 0.06 * rank)
            answers = 1.6 if rank == 0 else max(0.1, 1.8 / (1 + 0.35 * rank))
            self.people.append(Person(User(name=name), joins, visits, answers))

    def run(self) -> Stats:
        for day in range(self.days):
            self.simulate(day)
        return self.stats

    def simulate(self, day: int) -> None:
        rng = self.rng
        midnight = self.start + timedelta(days=day)
        plan: list[tuple[datetime, Callable[[datetime], None]]] = []
        for person in self.people:
            if person.joins == day:
                plan.append((midnight + timedelta(hours=7, minutes=rng.randint(0, 50)), self.joiner(person)))
            if person.joins > day or rng.random() >= person.visits:
                continue
            arrive = midnight + timedelta(hours=8, minutes=rng.randint(0, 120))
            plan.append((arrive, self.visitor(person)))

            def later(hours: float = 14.0, arrive: datetime = arrive) -> datetime:
                return arrive + timedelta(minutes=rng.randint(5, int(hours * 60)))

            if rng.random() < 0.3:
                plan.append((later(), self.asker(person)))
            for _ in range(self.poisson(person.answers)):
                plan.append((later(), self.answerer(person)))
            if rng.random() < 0.3:
                plan.append((later(), self.commenter(person)))
            for _ in range(rng.randint(1, 6)):
                plan.append((later(), self.voter(person)))
            # guildkit dates a retraction's reversal rows when gk.retract runs (it takes no
            # occurred_at), so withdrawn and changed votes happen on the last day only.
            if day == self.days - 1 and rng.random() < 0.8:
                plan.append((later(), self.changer(person)))
            plan.append((later(15.5), self.acceptor(person)))
        plan.sort(key=lambda item: item[0])
        for when, act in plan:
            act(when)

    def poisson(self, mean: float) -> int:
        count, limit, product = 0, pow(2.718281828, -mean), self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def recent(self, posts: list[PostInfo], when: datetime, days: int) -> list[PostInfo]:
        since = when - timedelta(days=days)
        found = []
        for post in reversed(posts):
            if post.at < since:
                break
            if post.at < when:
                found.append(post)
        return found

    # -- what people do (each returns a callable run at its time) -----------------------------

    def joiner(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            person.user = actions.create_user(person.user.name, self.password_hash, when)
            self.stats.users += 1

        return act

    def visitor(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            actions.record_visit(person.user.id, when)
            self.stats.visits += 1

        return act

    def asker(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            title, body = self.writer.question()
            question = actions.ask(person.user, title, body, when)
            info = PostInfo("question", question.id, person.user.id, when, self.rng.random(), question.id)
            self.questions.append(info)
            self.posts.append(info)
            self.stats.questions += 1

        return act

    def answerer(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            me = person.user.id
            choices = [
                q
                for q in self.recent(self.questions, when, 6)
                if q.author != me and me not in self.answered_by.get(q.id, set())
            ]
            if not choices:
                return
            # Fewer answers so far: more likely to be picked.
            weights = [1 / (1 + len(self.answered_by.get(q.id, ()))) ** 2 for q in choices]
            target = self.rng.choices(choices, weights)[0]
            question = db.session.get(Question, target.id)
            assert question is not None
            post = actions.answer(person.user, question, self.writer.answer(), when)
            skill = 0.35 if person.answers > 1 else 0.0
            info = PostInfo("answer", post.id, me, when, min(1.0, self.rng.random() + skill), target.id)
            self.answers.append(info)
            self.posts.append(info)
            self.answered_by.setdefault(target.id, set()).add(me)
            if self.questions_accepted.get(target.id) is None:
                self.open[target.id] = target
            self.stats.answers += 1

        return act

    def commenter(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            choices = self.recent(self.posts, when, 4)
            if not choices:
                return
            target = self.rng.choice(choices)
            actions.comment(person.user, self.post(target), self.writer.comment(), when)
            self.stats.comments += 1

        return act

    def voter(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            me = person.user.id
            choices = [p for p in self.recent(self.posts, when, 10) if p.author != me and me not in p.voters]
            if not choices:
                return
            target = self.rng.choices(choices, [0.2 + p.quality**2 for p in choices])[0]
            up = self.rng.random() < 0.6 + 0.38 * target.quality
            self.cast(person, target, 1 if up else -1, when)
            target.voters.add(me)
            self.stats.votes += 1

        return act

    def changer(self, person: Person) -> Callable[[datetime], None]:
        """Withdraw or flip an earlier vote: the undo and re-vote paths, with their new keys."""

        def act(when: datetime) -> None:
            me = person.user.id
            mine = [p for p in self.recent(self.posts, when, 10) if me in p.voters]
            if not mine:
                return
            target = self.rng.choice(mine)
            vote = actions.current_vote(me, self.post(target))
            if vote is None:
                return
            # The same direction again withdraws the vote; the other one changes it.
            self.cast(person, target, vote.value if self.rng.random() < 0.5 else -vote.value, when)
            self.stats.changed += 1

        return act

    def cast(self, person: Person, target: PostInfo, value: int, when: datetime) -> None:
        actions.vote(person.user, self.post(target), value, when)

    def post(self, info: PostInfo) -> Post:
        post = get_post(info.kind, info.id)
        assert post is not None
        return post

    def acceptor(self, person: Person) -> Callable[[datetime], None]:
        def act(when: datetime) -> None:
            me = person.user.id
            for question_id, info in list(self.open.items()):
                if info.author != me or when - info.at < timedelta(hours=10) or self.rng.random() > 0.45:
                    continue
                candidates = [a for a in self.answers if a.question == question_id and a.at < when and a.author != me]
                if not candidates:
                    continue
                best = max(candidates, key=lambda a: a.quality + self.rng.random() * 0.3)
                answer = db.session.get(Answer, best.id)
                assert answer is not None
                actions.toggle_accept(person.user, answer, when)
                self.questions_accepted[question_id] = best.id
                del self.open[question_id]
                self.stats.accepts += 1

        return act


@click.command("seed")
@click.option("--users", default=40, show_default=True, help="How many people.")
@click.option("--days", default=60, show_default=True, help="How many days of history, ending yesterday.")
@click.option("--seed", "random_seed", default=2026, show_default=True, help="Random seed (same seed, same data).")
@with_appcontext
def seed_command(users: int, days: int, random_seed: int) -> None:
    """Create a believable community: users, questions, answers, comments, votes, accepts, visits."""
    started = time.perf_counter()
    db.create_all()
    gk.create_all()
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        raise click.ClickException("the database already has users: seed a fresh one (./scripts/demo.sh --reset)")
    # Rate limits guard against people, not imports: this history arrives in seconds.
    limits, current_app.config["GUILDKIT_RATE_LIMITS"] = current_app.config["GUILDKIT_RATE_LIMITS"], None
    try:
        community = Community(random.Random(random_seed), users, days)
        stats = community.run()
        users = [person.user for person in community.people]
        more = seed_participation(community.rng, users, datetime.now(UTC))
        safety = seed_safety(community.rng, users, datetime.now(UTC))
        together = seed_together(users, datetime.now(UTC))
    finally:
        current_app.config["GUILDKIT_RATE_LIMITS"] = limits
    first = community.people[0].user.name.lower()
    db.session.remove()
    click.echo(
        f"Seeded {stats.users} users, {stats.questions} questions, {stats.answers} answers, "
        f"{stats.comments} comments, {stats.votes} votes ({stats.changed} withdrawn or changed), "
        f"{stats.accepts} accepted answers and {stats.visits} daily visits over {days} days "
        f"in {time.perf_counter() - started:.1f} s."
    )
    click.echo(
        f"Mentoring: {more.mentors} mentors, {more.mentorships} mentorships ({more.completed} completed). "
        f"Events: {more.events}, {more.rsvps} RSVPs, {more.attended} check-ins."
    )
    click.echo(
        f"Trust and safety: {safety.admin} is an admin and {safety.moderator} a moderator; "
        f"{safety.accepted} members accepted the guidelines; {safety.promoted} trust-level promotions; "
        f"{safety.cases} moderation cases."
    )
    if together:
        click.echo("Together: " + "; ".join(together) + ".")
    click.echo(f"Log in as {first} / {DEMO_PASSWORD} (every seeded user's password is {DEMO_PASSWORD!r}).")


def seed_together(users: list[User], now: datetime) -> list[str]:
    """Groups, kudos, a nomination, challenges and objectives, each only when its feature is on
    (a host may switch any of them off); what was made, in words for the summary."""
    said = []
    if _on("groups") and len(users) >= seed_groups.PEOPLE:
        made = seed_groups.seed(gk, users, now)
        said.append(f"{made['groups']} teams with {made['goals']} goals")
    if _on("kudos"):
        given = seed_kudos.seed(gk, users, now)
        said.append(f"{given['kudos']} kudos from {given['givers']} members")
    if _on("nominations") and seed_nominations.seed(gk, users, now) is not None:
        said.append("a nomination waiting for its second approval")
    if _on("challenges"):
        challenges = seed_challenges.seed(gk, users, now)
        said.append(f"{challenges.challenges} challenges ({challenges.completed} completed)")
    if _on("objectives"):
        objectives = seed_objectives.seed(gk, users, now)
        said.append(f"{objectives.set} objectives")
    if _on("streaks") and seed_streaks.seed(gk, users, now)["frozen"] is not None:
        said.append("a visit streak kept by a freeze, and an absence declared")
    if _on("titles"):
        said.append(f"{seed_titles.seed(gk, users, now)['titles']} members showing a title")
    return said


def _on(service: str) -> bool:
    return service in gk.services()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the tables and columns this version needs that an older demo database lacks (keeps its data)."""
    db.create_all()
    gk.create_all()
    for column in add_missing_columns():
        click.echo(f"Added {column}.")
    click.echo("Tables are up to date.")


def add_missing_columns() -> list[str]:
    """Add the columns this version's tables have that the database's tables lack (``create_all``
    makes missing tables, never missing columns); returns them as ``table.column``.

    What this version has is read from a scratch in-memory database built by the same code
    (``create_app``, ``create_all``), so a column added to the app's models or to guildkit's
    (whose production databases get it from ``flask guildkit db upgrade``) needs nothing here. A
    new column without a default cannot be added to rows that exist: that asks for a reset.
    """
    from . import create_app  # the package imports this module

    scratch = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with scratch.app_context():
        db.create_all()
        gk.create_all()
        inspector = sa.inspect(db.engine)
        wanted = {table: inspector.get_columns(table) for table in inspector.get_table_names()}
        gk.store.remove_session()
        db.engine.dispose()
    added: list[str] = []
    inspector = sa.inspect(db.engine)
    with db.engine.begin() as conn:
        for table, columns in wanted.items():
            if not inspector.has_table(table):
                continue
            present = {column["name"] for column in inspector.get_columns(table)}
            for column in columns:
                name, default = column["name"], column.get("default")
                if name in present:
                    continue
                if not column["nullable"] and default is None:
                    raise click.ClickException(
                        f"{table}.{name} is new and has no default: start afresh with ./scripts/demo.sh --reset"
                    )
                kind = column["type"].compile(dialect=conn.dialect)
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}'
                    + ("" if column["nullable"] else " NOT NULL")
                    + ("" if default is None else f" DEFAULT {default}")
                )
                added.append(f"{table}.{name}")
    return added
