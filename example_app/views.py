"""The Q&A pages: question list, question page, asking, answering, commenting, voting, accepting, users.

Every POST is a plain HTML form (no JavaScript): it acts, then redirects back (POST/redirect/GET).
The work itself, and what guildkit hears about it, is in ``actions.py``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from . import actions, reads
from .extensions import db, gk
from .models import POST_KINDS, Answer, Post, Question, User, get_post
from .security import check_csrf

bp = Blueprint("qa", __name__)
bp.before_request(check_csrf)
PER_PAGE = 20
SORTS = {"newest": "Newest", "votes": "Most voted"}


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _post_or_404(kind: str, post_id: int) -> Post:
    post = get_post(kind, post_id) if kind in POST_KINDS else None
    if post is None:
        abort(404)
    return post


def _question_url(question_id: int, anchor: str | None = None) -> str:
    return url_for("qa.question", question_id=question_id, _anchor=anchor)


def _post_url(post: Post) -> str:
    if isinstance(post, Answer):
        return _question_url(post.question_id, f"answer-{post.id}")
    return _question_url(post.id, "question")


@bp.get("/")
def index() -> str:
    sort = request.args.get("sort", "newest")
    if sort not in SORTS:
        sort = "newest"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = reads.question_list(sort, page, PER_PAGE)
    authors = reads.reputations(q.author_id for q, _, _ in rows)
    return render_template(
        "index.html",
        rows=rows,
        total=total,
        sort=sort,
        sorts=SORTS,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        authors=authors,
        top=reads.top_members(8),
    )


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def ask() -> Response | str | tuple[str, int]:
    if request.method == "POST":
        title, body = request.form.get("title", ""), request.form.get("body", "")
        try:
            question = actions.ask(_me(), title, body)
        except actions.Invalid as exc:
            return render_template("ask.html", error=exc.message, title=title, body=body), 400
        flash("Your question is posted.", "success")
        return redirect(_question_url(question.id))
    return render_template("ask.html", title="", body="")


def render_question(question: Question, status: int = 200, **extra: Any) -> tuple[str, int]:
    answers = sorted(question.answers, key=lambda a: (not a.accepted, -a.score, a.id))
    comments = reads.comments_for(question)
    people = {question.author_id, *(a.author_id for a in answers)}
    people.update(c.author_id for notes in comments.values() for c in notes)
    my_votes = reads.votes_by(current_user.id, question) if current_user.is_authenticated else {}
    # guildkit's signal: trusted members' spam reports hide an answer (or all of its author's
    # content) until a moderator decides. The author still sees their own answer.
    visible = {author: gk.can(author, "content.visible") for author in {a.author_id for a in answers}}
    hidden = {a.id for a in answers if not visible[a.author_id] or gk.moderation.is_hidden(f"answer:{a.id}")}
    page = render_template(
        "question.html",
        question=question,
        answers=answers,
        comments=comments,
        reputation=reads.reputations(people),
        my_votes=my_votes,
        hidden=hidden,
        **extra,
    )
    return page, status


@bp.get("/questions/<int:question_id>")
def question(question_id: int) -> tuple[str, int]:
    return render_question(db.get_or_404(Question, question_id))


@bp.get("/answers/<int:answer_id>")
def answer_link(answer_id: int) -> Response:
    return redirect(_post_url(db.get_or_404(Answer, answer_id)))


@bp.post("/questions/<int:question_id>/answers")
@login_required
def post_answer(question_id: int) -> Response | tuple[str, int]:
    question = db.get_or_404(Question, question_id)
    body = request.form.get("body", "")
    try:
        posted = actions.answer(_me(), question, body)
    except actions.Invalid as exc:
        return render_question(question, 400, answer_error=exc.message, answer_body=body)
    flash("Your answer is posted.", "success")
    return redirect(_post_url(posted))


@bp.post("/posts/<kind>/<int:post_id>/comments")
@login_required
def post_comment(kind: str, post_id: int) -> Response | tuple[str, int]:
    post = _post_or_404(kind, post_id)
    body = request.form.get("body", "")
    try:
        actions.comment(_me(), post, body)
    except actions.Invalid as exc:
        question = post.question if isinstance(post, Answer) else post
        return render_question(question, 400, comment_error={(kind, post_id): exc.message}, comment_body=body)
    flash("Your comment is posted.", "success")
    return redirect(_post_url(post))


@bp.post("/posts/<kind>/<int:post_id>/vote")
@login_required
def vote(kind: str, post_id: int) -> Response:
    post = _post_or_404(kind, post_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, description="A vote is up or down.")
    try:
        outcome = actions.vote(_me(), post, 1 if direction == "up" else -1)
    except actions.NotAllowed as exc:
        abort(403, description=exc.message)
    except actions.Invalid as exc:
        flash(exc.message, "error")
        return redirect(_post_url(post))
    messages = {"up": "Upvoted.", "down": "Downvoted.", "undone": "Your vote is withdrawn."}
    flash(messages[outcome], "success")
    return redirect(_post_url(post))


@bp.post("/answers/<int:answer_id>/accept")
@login_required
def accept(answer_id: int) -> Response:
    post = db.get_or_404(Answer, answer_id)
    try:
        accepted = actions.toggle_accept(_me(), post)
    except actions.NotAllowed as exc:
        abort(403, description=exc.message)
    flash("Answer accepted." if accepted else "Accept withdrawn.", "success")
    return redirect(_post_url(post))


@bp.get("/users/")
def users() -> str:
    ranked = reads.top_members(None)
    seen = {user.id for user, _ in ranked}
    newcomers = db.session.scalars(sa.select(User).where(User.id.not_in(seen)).order_by(User.name)).all()
    return render_template("users.html", ranked=ranked + [(u, 0) for u in newcomers])


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    person = db.get_or_404(User, user_id)
    questions = db.session.scalars(
        sa.select(Question).where(Question.author_id == person.id).order_by(Question.created_at.desc()).limit(10)
    ).all()
    answers = db.session.scalars(
        sa.select(Answer).where(Answer.author_id == person.id).order_by(Answer.created_at.desc()).limit(10)
    ).all()
    counts = {
        "questions": db.session.scalar(sa.select(sa.func.count()).where(Question.author_id == person.id)) or 0,
        "answers": db.session.scalar(sa.select(sa.func.count()).where(Answer.author_id == person.id)) or 0,
    }
    return render_template(
        "user.html",
        person=person,
        standing=reads.standing(person.id),
        questions=questions,
        answers=answers,
        counts=counts,
    )
