"""A community with one of everything guildkit's URLs name, for tests that walk the whole URL map.

:func:`seed` makes it through the services (the admin ``admin`` is on the other side of as much
as possible: the mentor of a requested mentorship, the organizer of an event, a mediator);
:func:`url_for_rule` fills a rule's path arguments from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from werkzeug.routing import Rule

from guildkit import GuildKit
from guildkit.moderation.models import Sanction
from guildkit.web.api import no_such_endpoint

ADMIN = "admin"
#: A member with no role, standing or relation to anything below.
MEMBER = "ann"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class World:
    """The path arguments, by name, that point at real rows."""

    args: dict[str, Any] = field(default_factory=dict)
    role: str = "moderator"

    def value(self, rule: Rule, name: str) -> Any:
        if name == "slug" and "/roles/" in rule.rule:
            return self.role
        return self.args[name]


def seed(gk: GuildKit) -> World:
    now = gk.clock()
    gk.join(ADMIN, name="Ada Admin")
    gk.award(ADMIN, role="admin", reason="test setup")
    for user_id in (MEMBER, "bob", "cat", "dan", "eve", "fay"):
        gk.join(user_id, name=user_id.title())
    for n in range(3):
        gk.record("answer.upvoted", actor=f"voter{n}", target="bob", subject="answer:1", key=f"up:{n}")
    gk.record("answer.posted", actor="bob", key="post:1")
    gk.mentorship.offer(ADMIN, topics=["python"], languages=["en"], timezone="UTC")
    mentorship = gk.mentorship.request("bob", ADMIN, goals="Learn to review code")
    event = gk.events.create(
        ADMIN,
        title="Meetup",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        timezone="UTC",
        online=True,
    )
    gk.events.add_organizer(event.id, ADMIN, "bob")
    case = gk.moderation.report("cat", subject="post:dan", user_id="dan", category="spam")
    mediated = gk.moderation.report("cat", subject="post:eve", user_id="eve", category="spam")
    mediation = gk.moderation.start_mediation(ADMIN, mediated.case_id)
    appealed = gk.moderation.report("cat", subject="post:fay", user_id="fay", category="spam")
    gk.moderation.resolve(ADMIN, appealed.case_id, action="warn", reason="spam")
    sanction = gk.session.scalar(sa.select(Sanction.id).where(Sanction.case_id == appealed.case_id))
    assert sanction is not None
    appeal = gk.moderation.appeal("fay", sanction_id=sanction, statement="It was not spam")
    survey = gk.analytics.surveys.open(
        ADMIN, kind="csat", question="How are we doing?", closes_at=now + timedelta(days=7)
    )
    version = gk.guidelines.publish(ADMIN, title="Be kind", body="Be kind to each other.")
    _, token = gk.tokens.create(None, "sync", ["activities.write"])
    preview = gk.admin.preview_badge_backfill(ADMIN, sorted(gk.registry.badges)[0])
    season = gk.seasons.create(
        ADMIN, slug="spring", name="Spring", point_type="reputation", starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )  # fmt: skip
    unsubscribe = gk.notifier.unsubscribe_token("bob")
    group = gk.groups.create(ADMIN, name="Reviewers", policy="request")
    gk.groups.request(group.id, "bob")
    kudos = gk.kudos.give("bob", "cat", "Thanks for the review")
    challenge = gk.challenges.create(
        ADMIN, title="Spring answers", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=7),
        steps=[{"activity_type": "kudos.given", "count": 2}], reward_points=5, reward_point_type="reputation",
    )  # fmt: skip
    objective = gk.objectives.create(
        ADMIN, title="Grow", kpi="mau", direction="at_least", target=40, starts_on=now.date(),
        due_on=(now + timedelta(days=60)).date(),
    )  # fmt: skip
    nominatable = gk.nominations.badges()
    nomination = (
        gk.nominations.nominate("cat", "dan", badge=nominatable[0].badge, reason="Always kind") if nominatable else None
    )
    absence = gk.streaks.declare_absence("bob", (now + timedelta(days=3)).date(), (now + timedelta(days=5)).date())
    gk.session.commit()
    return World(
        {
            "user_id": "bob",
            "slug": sorted(gk.registry.badges)[0],
            "role": "moderator",
            "key": "post:1",
            "point_type": "reputation",
            "mentorship_id": mentorship.id,
            "event_id": event.id,
            "case_id": case.case_id,
            "mediation_id": mediation.id,
            "appeal_id": appeal.id,
            "survey_id": survey.id,
            "version": version.version,
            "token_id": token.id,
            "preview_id": preview,
            "name": "growth",
            "what": None,
            "action": None,
            "filename": "guildkit.css",
            "season": season.slug,
            "token": unsubscribe,
            "group": group.slug,
            "kudos_id": kudos.id,
            "challenge_id": challenge.id,
            "objective_id": objective.id,
            "nomination_id": nomination.id if nomination else 1,
            "absence_id": absence.id,
        }
    )


def api_rules(app: Any, *, methods: tuple[str, ...] = WRITES) -> list[tuple[Rule, str]]:
    """Every (rule, method) of guildkit's API blueprint with one of ``methods`` (the catch-all aside)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("guildkit.api.") or app.view_functions[rule.endpoint] is no_such_endpoint:
            continue
        for method in sorted(set(rule.methods or ()) & set(methods)):
            found.append((rule, method))
    return found


def url_for_rule(world: World, rule: Rule) -> str:
    """The rule's URL, each argument taken from ``world`` (``what``/``action``: the rule's first choice)."""
    url = rule.rule
    for converter, name, _ in _arguments(rule):
        value = world.value(rule, name)
        if value is None:  # an any(...) choice, or a free-form action: the first the rule names
            value = converter.split("(", 1)[1].split(",")[0].strip(" )") if "(" in converter else "accept"
        url = url.replace(f"<{converter}:{name}>" if converter else f"<{name}>", str(value))
    return url


#: ``<converter:name>``, ``<converter(arguments):name>`` or ``<name>`` in a rule.
ARGUMENT = re.compile(r"<(?:([a-zA-Z_]+(?:\([^)]*\))?):)?([a-zA-Z_][a-zA-Z0-9_]*)>")


def _arguments(rule: Rule) -> list[tuple[str, str, str]]:
    return [(m.group(1) or "", m.group(2), m.group(0)) for m in ARGUMENT.finditer(rule.rule)]


def database_state(gk: GuildKit) -> dict[str, list[str]]:
    """Every row of every table in guildkit's database, so a test can tell that nothing changed
    (not only that no row was added)."""
    state = {}
    with gk.store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            state[table] = sorted(repr(tuple(row)) for row in rows)
    return state
