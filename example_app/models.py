"""The host app's own tables: users, questions, answers, comments and votes.

guildkit knows none of these; it only hears about them through ``gk.record`` (see ``actions.py``).
Every table uses SQLite's AUTOINCREMENT, so an id is never handed out twice even after the newest
row is deleted: vote ids end up in idempotency keys (``vote:{id}``), and a key must never be reused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

PostKind = Literal["question", "answer"]
POST_KINDS: tuple[PostKind, ...] = ("question", "answer")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no time zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


AUTOINCREMENT = {"sqlite_autoincrement": True}


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: One more at each log-out. Sessions and "remember me" cookies carry the value they were
    #: made with (:meth:`get_id`), so every one made before the log-out stops working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: ``"<id>:<session_version>"``
        (``auth.load_user`` reads it back). guildkit asks for the plain id instead
        (``@gk.current_user_loader`` in ``__init__.py``)."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name!r}>"


# Names are unique whatever their case: "Ada" and "ada" are the same person at log-in.
sa.Index("uq_users_name_lower", sa.func.lower(User.name), unique=True)


class Question(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "questions"
    __table_args__ = (
        sa.Index("ix_questions_created", "created_at"),
        sa.Index("ix_questions_score", "score"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The sum of the votes, kept in the same transaction as each vote.
    score: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(back_populates="question", order_by="Answer.id")

    kind: ClassVar[PostKind] = "question"

    @property
    def accepted_answer(self) -> Answer | None:
        return next((a for a in self.answers if a.accepted), None)


class Answer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "answers"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[bool] = mapped_column(default=False)
    #: How many times this answer has been accepted: each accept gets its own key (``accept:{id}:{n}``).
    accept_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(lazy="joined")
    question: Mapped[Question] = relationship(back_populates="answers")

    kind: ClassVar[PostKind] = "answer"

    @property
    def accept_key(self) -> str:
        return f"accept:{self.id}:{self.accept_count}"


class Comment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint("post_kind IN ('question', 'answer')", name="ck_comments_post_kind"),
        sa.Index("ix_comments_post", "post_kind", "post_id"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_kind: Mapped[str] = mapped_column(sa.String(8))
    post_id: Mapped[int]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.String(600))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class Vote(db.Model):  # type: ignore[name-defined,misc]
    """One user's live vote on one post. Undoing deletes it; changing it replaces it (a new id)."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "post_kind", "post_id", name="uq_votes_user_post"),
        sa.CheckConstraint("value IN (-1, 1)", name="ck_votes_value"),
        sa.CheckConstraint("post_kind IN ('question', 'answer')", name="ck_votes_post_kind"),
        sa.Index("ix_votes_post", "post_kind", "post_id"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    post_kind: Mapped[str] = mapped_column(sa.String(8))
    post_id: Mapped[int]
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        """The idempotency key of the activity this vote reported; ids are never reused."""
        return f"vote:{self.id}"


Post = Question | Answer


def get_post(kind: str, post_id: int) -> Post | None:
    if kind == "question":
        return db.session.get(Question, post_id)
    if kind == "answer":
        return db.session.get(Answer, post_id)
    return None
