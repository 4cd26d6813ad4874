"""The community pages: what each kind of visitor sees, CSRF on the one form, host overrides, escaping."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from guildkit import BadgeDef, GuildKit, Subject, queries
from guildkit.testing import Clock
from tests.webclient import PREFIX, Site, csrf_token, mount, sqlite_and_postgresql

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG_ESCAPED = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"

gk_backend = sqlite_and_postgresql


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    client = mount(gk_app, gk)
    for n in range(5):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject="answer:1", key=f"up:{n}")
    gk.record("answer.posted", actor="ann", subject="answer:1", key="post:1")
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    return Site(client, gk)


def rows(html: str) -> list[str]:
    """The text of each table body row as a screen reader reads it: pictures hidden from it
    (avatars) dropped, tags stripped, whitespace squeezed."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    body = re.sub(r'<svg[^>]*aria-hidden="true".*?</svg>', "", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def test_layout_is_accessible_and_styles_are_served(site: Site) -> None:
    html = site.get("/")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<a class="gk-skip" href="#gk-main">Skip to content</a>' in html
    for landmark in ("<header", "<nav", '<main id="gk-main"', "<footer"):
        assert landmark in html
    assert 'href="/community/guildkit-static/guildkit.css"' in html
    css = site.client.get(PREFIX + "/guildkit-static/guildkit.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert ":focus-visible" in css.get_data(as_text=True)
    assert "http" not in css.get_data(as_text=True)  # nothing fetched from elsewhere
    css.close()


def test_home_shows_awards_top_and_newest_members(site: Site) -> None:
    html = site.get("/")
    assert "<h1>Community</h1>" in html
    recent = html.split('id="gk-recent"', 1)[1].split("</section>", 1)[0]
    assert 'href="/community/members/ann">Ann</a> earned' in recent
    assert "First Answer" in recent and "Bronze" in recent
    top = html.split('id="gk-top"', 1)[1].split("</section>", 1)[0]
    assert "by Reputation" in top
    assert (
        f'href="/community/members/ann">Ann</a></span> <span class="gk-points">{site.gk.balance("ann", "reputation")}'
        in top
    )
    newest = html.split('id="gk-newest"', 1)[1].split("</section>", 1)[0]
    assert newest.index(">User mo</a>") < newest.index(">Bob</a>")  # newest first
    assert ">Ann</a>" not in newest  # ann joined with her first upvote, before the last five


@pytest.mark.parametrize(("caller", "private"), [(None, False), ("ann", True), ("bob", False), ("mo", True)], ids=str)
def test_profile_private_history_only_for_self_and_moderators(site: Site, caller: str | None, private: bool) -> None:
    html = site.get("/members/ann", user=caller)
    reputation = site.gk.balance("ann", "reputation")
    assert "<h1>Ann</h1>" in html
    assert f'<span class="gk-stat-value">{reputation}</span>' in html
    assert "Level 0" not in html
    assert 'href="/community/badges/first-answer"' in html
    assert ("Why do I have these points?" in html) is private
    assert ("Answer upvoted" in html) is private  # the type in words, never its name
    assert ("<progress" in html) is private
    if private:
        history = rows(html.split('id="history"', 1)[1])
        assert len(history) == 6  # 5 upvotes and the answer's XP
        assert sum("+10 Reputation" in r for r in history) == 5
        assert 'aria-label="Bronze Answerer: 50%"' in html  # 1 of 2 answers toward Bronze Answerer
        assert "1 of 2" in html and "Answer posted 2 times" in html  # what the rule asks, in words


def test_profile_levels_badges_and_roles(site: Site) -> None:
    site.gk.record("answer.posted", actor="ann", subject="answer:2", key="post:2")
    site.gk.award("ann", badge="answerer", level=3, reason="backfilled", key="gold")
    html = site.get("/members/ann")
    badges = html.split('id="gk-badges"', 1)[1].split("</section>", 1)[0]
    assert 'Badges <span class="gk-muted">(2)</span>' in badges  # Answerer once, at its best level
    assert badges.index("Gold Answerer") < badges.index("First Answer")
    assert "gk-tier-gold" in badges and "Bronze</span>" in badges  # tier in words, not colour only
    assert "Level 1: Novice" in html  # 10 XP: the first level of the xp ladder
    assert "Silver Answerer" not in badges
    assert "Moderator" in site.get("/members/mo")
    site.get("/members/nobody", status=404)


def test_secret_badge_hidden_until_held(site: Site) -> None:
    assert "Centurion" not in site.get("/badges")
    site.get("/badges/centurion", status=404)
    site.gk.award("ann", badge="centurion", reason="hand-picked", key="secret")
    catalog = site.get("/badges")
    assert 'Centurion</a> <span class="gk-secret">Secret</span>' in catalog
    page = site.get("/badges/centurion")
    assert "A secret, until you earn it." in page
    assert ">Ann</a>" in page
    assert "Centurion" in site.get("/")


def test_badge_catalog_and_page(site: Site) -> None:
    catalog = site.get("/badges")
    headings = re.findall(r'<h2 id="gk-cat-\d+">(\w+)</h2>', catalog)
    assert headings == ["Events", "General", "Kudos", "Mentorship"]  # the built-in participation and kudos badges too
    first = catalog.split('href="/community/badges/first-answer">First Answer</a>', 1)[1].split("</li>", 1)[0]
    members = queries.member_count(site.gk.session)
    assert members == 8  # ann, bob, mo and the five voters
    assert f"1 holder · {round(100 / members, 2)}% of members" in first
    page = site.get("/badges/answerer")
    assert "<h1>Answerer</h1>" in page
    levels = rows(page)
    assert levels == [
        "1 Bronze Answerer Bronze Answer posted 2 times",  # what each level takes, in words
        "2 Silver Answerer Silver Answer posted 4 times",
        "3 Gold Answerer Gold Answer posted 6 times",
    ]
    # Each level's own picture: the tier's rim and as many stars as the tier's rank.
    gold = site.client.get(f"{PREFIX}/badge-images/answerer?level=3").data.decode()
    bronze = site.client.get(f"{PREFIX}/badge-images/answerer?level=1").data.decode()
    assert gold.count('fill="#ffffff"/>') == 3 and bronze.count('fill="#ffffff"/>') == 1
    assert 'fill="#b8860b"' in gold and 'fill="#8c5a2b"' in bronze
    assert "Nobody holds this badge yet." in page
    assert "Answer posted 2 times · 4 · 6" in page.split("How to earn it", 1)[1].split("</dd>", 1)[0]


def test_leaderboard_tabs_and_your_rank(site: Site, gk_clock: Clock) -> None:
    site.gk.record("answer.upvoted", actor="v1", target="bob", subject="answer:9", key="up:bob")
    html = site.get("/leaderboards/reputation", user="bob")
    assert '<a href="/community/leaderboards/reputation" aria-current="page">All time</a>' in html
    assert 'href="/community/leaderboards/reputation?period=week">This week</a>' in html
    assert 'href="/community/leaderboards/reputation?period=month">This month</a>' in html
    assert 'href="/community/leaderboards/xp">Experience</a>' in html
    ann, bob = site.gk.balance("ann", "reputation"), site.gk.balance("bob", "reputation")
    board = rows(html)
    assert board[:2] == [f"1 new New this week Ann {ann}", f"2 new New this week Bob {bob}"]  # all earned this week
    assert f"<strong>Your rank:</strong> #2 with {bob} Reputation." in html
    assert "Your rank" not in site.get("/leaderboards/reputation")
    gk_clock.advance(days=40)
    month = site.get("/leaderboards/reputation?period=month", user="ann")
    assert 'aria-current="page">This month</a>' in month
    assert "Nobody has earned Reputation this month yet." in month
    assert "<strong>Your rank:</strong> #1 with 0 Reputation this month." in month
    bogus = rows(site.get("/leaderboards/reputation?period=bogus"))  # all time, weeks later
    assert bogus[0] == f"1 = Same place as at the start of the week Ann {ann}"
    site.get("/leaderboards/karma", status=404)


def test_directory_search_filter_and_pages(site: Site, gk_clock: Clock) -> None:
    for n in range(25):
        gk_clock.advance(minutes=1)
        site.gk.join(f"m{n:02d}", name=f"Member {n:02d}")
    first = site.get("/members")
    page1 = rows(first)
    assert len(page1) == 20
    assert page1[0].startswith("Member 24 ")
    cursor = re.search(r'rel="next" href="/community/members\?cursor=([^"]+)"', first)
    assert cursor is not None
    second = site.get(f"/members?cursor={cursor.group(1)}")
    page2 = rows(second)
    assert len(page2) == 25 + 8 - 20  # the rest: five new members, then the first eight
    assert [r.split(" ")[1] for r in page2[:5]] == ["04", "03", "02", "01", "00"]
    assert not {r.split(" ")[1] for r in page1} & {r.split(" ")[1] for r in page2[:5]}  # nothing shown twice
    assert 'rel="next"' not in second
    assert 'href="/community/members">First page</a>' in second
    assert rows(site.get("/members?q=member 1"))[0].startswith("Member 19 ")
    assert len(rows(site.get("/members?q=member 1"))) == 10
    assert "No members match “nobody”." in site.get("/members?q=nobody")
    assert "No members match" in site.get("/members?status=banned")
    site.get("/members?cursor=not-a-cursor", status=400)


def test_notifications_need_a_person(site: Site) -> None:
    html = site.get("/notifications", status=401)
    assert "Sign in to see your notifications" in html
    mine = site.get("/notifications", user="ann")
    assert "You earned First Answer" in mine
    assert 'class="gk-note gk-unread"' in mine
    assert 'Notifications <span class="gk-count">' in mine


def _unread(site: Site, user: str) -> int:
    return queries.unread_count(site.gk.session, site.gk.member(user).id)


def test_mark_all_read_needs_the_csrf_token(site: Site) -> None:
    before = _unread(site, "ann")
    assert before >= 1
    token = csrf_token(site.get("/notifications", user="ann"))
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": token + "x"}):
        response = site.post("/notifications/read", data, user="ann", csrf=False)
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
        assert _unread(site, "ann") == before
    assert site.post("/notifications/read", {"csrf_token": token}, csrf=False).status_code == 401  # signed out
    assert _unread(site, "ann") == before
    response = site.post("/notifications/read", {"csrf_token": token}, user="ann", csrf=False)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/community/notifications?marked={before}"
    assert _unread(site, "ann") == 0
    after = site.get(f"/notifications?marked={before}", user="ann")
    assert f"Marked {before} notification" in after
    assert "gk-unread" not in after and "Mark all as read" not in after


def test_without_secret_key_forms_say_so(site: Site, gk_app: Flask) -> None:
    gk_app.secret_key = None
    html = site.get("/notifications", user="ann")
    assert "The site&#39;s administrator must set Flask&#39;s SECRET_KEY." in html
    assert "Mark all as read" not in html
    response = site.post("/notifications/read", {"csrf_token": "anything"}, user="ann", csrf=False)
    assert response.status_code == 400
    assert "SECRET_KEY" in response.get_data(as_text=True)
    assert _unread(site, "ann") >= 1


def test_showcase_is_a_fragment_with_best_badges_first(site: Site) -> None:
    site.gk.award("ann", badge="answerer", level=2, reason="backfilled", key="silver")
    html = site.get("/showcase/ann")
    assert "<html" not in html and "<body" not in html
    assert html.index("Silver Answerer") < html.index("First Answer")
    assert 'class="gk-showcase"' in html
    assert len(re.findall(r'class="gk-chip ', site.get("/showcase/ann?limit=1"))) == 1
    site.get("/showcase/nobody", status=404)


def test_host_overrides_a_template(site: Site, gk_app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "host-templates" / "guildkit"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text(
        "<!doctype html><title>Host {% block title %}{% endblock %}</title>"
        '<div class="host-layout">{% block content %}{% endblock %}</div>'
    )
    gk_app.template_folder = str(folder.parent)
    gk_app.__dict__.pop("jinja_loader", None)  # Flask caches the app's loader
    html = site.get("/badges")
    assert html.startswith("<!doctype html><title>Host Badges</title>")
    assert '<div class="host-layout">' in html
    assert "gk-skip" not in html  # guildkit's own layout is gone
    assert "First Answer" in html


def test_user_content_is_escaped(site: Site) -> None:
    gk = site.gk
    gk.join("eve", name=SCRIPT + IMG)
    gk.define(badges=[BadgeDef("xss", SCRIPT + IMG, description=IMG + SCRIPT)])
    gk.award("eve", badge="xss", reason=SCRIPT, key="xss-badge")
    gk.award("eve", points=5, point_type="reputation", reason=SCRIPT + IMG, key="xss-points")
    gk.record("answer.upvoted", actor="v1", target="eve", subject=IMG + SCRIPT, key="xss-subject")

    @gk.subject_loader
    def titles(keys: list[str]) -> dict[str, Subject]:
        return {key: Subject(title=key, url="/q/1") for key in keys}  # the title is the hostile key itself

    pages = {
        "/": None,
        "/members": None,
        "/members/eve": "eve",
        "/badges": None,
        "/badges/xss": None,
        "/leaderboards/reputation": None,
        "/showcase/eve": None,
        "/notifications": "eve",
    }
    for path, user in pages.items():
        html = site.get(path, user=user)
        assert SCRIPT_ESCAPED in html, path
        assert IMG_ESCAPED in html, path
        assert "<script" not in html, path
        assert "<img src=x" not in html, path
    history = site.get("/members/eve", user="eve").split('id="history"', 1)[1]
    assert history.count(SCRIPT_ESCAPED) >= 2  # the manual reason, and the subject's title
    assert f'<a href="/q/1">{IMG_ESCAPED}{SCRIPT_ESCAPED}</a>' in history


def test_host_layout_wraps_the_pages(site: Site, gk_app: Flask, tmp_path: Path) -> None:
    """The documented one-line override: guildkit's base extends the host's own layout."""
    folder = tmp_path / "host-templates"
    (folder / "guildkit").mkdir(parents=True)
    (folder / "layout.html").write_text(
        "<title>{% block title %}{% endblock %} · Host</title><nav>host nav</nav>{% block content %}{% endblock %}"
    )
    (folder / "guildkit" / "base.html").write_text('{% extends "layout.html" %}')
    gk_app.template_folder = str(folder)
    gk_app.__dict__.pop("jinja_loader", None)
    html = site.get("/members/ann")
    assert html.startswith("<title>Ann · Host</title><nav>host nav</nav>")
    assert "<h1>Ann</h1>" in html


def test_members_have_pictures_the_hosts_or_their_initials(site: Site) -> None:
    from guildkit.web.avatars import hue, initials

    assert (initials("Ada Lovelace"), initials("grace"), initials("  "), initials("j.r.r. tolkien")) == (
        "AL", "G", "?", "JT",
    )  # fmt: skip
    assert hue("ann") == hue("ann") and 0 <= hue("ann") < 360
    board = site.get("/leaderboards/reputation")
    assert f'fill="hsl({hue("ann")}, 45%, 33%)"' in board and ">A</text>" in board  # Ann's initial, her colour
    assert 'aria-hidden="true"' in board.split('class="gk-avatar"', 1)[1].split(">", 1)[0]

    @site.gk.user_info_loader
    def info(user_id: str) -> dict[str, str]:
        return {"name": user_id.title(), "avatar_url": f"https://img.example.com/{user_id}.png"}

    profile = site.get("/members/bob")
    assert '<img class="gk-avatar" src="https://img.example.com/bob.png" alt="" width="64" height="64"' in profile


def test_the_profile_says_where_the_member_stands(site: Site) -> None:
    gk = site.gk
    for n in range(7):
        gk.award(f"m{n}", points=10 + n, point_type="reputation", reason="test")
    board = gk.leaderboard("reputation", limit=100).standings
    ann = next(s for s in board if s.user_id == "ann")
    of = len(board)
    top = -(-100 * ann.rank // of)
    assert f"<strong>#{ann.rank}</strong> of {of}</a> in Reputation · top {top}%" in site.get("/members/ann")
    assert "gk-rank-summary" not in site.get("/members/bob")  # no points: no rank to tell


def test_the_profile_draws_the_members_year(site: Site, gk_clock: Clock) -> None:
    gk = site.gk
    today = gk_clock().astimezone(gk.state.zone).date()
    for n in range(3):
        gk.record("answer.posted", actor="ann", subject=f"answer:{n}", key=f"cal:{n}")
    with gk.clock_at(gk_clock() - timedelta(days=400)):  # over a year ago: not drawn
        gk.record("answer.posted", actor="ann", subject="answer:old", key="cal:old")
    page = site.get("/members/ann")
    calendar = page.split('id="gk-calendar-desc">', 1)[1].split("</desc>", 1)[0]
    # post:1 (the fixture's) and the three today: four, all on one day.
    busiest = f"{today:%B} {today.day}, {today.year}"
    assert calendar == f"4 activities in the last 12 months. Active on 1 day. The busiest day was {busiest}, with 4."
    first = today - timedelta(days=364)
    first -= timedelta(days=first.weekday())
    assert page.count('rx="2" fill=') == (today - first).days + 1 + 5  # a square a day, and the legend's
    # A member who keeps off leaderboards keeps their year to themselves (and moderators).
    gk.privacy.set_leaderboard_opt_out("ann", True)
    assert "gk-calendar" not in site.get("/members/ann")
    assert "gk-calendar" in site.get("/members/ann", user="ann")


def test_the_viewers_row_is_pinned_below_a_page_they_are_not_on(site: Site) -> None:
    gk = site.gk
    for n in range(55):
        gk.award(f"top{n}", points=1000 + n, point_type="reputation", reason="test")
    ann = gk.balance("ann", "reputation")
    board = rows(site.get("/leaderboards/reputation", user="ann"))
    assert len(board) == 50 + 2 and board[-2] == "⋯"
    assert board[-1] == f"56 new New this week Ann (you) {ann}"  # the 55 above her, then her
    on_page = rows(site.get("/leaderboards/reputation", user="top54"))
    assert "⋯" not in on_page and len(on_page) == 50
