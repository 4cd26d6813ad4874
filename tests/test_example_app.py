"""The example host app: a mini Stack Overflow that embeds guildkit as the README says.

Everything goes through the HTTP client (sign up, forms with their CSRF tokens, redirects), and
every reputation figure is read back from guildkit with ``gk.balance``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import check_password_hash

from example_app import create_app, db, email_settings, gk
from example_app.models import Answer, Question, User, Vote
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry
from tests.smtp_server import Inbox, free_port, serving

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ex.db'}", "TESTING": True})
    with app.app_context():
        db.create_all()
        gk.create_all()
    yield app
    with app.app_context():
        gk.store.remove_session()
        db.engine.dispose()


class Browser:
    """One person's browser: loads the page a form is on, then submits it with that page's token."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()

    def page(self, url: str, status: int = 200) -> str:
        with self.client.get(url) as response:
            assert response.status_code == status, (url, response.status_code)
            return response.get_data(as_text=True)

    def submit(self, form_page: str, action: str, data: dict[str, str], status: int = 302) -> Any:
        page = self.page(form_page)
        # The token of the form posting to `action`: a community page also holds the app's own, in
        # the header's log-out form.
        forms = re.findall(r'<form[^>]* action="([^"]*)"[^>]*>(.*?)</form>', page, re.S)
        tokens = [token for to, form in forms if to == action for token in TOKEN_RE.findall(form)]
        tokens = tokens or TOKEN_RE.findall(page)
        assert tokens, f"no form with a CSRF token on {form_page}"
        response = self.client.post(action, data={**data, "csrf_token": tokens[0]})
        assert response.status_code == status, (action, response.status_code, response.get_data(as_text=True)[:500])
        return response

    def sign_up(self, name: str, password: str = "hunter22") -> int:
        self.submit("/signup", "/signup", {"name": name, "password": password, "password_again": password})
        return user_id(self.app, name)

    def ask(self, title: str, body: str) -> int:
        response = self.submit("/ask", "/ask", {"title": title, "body": body})
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def answer(self, question: int, body: str) -> int:
        response = self.submit(f"/questions/{question}", f"/questions/{question}/answers", {"body": body})
        return int(response.headers["Location"].rsplit("#answer-", 1)[1])

    def vote(self, kind: str, post: int, direction: str, question: int, status: int = 302) -> None:
        self.submit(f"/questions/{question}", f"/posts/{kind}/{post}/vote", {"direction": direction}, status)

    def accept(self, answer: int, question: int, status: int = 302) -> None:
        self.submit(f"/questions/{question}", f"/answers/{answer}/accept", {}, status)


def user_id(app: Flask, name: str) -> int:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.name == name))
        assert user is not None
        return int(user.id)


def rep(app: Flask, user: int) -> int:
    with app.app_context():
        return int(gk.balance(user, "reputation"))


def reps(app: Flask, *users: int) -> tuple[int, ...]:
    return tuple(rep(app, u) for u in users)


QUESTION_BODY = "I tried sorted() with a lambda but the order of ties is not what I expected."
ANSWER_BODY = "Use a tuple as the key: sorted(rows, key=lambda r: (r['a'], r['b'])). Ties keep their order."


# -- accounts ----------------------------------------------------------------------------------


def test_sign_up_hashes_the_password_and_starts_at_one_reputation(app: Flask) -> None:
    alice = Browser(app)
    alice_id = alice.sign_up("alice", "correct horse")
    with app.app_context():
        user = db.session.get(User, alice_id)
        assert user is not None
        assert user.password_hash != "correct horse"
        assert check_password_hash(user.password_hash, "correct horse")
    assert rep(app, alice_id) == 1  # gk.join: the Stack Exchange plugin's starting 1
    home = alice.page("/")
    assert "alice" in home and "Log out" in home

    alice.submit("/", "/logout", {})
    assert "Log in" in alice.page("/")
    wrong = alice.submit("/login", "/login", {"name": "alice", "password": "wrong"}, status=400)
    assert "Wrong name or password" in wrong.get_data(as_text=True)
    assert "Log out" not in alice.page("/")
    alice.submit("/login", "/login", {"name": "ALICE", "password": "correct horse"})  # names ignore case
    assert "Log out" in alice.page("/")
    assert rep(app, alice_id) == 1  # logging in again does not join twice


