"""What users do, in one place: the views and the seed command both call these functions.

Each function makes the host's own change and commits it FIRST, then tells guildkit with
``gk.record`` / ``gk.retract``. guildkit writes on its own connection and never commits the
host's work; on SQLite it refuses to run while ``db.session`` holds uncommitted writes.

Idempotency keys name one logical event each, and are never reused for different content:

==========================  ==============================================================
``post:question:{id}``      a question was asked
``post:answer:{id}``        an answer was posted
``post:comment:{id}``       a comment was posted
``vote:{vote.id}``          a vote was cast. Undo deletes the row and retracts the key; voting
                            again, or changing up to down, inserts a new row, so the new vote
                            has a new id and a new key (ids are never reused: AUTOINCREMENT)
``accept:{answer.id}:{n}``  the n-th time an answer was accepted; un-accepting retracts it,
                            accepting it again is accept number n+1
``visit:{user}:{date}``     the user's first page view of the day (community time zone)
==========================  ==============================================================

``when`` backdates an action (the seed command uses it); views leave it ``None``: now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from .extensions import db, gk
from .models import Answer, Comment, Post, Question, User, Vote, utcnow

NAME_MAX = 60
TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 20, 20_000
COMMENT_MIN, COMMENT_MAX = 5, 600
PASSWORD_MIN = 4

VoteOutcome = Literal["up", "down", "undone"]


class ActionError(Exception):
    """An action that cannot be done; ``message`` is shown to the user."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ActionError):
    status = 400


class NotAllowed(ActionError):
    status = 403


def community_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["GUILDKIT_TIMEZONE"])


def _text(value: str, what: str, low: int, high: int) -> str:
    value = value.strip()
    if len(value) < low:
        raise Invalid(f"{what} must be at least {low} characters.")
    if len(value) > high:
        raise Invalid(f"{what} must be at most {high} characters.")
    return value


# -- people ----------------------------------------------------------------------------------


def find_user(name: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.name) == name.strip().lower()))


def sign_up(name: str, password: str) -> User:
    """Create an account (the sign-up form): checks the name and password, hashes the password."""
    name = _text(name, "Your name", 2, NAME_MAX)
    if any(not ch.isprintable() for ch in name):
        raise Invalid("Your name cannot contain control characters.")
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"Your password must be at least {PASSWORD_MIN} characters.")
    if find_user(name) is not None:
        raise Invalid("That name is taken; please choose another.")
    return create_user(name, generate_password_hash(password))


def create_user(name: str, password_hash: str, when: datetime | None = None) -> User:
    """Store the user, then make them a member: the Stack Exchange plugin gives the starting 1."""
    user = User(name=name, password_hash=password_hash, created_at=when or utcnow())
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Invalid("That name is taken; please choose another.") from None
    if when is None:
        gk.join(user.id)
    else:
        # Exactly what gk.join records (same type, key and actor), dated when the user joined.
        gk.record("guildkit.joined", key=f"guildkit.joined:{user.id}", actor=user.id, occurred_at=when)
    return user


def record_visit(user_id: int, when: datetime | None = None) -> str:
    """The daily ``visit`` (streak badges, XP). Recording it twice a day is a harmless replay."""
    day = (when or utcnow()).astimezone(community_zone()).date()
    key = f"visit:{user_id}:{day.isoformat()}"
    gk.record("visit", key=key, actor=user_id, occurred_at=when)
    return key


# -- posts -----------------------------------------------------------------------------------


def ask(author: User, title: str, body: str, when: datetime | None = None) -> Question:
    question = Question(
        title=_text(title, "The title", TITLE_MIN, TITLE_MAX),
        body=_text(body, "The question", BODY_MIN, BODY_MAX),
        author_id=author.id,
        created_at=when or utcnow(),
    )
    db.session.add(question)
    db.session.commit()
    gk.record(
        "question.posted",
        key=f"post:question:{question.id}",
        actor=author.id,
        subject=f"question:{question.id}",
        occurred_at=when,
    )
    return question