def test_sign_up_rejects_a_taken_name_and_short_passwords(app: Flask) -> None:
    Browser(app).sign_up("bob")
    again = Browser(app).submit(
        "/signup", "/signup", {"name": "Bob", "password": "xyzw", "password_again": "xyzw"}, 400
    )
    assert "That name is taken" in again.get_data(as_text=True)
    short = Browser(app).submit("/signup", "/signup", {"name": "cy", "password": "abc", "password_again": "abc"}, 400)
    assert "at least 4 characters" in short.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_login_never_redirects_off_site(app: Flask) -> None:
    Browser(app).sign_up("alice", "secret")
    browser = Browser(app)
    tokens = TOKEN_RE.findall(browser.page("/login?next=https://evil.example/"))
    response = browser.client.post(
        "/login", data={"name": "alice", "password": "secret", "next": "//evil.example/x", "csrf_token": tokens[0]}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# -- posting, voting, accepting --------------------------------------------------------------


def test_votes_undo_changes_and_accepts_move_reputation(app: Flask) -> None:
    alice, bob, carol = Browser(app), Browser(app), Browser(app)
    a, b, c = alice.sign_up("alice"), bob.sign_up("bob"), carol.sign_up("carol")
    assert reps(app, a, b, c) == (1, 1, 1)
    question = alice.ask("How do I sort dicts by two keys?", QUESTION_BODY)
    answer = bob.answer(question, ANSWER_BODY)
    page = carol.page(f"/questions/{question}")
    assert "How do I sort dicts by two keys?" in page and "Use a tuple as the key" in page

    bob.vote("question", question, "up", question)
    assert rep(app, a) == 11
    carol.vote("answer", answer, "up", question)
    assert rep(app, b) == 11
    alice.vote("answer", answer, "up", question)
    assert rep(app, b) == 21
    alice.vote("answer", answer, "up", question)  # the same button again: undo
    assert rep(app, b) == 11
    alice.vote("answer", answer, "up", question)  # voting again after an undo counts again (a new key)
    assert rep(app, b) == 21

    alice.vote("answer", answer, "down", question)  # up -> down: the upvote is retracted, the downvote recorded
    assert reps(app, a, b) == (10, 9)  # answer downvotes cost the voter 1 and the author 2
    alice.vote("answer", answer, "down", question)  # undo the downvote
    assert reps(app, a, b) == (11, 11)
    carol.vote("question", question, "down", question)
    assert reps(app, a, c) == (9, 1)  # question downvotes: -2 to the author, free for the voter

    alice.accept(answer, question)
    assert reps(app, a, b) == (11, 26)  # +2 to the asker, +15 to the answerer
    alice.accept(answer, question)  # un-accept
    assert reps(app, a, b) == (9, 11)
    alice.accept(answer, question)  # accept again: a new key, so it counts again
    assert reps(app, a, b) == (11, 26)

    bob.accept(answer, question, status=403)  # only the asker accepts
    alice.vote("question", question, "up", question, status=403)  # no voting on your own post
    assert reps(app, a, b, c) == (11, 26, 1)

    with app.app_context():
        q = db.session.get(Question, question)
        ans = db.session.get(Answer, answer)
        assert q is not None and ans is not None
        assert (q.score, ans.score, ans.accepted, ans.accept_count) == (0, 1, True, 2)
        votes = db.session.scalars(sa.select(Vote).order_by(Vote.id)).all()
        assert [(v.user_id, v.post_kind, v.value) for v in votes] == [
            (b, "question", 1),
            (c, "answer", 1),
            (c, "question", -1),
        ]
        activities = {row.key: row for row in gk.session.scalars(sa.select(Activity))}
        vote_keys = sorted((k for k in activities if k.startswith("vote:")), key=lambda k: int(k.split(":")[1]))
        # Six votes were cast, each under its own key: bob's and carol's upvotes stand; alice's upvote
        # (undone), her second upvote (changed to down) and her downvote (undone) are retracted;
        # carol's downvote stands. Alice's second upvote got id 4 although id 3, the newest row, had
        # just been deleted: ids are never reused, so neither are keys.
        assert vote_keys == [f"vote:{n}" for n in range(1, 7)]
        assert [activities[k].retracted_at is None for k in vote_keys] == [True, True, False, False, False, True]
        assert activities["accept:1:1"].retracted_at is not None
        assert activities["accept:1:2"].retracted_at is None
        reasons = [row.reason for row in gk.ledger(b)]
        assert "retracted: vote undone" in reasons and "retracted: vote changed" in reasons
        assert "retracted: accept withdrawn" in reasons


def test_accepting_another_answer_moves_the_accept(app: Flask) -> None:
    alice, bob, dave = Browser(app), Browser(app), Browser(app)
    a, b, d = alice.sign_up("alice"), bob.sign_up("bob"), dave.sign_up("dave")
    question = alice.ask("Which way is faster for large files?", QUESTION_BODY)
    first = bob.answer(question, ANSWER_BODY)
    second = dave.answer(question, "Read it in chunks with a generator, so memory stays flat whatever the size.")
    alice.accept(first, question)
    assert reps(app, a, b, d) == (3, 16, 1)
    alice.accept(second, question)
    assert reps(app, a, b, d) == (3, 1, 16)
    with app.app_context():
        accepted = db.session.scalars(sa.select(Answer.id).where(Answer.accepted.is_(True))).all()
        assert accepted == [second]
    page = alice.page(f"/questions/{question}")
    # The accepted answer is listed first, and marked.
    assert page.index(f'id="answer-{second}"') < page.index(f'id="answer-{first}"')
    assert "Withdraw accept" in page


def test_anonymous_users_are_sent_to_log_in(app: Flask) -> None:
    alice = Browser(app)
    a = alice.sign_up("alice")
    question = alice.ask("How do I debounce an input handler?", QUESTION_BODY)
    visitor = Browser(app)
    page = visitor.page(f"/questions/{question}")
    assert "to answer, comment and vote" in page
    response = visitor.client.get("/ask")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/ask")
    assert rep(app, a) == 1


def test_comments_and_the_user_page(app: Flask) -> None:
    alice, bob = Browser(app), Browser(app)
    a, b = alice.sign_up("alice"), bob.sign_up("bob")
    question = alice.ask("How do I undo the last commit?", QUESTION_BODY)
    answer = bob.answer(question, ANSWER_BODY)
    alice.submit(f"/questions/{question}", f"/posts/answer/{answer}/comments", {"body": "This worked, thanks!"})
    short = alice.submit(f"/questions/{question}", f"/posts/question/{question}/comments", {"body": "hm"}, 400)
    assert "at least 5 characters" in short.get_data(as_text=True)
    alice.vote("answer", answer, "up", question)
    assert "This worked, thanks!" in bob.page(f"/questions/{question}")

    profile = alice.page(f"/users/{b}")
    assert "<h1>bob</h1>" in profile
    assert "<dd>11</dd>" in profile  # reputation: 1 + 10
    assert "First Answer" in profile  # the first-post badge, from rules.toml
    assert "upvoted your answer to" in profile  # a ledger row, in words
    assert f'href="/answers/{answer}"' in profile  # ... linking to the answer
    assert "Answerer" in profile  # progress toward the tiered badge
    assert "1 of 5" in profile
    with app.app_context():
        assert {award.badge_slug for award in gk.badges(b)} == {"first-post"}
        assert {award.badge_slug for award in gk.badges(a)} == {"curious"}
    assert "Curious" in alice.page(f"/users/{a}")


def test_the_first_page_each_day_records_one_visit(app: Flask) -> None:
    alice = Browser(app)
    a = alice.sign_up("alice")
    for _ in range(3):
        alice.page("/")
    today = datetime.now(UTC).date().isoformat()
    with app.app_context():
        keys = gk.session.scalars(sa.select(Activity.key).where(Activity.type == "visit")).all()
        assert keys == [f"visit:{a}:{today}"]
        assert gk.balance(a, "xp") == 1


# -- security and accessibility --------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(app: Flask) -> None:
    alice, bob = Browser(app), Browser(app)
    a, b = alice.sign_up("alice"), bob.sign_up("bob")
    question = alice.ask("How do I find which process uses a port?", QUESTION_BODY)
    data = {"title": "A question with no token at all", "body": QUESTION_BODY}
    assert alice.client.post("/ask", data=data).status_code == 400
    assert alice.client.post("/ask", data={**data, "csrf_token": "forged"}).status_code == 400
    bobs_token = TOKEN_RE.findall(bob.page("/ask"))[0]  # a real token, but from another session
    assert alice.client.post("/ask", data={**data, "csrf_token": bobs_token}).status_code == 400
    vote = bob.client.post(f"/posts/question/{question}/vote", data={"direction": "up"})
    assert vote.status_code == 400
    assert "security token" in vote.get_data(as_text=True)
    assert Browser(app).client.post("/login", data={"name": "alice", "password": "hunter22"}).status_code == 400
    assert alice.client.post("/logout").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
    assert reps(app, a, b) == (1, 1)


def test_html_in_names_and_posts_is_shown_as_text(app: Flask) -> None:
    name = '<script>alert("name")</script>'
    mallory, bob = Browser(app), Browser(app)
    m = mallory.sign_up(name)
    bob.sign_up("bob")
    question = mallory.ask("<img src=x onerror=alert(1)> title", '<script>alert("body")</script> <b>bold</b> here')
    answer = bob.answer(question, "<iframe src=javascript:alert(2)></iframe> is not an answer either")
    bob.submit(f"/questions/{question}", f"/posts/answer/{answer}/comments", {"body": "<svg onload=alert(3)>"})
    for url in ("/", f"/questions/{question}", f"/users/{m}", "/users/"):
        html = bob.page(url)
        for raw in ("<script>alert", "<img src=x", "<iframe", "<svg", "<b>bold"):
            assert raw not in html, (url, raw)
        assert "&lt;script&gt;alert(" in html, url
    question_page = bob.page(f"/questions/{question}")
    assert "&lt;img src=x onerror=alert(1)&gt; title" in question_page
    assert "&lt;iframe src=javascript:alert(2)&gt;&lt;/iframe&gt;" in question_page
    assert "&lt;svg onload=alert(3)&gt;" in question_page


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.wrapped = 0
        self.in_label = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        self.tags.add(tag)
        if tag == "label":
            self.in_label += 1
            if attr.get("for"):
                self.labels.add(str(attr["for"]))
        if tag in ("input", "textarea", "select") and attr.get("type") not in ("hidden", "submit"):
            if self.in_label:
                self.wrapped += 1
            else:
                self.fields.append(str(attr.get("id")))
        for name in ("src", "href"):
            value = attr.get(name) or ""
            if tag in ("script", "link", "img") and value.startswith(("http:", "https:", "//")):
                self.external.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def test_pages_have_landmarks_labels_and_no_scripts(app: Flask) -> None:
    alice, bob = Browser(app), Browser(app)
    a = alice.sign_up("alice")
    bob.sign_up("bob")
    question = alice.ask("How do I center a div in CSS?", QUESTION_BODY)
    bob.answer(question, ANSWER_BODY)
    pages = ["/", "/?sort=votes", f"/questions/{question}", "/ask", f"/users/{a}", "/users/"]
    anonymous = Browser(app)
    for browser, url in [*((alice, p) for p in pages), (anonymous, "/login"), (anonymous, "/signup")]:
        html = browser.page(url)
        found = _Structure()
        found.feed(html)
        assert {"header", "nav", "main", "h1"} <= found.tags, url
        assert "script" not in found.tags, url  # works without JavaScript
        assert found.external == [], url  # no CDN
        assert all(field in found.labels for field in found.fields), (url, found.fields, found.labels)
        assert '<html lang="en">' in html and 'name="viewport"' in html
        assert 'href="/community/"' in html  # the Community link
    css = anonymous.page("/static/style.css")
    assert ":focus-visible" in css and "@media (max-width" in css


def test_the_community_blueprint_is_mounted_when_guildkit_has_one(app: Flask) -> None:
    has_web = importlib.util.find_spec("guildkit.web") is not None
    mounted = [bp for name, bp in app.blueprints.items() if name not in ("auth", "qa")]
    assert bool(mounted) == has_web
    assert Browser(app).page("/", 200).count('href="/community/"') == 2  # the nav link and the sidebar


def test_spam_reports_from_trusted_members_hide_an_answer_until_a_moderator_decides(app: Flask) -> None:
    author, asker = Browser(app), Browser(app)
    author_id = author.sign_up("Spammy")
    asker.sign_up("Asker")
    question = asker.ask("Which ORM for a small Flask app?", "Something simple that works with SQLite.")
    answer = author.answer(question, "Buy my course at example.com, it answers everything!")
    assert "Report this answer" in asker.page(f"/questions/{question}")
    assert "Report this answer" not in author.page(f"/questions/{question}")  # not your own
    reporters = [Browser(app) for _ in range(3)]
    for n, reporter in enumerate(reporters):
        reporter_id = reporter.sign_up(f"Trusted {n}")
        with app.app_context():
            gk.trust.set_level(reporter_id, 2, reason="the test's trusted members")
        report = f"/community/report?subject=answer:{answer}&user={author_id}"
        form = {"subject": f"answer:{answer}", "user": str(author_id), "category": "spam", "comment": "an ad"}
        reporter.submit(report, "/community/report", form, status=200)
    hidden = "This answer is hidden while moderators review reports about it."
    page = asker.page(f"/questions/{question}")
    assert hidden in page and "Buy my course" not in page
    assert "Buy my course" in author.page(f"/questions/{question}")  # the author still sees it
    with app.app_context():
        (case,) = gk.moderation.queue(None)
        gk.moderation.resolve(None, case.id, action="dismiss", reason="Reviewed: a relevant link.")
    page = asker.page(f"/questions/{question}")
    assert hidden not in page and "Buy my course" in page


# -- the seed command ------------------------------------------------------------------------


def test_seed_builds_a_consistent_believable_community(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "--users", "30", "--days", "45"])
    assert result.exit_code == 0, result.output
    assert "Log in as ada / demo" in result.output
    with app.app_context():
        count = db.session.scalar
        users = count(sa.select(sa.func.count()).select_from(User)) or 0
        posts = (count(sa.select(sa.func.count()).select_from(Question)) or 0) + (
            count(sa.select(sa.func.count()).select_from(Answer)) or 0
        )
        assert users == 30 and posts > 200
        votes = db.session.scalars(sa.select(Vote)).all()
        assert len(votes) > 500
        # The seed went through the views' code paths: each standing vote is a live activity under
        # its own key, and everything else was retracted.
        live = set(
            gk.session.scalars(
                sa.select(Activity.key).where(Activity.key.like("vote:%"), Activity.retracted_at.is_(None))
            )
        )
        assert live == {v.key for v in votes}
        accepted = count(sa.select(sa.func.count()).select_from(Answer).where(Answer.accepted.is_(True))) or 0
        assert accepted > 10
        assert accepted == count(
            sa.select(sa.func.count())
            .select_from(Activity)
            .where(Activity.type == "answer.accepted", Activity.retracted_at.is_(None))
        )
        # Every ledger sums to its balance.
        sums = dict(
            gk.session.execute(
                sa.select(LedgerEntry.member_id, sa.func.sum(LedgerEntry.amount))
                .where(LedgerEntry.point_type == "reputation")
                .group_by(LedgerEntry.member_id)
            ).all()
        )
        balances = dict(
            gk.session.execute(
                sa.select(Balance.member_id, Balance.balance).where(Balance.point_type == "reputation")
            ).all()
        )
        assert len(balances) == 30 and sums == balances
        assert max(balances.values()) > 1000 and min(balances.values()) >= 1
        awards = gk.session.scalars(sa.select(BadgeAward).where(BadgeAward.revoked_at.is_(None))).all()
        registry = gk.registry
        tiers = {registry.badges[a.badge_slug].levels[a.level - 1].tier for a in awards}
        slugs = {a.badge_slug for a in awards}
        assert {"silver", "gold"} <= tiers
        assert {"first-post", "curious", "answerer", "enthusiast", "reputable"} <= slugs
        ada = db.session.scalar(sa.select(User).where(User.name == "Ada"))
        assert ada is not None
        ada_id = ada.id
        assert any(a.badge_slug == "enthusiast" and a.level == 3 for a in gk.badges(ada_id))  # visits every day
        first_vote = db.session.scalar(sa.select(sa.func.min(Vote.created_at)))
        assert first_vote is not None and (datetime.now(UTC) - first_vote).days >= 40  # backdated history
        # Mentoring and events went through guildkit's services, and the rules rewarded them.
        assert "Mentoring: 5 mentors, 8 mentorships (3 completed)" in result.output
        states = sorted(m.state for m in gk.mentorship.mentorships_of(ada_id))
        assert states == ["completed", "requested"]  # Ada, the demo login, has a request waiting
        assert {"mentor", "mentee", "first-event", "organizer"} <= slugs
        meetup = next(e for e in gk.events.upcoming(None, limit=10).items if e.title.startswith("Flask meetup"))
        attendees = gk.events.attendees(meetup.id)
        assert len(attendees.going) == 6 and attendees.waitlisted == 2
        # Trust and safety: the app's own trust criteria promote its members; staff and cases exist.
        levels = [gk.trust.level(u.id) for u in db.session.scalars(sa.select(User))]
        assert levels.count(0) < len(levels) and max(levels) >= 2
        assert gk.has_permission(ada_id, "admin")
        assert [c.subject for c in gk.moderation.queue(None)] == ["member:8"]
        assert gk.guidelines.current() is not None
        assert app.config["GUILDKIT_RATE_LIMITS"] == {"*": "60/minute", "answer.upvoted": "200/day"}  # back on

    ada_browser = Browser(app)
    ada_browser.submit("/login", "/login", {"name": "ada", "password": "demo"})
    assert "Log out" in ada_browser.page("/")
    profile = ada_browser.page(f"/users/{ada_id}")
    assert "Gold Enthusiast" in profile and "Recent reputation and XP" in profile
    assert "Top members" in ada_browser.page("/?sort=votes")

    again = app.test_cli_runner().invoke(args=["seed"])
    assert again.exit_code != 0 and "already has users" in again.output