def answer(author: User, question: Question, body: str, when: datetime | None = None) -> Answer:
    post = Answer(
        question_id=question.id,
        body=_text(body, "The answer", BODY_MIN, BODY_MAX),
        author_id=author.id,
        created_at=when or utcnow(),
    )
    db.session.add(post)
    db.session.commit()
    gk.record(
        "answer.posted",
        key=f"post:answer:{post.id}",
        actor=author.id,
        subject=f"answer:{post.id}",
        payload={"question": question.id},
        occurred_at=when,
    )
    return post


def comment(author: User, post: Post, body: str, when: datetime | None = None) -> Comment:
    note = Comment(
        post_kind=post.kind,
        post_id=post.id,
        author_id=author.id,
        body=_text(body, "The comment", COMMENT_MIN, COMMENT_MAX),
        created_at=when or utcnow(),
    )
    db.session.add(note)
    db.session.commit()
    gk.record(
        "comment.posted",
        key=f"post:comment:{note.id}",
        actor=author.id,
        target=post.author_id,
        subject=f"{post.kind}:{post.id}",
        occurred_at=when,
    )
    return note


# -- votes and accepts -----------------------------------------------------------------------


def current_vote(user_id: int, post: Post) -> Vote | None:
    return db.session.scalar(
        sa.select(Vote).where(Vote.user_id == user_id, Vote.post_kind == post.kind, Vote.post_id == post.id)
    )


def _move_score(post: Post, delta: int) -> None:
    model = type(post)
    db.session.execute(sa.update(model).where(model.id == post.id).values(score=model.score + delta))


def vote(user: User, post: Post, value: int, when: datetime | None = None) -> VoteOutcome:
    """Vote ``value`` (+1 or -1) on a post. The same vote again undoes it; the other one changes it.

    A change is an undo plus a new vote: the old key is retracted and the new vote, a new row
    with a new id, is recorded under its own key.
    """
    if value not in (1, -1):
        raise Invalid("A vote is up or down.")
    if post.author_id == user.id:
        raise NotAllowed("You cannot vote on your own post.")
    old = current_vote(user.id, post)
    old_key = None
    if old is not None:
        old_key = old.key
        _move_score(post, -old.value)
        db.session.delete(old)
        db.session.flush()
        if old.value == value:
            db.session.commit()
            gk.retract(old_key, reason="vote undone")
            return "undone"
    new = Vote(user_id=user.id, post_kind=post.kind, post_id=post.id, value=value, created_at=when or utcnow())
    db.session.add(new)
    _move_score(post, value)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a double submit raced us to the same vote: nothing to do
        db.session.rollback()
        raise Invalid("Your vote was already counted.") from None
    if old_key is not None:
        gk.retract(old_key, reason="vote changed")
    gk.record(
        f"{post.kind}.{'upvoted' if value > 0 else 'downvoted'}",
        key=new.key,
        actor=user.id,
        target=post.author_id,
        subject=f"{post.kind}:{post.id}",
        occurred_at=when,
    )
    return "up" if value > 0 else "down"


def toggle_accept(user: User, post: Answer, when: datetime | None = None) -> bool:
    """Accept an answer (the question's author only), or un-accept it. Returns whether it is accepted.

    A question has at most one accepted answer: accepting another withdraws the first.
    """
    question = post.question
    if question.author_id != user.id:
        raise NotAllowed("Only the person who asked can accept an answer.")
    if post.accepted:
        post.accepted = False
        db.session.commit()
        gk.retract(post.accept_key, reason="accept withdrawn")
        return False
    previous = [a for a in question.answers if a.accepted and a.id != post.id]
    for other in previous:
        other.accepted = False
    post.accepted = True
    post.accept_count += 1
    db.session.commit()
    for other in previous:
        gk.retract(other.accept_key, reason="another answer was accepted")
    gk.record(
        "answer.accepted",
        key=post.accept_key,
        actor=user.id,
        target=post.author_id,
        subject=f"answer:{post.id}",
        payload={"question": question.id},
        occurred_at=when,
    )
    return True