def test_init_db_adds_missing_tables_and_keeps_data(app: Flask) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        gk.join("keeper", name="Keeper")
        gk.store.engine.dispose()
        with gk.store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE guildkit_trust_levels")  # as in a database from an older version
    for _ in range(2):  # and running it again changes nothing
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and "Tables are up to date." in result.output
    with app.app_context():
        assert "guildkit_trust_levels" in sa.inspect(gk.store.engine).get_table_names()
        assert gk.member("keeper").display_name == "Keeper"


def test_the_example_app_uses_only_guildkits_public_api() -> None:
    """A host reads guildkit through ``guildkit`` (and mounts pages with ``guildkit.web``), never
    through its tables: the example app is what hosts copy."""
    import ast

    public = {"guildkit", "guildkit.web"}
    reached_in = []
    for path in sorted(Path(importlib.util.find_spec("example_app").origin).parent.glob("*.py")):  # type: ignore[arg-type,union-attr]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            reached_in += [f"{path.name}: {m}" for m in modules if m.split(".")[0] == "guildkit" and m not in public]
    assert reached_in == []
    assert "guildkit.models" not in "".join(p.read_text() for p in Path("example_app").glob("*.py"))


def test_email_is_off_unless_the_environment_names_an_smtp_server(app: Flask) -> None:
    """The demo runs without a mail server: guildkit's email keys stay unset."""
    assert email_settings({}) == {}
    assert app.config["GUILDKIT_EMAIL_FROM"] is None and app.config["GUILDKIT_EMAIL_SMTP_HOST"] is None


def test_email_set_up_from_the_environment_reaches_the_smtp_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the README says: the environment names a local server, and a badge chosen by email
    arrives there, at the demo's made-up address for the user, linking to the demo's site."""
    port = free_port()
    for name, value in {
        "GUILDKIT_EMAIL_SMTP_HOST": "127.0.0.1",
        "GUILDKIT_EMAIL_SMTP_PORT": str(port),
        "GUILDKIT_EMAIL_SMTP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(name, value)
    settings = {"GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 0, "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": None}
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ex.db'}", "TESTING": True, **settings})
    with app.app_context():
        db.create_all()
        gk.create_all()
    inbox = Inbox()
    try:
        ada = Browser(app)
        ada_id = ada.sign_up("Ada")
        with app.app_context():
            gk.notifier.set_preferences(str(ada_id), {"badge_awarded": "email"})
        ada.ask("How do I sort rows by two keys?", QUESTION_BODY)  # Curious, her first question
        with serving(inbox, port), app.app_context():
            assert gk.jobs.run("guildkit.notifications.send")["sent"] == 1
    finally:
        with app.app_context():
            gk.store.remove_session()
            db.engine.dispose()
    [(recipients, message)] = inbox.received
    assert recipients == ["ada@example.org"] and message["Subject"] == "You earned Curious"
    assert message["From"] == "Q&A Guild <community@example.org>"
    text = message.get_body(("plain",))
    assert isinstance(text, EmailMessage)
    assert "http://127.0.0.1:5000/community/notifications/settings" in text.get_content()
