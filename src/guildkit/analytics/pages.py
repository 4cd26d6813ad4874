"""Analytics pages, on the same ``pages`` blueprint as the community pages (``docs/analytics.md``).

=================================  ==============================================================
``/analytics``                     the dashboard: headline numbers, growth and activity charts
``/analytics/members``             growth, active members, engagement, contributors, volume by type
``/analytics/retention``           cohort heat-map, churned and at-risk members, first response
``/analytics/engagement``          Orbit-style engagement levels
``/analytics/recognition``         points, badge awards and rarity, mentorship, events, moderation
``/analytics/surveys``             survey results over time; open and close surveys
``/surveys/<id>``                  a member answers a survey (POST ``/surveys/<id>/respond``)
=================================  ==============================================================

The analytics pages need ``analytics.view`` (``admin`` has it); opening and closing surveys needs
``surveys.manage``. Each takes ``start``, ``end`` and ``bucket`` from a GET form, and each chart
sits beside a table of its numbers and a link to the same numbers as CSV.

Every page also gets ``gk_open_surveys()``: the surveys open to the signed-in person that they
have not answered. ``base.html`` shows the first as a one-line notice with a small form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

import marshmallow
from flask import redirect, render_template, request, url_for
from markupsafe import Markup

from guildkit import errors
from guildkit.analytics import VIEW
from guildkit.analytics.errors import AlreadyAnswered, UnknownSurvey
from guildkit.analytics.models import SURVEY_KINDS
from guildkit.analytics.periods import BUCKETS, Range
from guildkit.analytics.schemas import RangeQuery
from guildkit.analytics.surveys import COMMENT_MAX, MANAGE, QUESTION_MAX, SurveyView
from guildkit.analytics.tables import Table
from guildkit.routes import Routes
from guildkit.web import charts, csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

_OPEN_SURVEYS = "guildkit.open_surveys"
OPEN_LABELS = {"kind": "Kind", "question": "Question", "days": "Open for (days)"}
OPEN_LIMITS = {"question": QUESTION_MAX, "days": 3}
QUESTION = "How satisfied are you with the community?"
ANSWER_LABELS = {"score": "Score", "comment": "Comment"}


def open_surveys() -> list[SurveyView]:
    """Surveys open to the signed-in person and not answered yet (one query, cached per request)."""
    environ = request.environ
    if _OPEN_SURVEYS not in environ:
        who = caller()
        found: list[SurveyView] = []
        if who.is_person and who.active and who.user_id is not None:
            found = gk_instance().analytics.surveys.open_for(who.user_id)
        environ[_OPEN_SURVEYS] = found
    result: list[SurveyView] = environ[_OPEN_SURVEYS]
    return result


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_open_surveys": open_surveys, "gk_survey_answer_form": answer_form}


def _viewer() -> None:
    who = caller()
    if not who.is_person:
        raise PageError(401, "Sign in to see the analytics", "The community analytics ask you to sign in first.")
    if not (who.active and who.can(VIEW)):
        raise PageError(403, "Not allowed", "Only community managers may see the community analytics.")


def _range() -> tuple[Range, dict[str, str], dict[str, str]]:
    """The range the form asks for, the form's values, and an error per field (then the default range)."""
    values = {name: request.args.get(name, "") for name in ("start", "end", "bucket")}
    analytics = gk_instance().analytics
    form_errors: dict[str, str] = {}
    try:
        query = RangeQuery().load({k: v for k, v in values.items() if v})
        rng = analytics.range(query["start"], query["end"], query["bucket"])
    except marshmallow.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        form_errors = {name: " ".join(map(str, m)) if isinstance(m, list) else str(m) for name, m in messages.items()}
        rng = analytics.range()
    except errors.ValidationError as exc:
        form_errors = {exc.field or "start": exc.message}
        rng = analytics.range()
    if not form_errors:
        values = {"start": rng.start.isoformat(), "end": rng.end.isoformat(), "bucket": rng.bucket}
    return rng, values, form_errors


def _csv(name: str, rng: Range) -> str:
    mount = (request.blueprint or "guildkit").split(".")[0]
    return url_for(f"{mount}.api.analytics_csv", name=name, start=rng.start, end=rng.end, bucket=rng.bucket)


def _render(template: str, rng: Range, values: dict[str, str], form_errors: dict[str, str], **context: Any) -> Any:
    html = render_template(
        f"guildkit/analytics/{template}",
        rng=rng,
        values=values,
        errors=form_errors,
        buckets=BUCKETS,
        csv=lambda name: _csv(name, rng),
        **context,
    )
    return (html, 422) if form_errors else html


def _by_period(
    rng: Range,
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_label: str,
) -> Markup:
    """A line chart over the range's buckets."""
    labels = [p.label for p in rng.periods]
    return charts.line_chart(chart_id, title, desc, labels, series, y_label=y_label, x_label=rng.bucket.title())


@pages.get("/analytics")
@page
def analytics_dashboard() -> Any:
    _viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    growth = analytics.growth(rng)
    activity = analytics.activity(rng)
    actives = analytics.actives(rng)
    churn = analytics.churn(rng)
    surveys = analytics.surveys.history()
    growth_chart = _by_period(
        rng,
        "gk-chart-growth",
        "Members",
        f"Total members at the end of each {rng.bucket}, and new members in it, from {rng.start} to {rng.end}.",
        [
            ("Total members", [r.total_members for r in growth.rows]),
            ("New members", [r.new_members for r in growth.rows]),
        ],
        y_label="Members",
    )
    activity_chart = _by_period(
        rng,
        "gk-chart-activity",
        "Active and contributing members",
        f"Members active in each {rng.bucket}, and those who posted content, from {rng.start} to {rng.end}.",
        [
            ("Active members", [r.active_members for r in activity.rows]),
            ("Contributing members", [r.contributing_members for r in activity.rows]),
        ],
        y_label="Members",
    )
    return _render(
        "dashboard.html",
        rng,
        values,
        form_errors,
        growth=growth,
        activity=activity,
        actives=actives,
        churn=churn,
        latest_survey=surveys[-1] if surveys else None,
        growth_chart=growth_chart,
        activity_chart=activity_chart,
    )


@pages.get("/analytics/members")
@page
def analytics_members() -> Any:
    _viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    growth = analytics.growth(rng)
    activity = analytics.activity(rng)
    actives = analytics.actives(rng)
    totals = {t: sum(r.by_type.get(t, 0) for r in activity.rows) for t in activity.types}
    by_type = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return _render(
        "members.html",
        rng,
        values,
        form_errors,
        growth=growth,
        activity=activity,
        actives=actives,
        growth_chart=_by_period(
            rng,
            "gk-chart-new",
            "New members",
            f"New members per {rng.bucket} from {rng.start} to {rng.end}.",
            [("New members", [r.new_members for r in growth.rows])],
            y_label="New members",
        ),
        engagement_chart=_by_period(
            rng,
            "gk-chart-engagement",
            "Engagement rate",
            f"Active members as a percentage of all members, per {rng.bucket}.",
            [
                (
                    "Engagement rate (%)",
                    [None if r.engagement_rate is None else r.engagement_rate * 100 for r in activity.rows],
                ),
                (
                    "Contributing (%)",
                    [None if r.contributing_rate is None else r.contributing_rate * 100 for r in activity.rows],
                ),
            ],
            y_label="% of members",
        ),
        daily_chart=charts.line_chart(
            "gk-chart-daily",
            "Daily active members",
            f"Members active each day in the 30 days up to {actives.as_of}.",
            [d.isoformat() for d, _ in actives.daily],
            [("Daily active members", [n for _, n in actives.daily])],
            y_label="Members",
            x_label="Day",
        ),
        types_chart=charts.bar_chart(
            "gk-chart-types",
            "Activity by type",
            f"How many activities of each type were recorded from {rng.start} to {rng.end}.",
            [t for t, _ in by_type],
            [n for _, n in by_type],
            value_label="Activities",
        ),
        by_type=by_type,
    )


@pages.get("/analytics/retention")
@page
def analytics_retention() -> Any:
    _viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    retention = analytics.retention(rng)
    churn = analytics.churn(rng)
    response = analytics.first_response(rng)
    weeks = len(retention.cohorts)
    heat = charts.heat_map(
        "gk-chart-retention",
        "Cohort retention",
        "For members who joined in each week (rows), the share active in each later week (columns).",
        [f"{c.period.label} ({c.size})" for c in retention.cohorts],
        [f"W{n}" for n in range(weeks)],
        [c.rates for c in retention.cohorts],
        x_label="Weeks after joining",
        y_label="Joined in the week of (members)",
    )
    response_chart = _by_period(
        rng,
        "gk-chart-response",
        "Time to first response",
        f"Median hours from a newcomer's first post to the first reply, by when they joined ({rng.bucket}).",
        [("Median hours", [r.median_hours for r in response.rows])],
        y_label="Hours",
    )
    return _render(
        "retention.html",
        rng,
        values,
        form_errors,
        retention=retention,
        weeks=weeks,
        churn=churn,
        response=response,
        heat=heat,
        response_chart=response_chart,
    )


@pages.get("/analytics/engagement")
@page
def analytics_engagement() -> Any:
    _viewer()
    rng, values, form_errors = _range()
    levels = gk_instance().analytics.levels(rng)
    chart = charts.bar_chart(
        "gk-chart-levels",
        "Engagement levels",
        f"Members in each Orbit-style level by weighted activity from {rng.start} to {rng.end}.",
        [f"{lv.level}. {lv.name}" for lv in levels.levels],
        [lv.members for lv in levels.levels],
        value_label="Members",
    )
    return _render("engagement.html", rng, values, form_errors, levels=levels, chart=chart)


@pages.get("/analytics/recognition")
@page
def analytics_recognition() -> Any:
    _viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    recognition = analytics.recognition(rng)
    programmes = analytics.programmes(rng)
    points_chart = _by_period(
        rng,
        "gk-chart-points",
        "Points issued",
        f"Points issued per {rng.bucket}, by point type, from {rng.start} to {rng.end}.",
        [(t, [p.get(t, (0, 0))[0] for p in recognition.points]) for t in recognition.point_types],
        y_label="Points",
    )
    awards_chart = _by_period(
        rng,
        "gk-chart-awards",
        "Badge awards",
        f"Badge levels awarded per {rng.bucket}.",
        [("Badge awards", recognition.awards)],
        y_label="Awards",
    )
    rarity_chart = charts.bar_chart(
        "gk-chart-rarity",
        "Badge rarity",
        "The share of members holding each badge, rarest first.",
        [r.name for r in recognition.rarity],
        [r.share or 0.0 for r in recognition.rarity],
        value_label="Share of members",
        percent=True,
    )
    programme_chart = _by_period(
        rng,
        "gk-chart-programmes",
        "Mentorship, events and moderation",
        f"Mentorships started, event attendances and reports per {rng.bucket}.",
        [
            (label, [r[name] for r in programmes.rows])
            for name, label in (
                ("mentorships_started", "Mentorships started"),
                ("event_attendances", "Event attendances"),
                ("reports", "Reports"),
            )
            # Each comes from its feature (guildkit_register_analytics_measures), if the host runs it.
            if any(m.name == name for m in programmes.columns)
        ],
        y_label="Count",
    )
    return _render(
        "recognition.html",
        rng,
        values,
        form_errors,
        recognition=recognition,
        programmes=programmes,
        programme_columns=[(m.name, m.label) for m in programmes.columns],
        points_chart=points_chart,
        awards_chart=awards_chart,
        rarity_chart=rarity_chart,
        programme_chart=programme_chart,
    )


def _survey_page(form: Form, status: int = 200) -> Any:
    who = caller()
    surveys = gk_instance().analytics.surveys
    history = surveys.history()
    trend = []
    for kind, label in (("csat", "CSAT (% satisfied)"), ("nps", "NPS")):
        shown = [r for r in history if r.survey.kind == kind and r.responses]
        if shown:
            trend.append(
                charts.line_chart(
                    f"gk-chart-{kind}",
                    f"{kind.upper()} over time",
                    f"The {label} of each {kind.upper()} survey with responses, in the order they opened.",
                    [r.survey.opens_at.date().isoformat() for r in shown],
                    [(label, [r.csat if kind == "csat" else r.nps for r in shown])],
                    y_label=label,
                    x_label="Survey (opening date)",
                )
            )
    bars = {
        r.survey.id: charts.bar_chart(
            f"gk-chart-survey-{r.survey.id}",
            f"Scores of survey {r.survey.id}",
            f"How many members gave each score to “{r.survey.question}”.",
            [str(s) for s in r.counts],
            list(r.counts.values()),
            value_label="Responses",
        )
        for r in history
        if r.responses
    }
    html = render_template(
        "guildkit/analytics/surveys.html",
        history=list(reversed(history)),
        trend=trend,
        bars=bars,
        kinds=SURVEY_KINDS,
        can_manage=who.active and who.can(MANAGE),
        form=form,
        done=request.args.get("done"),
        csv_url=url_for(".analytics_surveys_csv"),
    )
    return (html, status) if status != 200 else html


@pages.get("/analytics/surveys")
@page
def analytics_surveys() -> Any:
    _viewer()
    return _survey_page(Form(OPEN_LABELS, {"kind": "csat", "question": QUESTION, "days": "14"}, limits=OPEN_LIMITS))


@pages.get("/analytics/surveys.csv")
@page
def analytics_surveys_csv() -> Any:
    _viewer()
    history = gk_instance().analytics.surveys.history()
    table = Table(
        ("survey_id", "kind", "question", "opens_at", "closes_at", "responses", "mean", "csat", "nps"),
        [
            [
                r.survey.id,
                r.survey.kind,
                r.survey.question,
                r.survey.opens_at.isoformat(),
                r.survey.closes_at.isoformat(),
                r.responses,
                r.mean,
                r.csat,
                r.nps,
            ]
            for r in history
        ],
    )
    return (
        table.csv(),
        200,
        {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="surveys.csv"'},
    )


@pages.post("/analytics/surveys")
@page
def open_survey_page() -> Any:
    _viewer()
    csrf.check()
    who = caller()
    if not who.can(MANAGE):
        raise PageError(403, "Not allowed", "Only community managers may open surveys.")
    form = Form.posted(OPEN_LABELS, limits=OPEN_LIMITS, aliases={"closes_at": "days"})
    days = form.whole_number(
        "days", low=1, high=366, required=True, message="give a whole number of days from 1 to 366"
    )
    closes_at: Any = None
    if days is not None:
        # The survey closes at the end of its last local day.
        zone = gk_instance().state.zone
        last_day = (gk_instance().clock().astimezone(zone) + timedelta(days=days - 1)).date()
        closes_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    surveys = gk_instance().analytics.surveys
    fields = {"kind": form.text("kind"), "question": form.text("question"), "closes_at": closes_at}
    if form.submit(lambda: surveys.open(who.user_id, **fields), check=lambda: surveys.check_open(**fields)) is None:
        return _survey_page(form, 422)
    return redirect(url_for(".analytics_surveys", done="opened"), code=303)


@pages.post("/analytics/surveys/<guildkit_id:survey_id>/close")
@page
def close_survey_page(survey_id: int) -> Any:
    _viewer()
    csrf.check()
    who = caller()
    if not who.can(MANAGE):
        raise PageError(403, "Not allowed", "Only community managers may close surveys.")
    try:
        gk_instance().analytics.surveys.close(who.user_id, survey_id)
    except UnknownSurvey:
        return error_page(404, "No such survey", "There is no survey with that number.")
    except errors.InvalidTransition as exc:
        return error_page(409, "That survey is not open", exc.message)
    return redirect(url_for(".analytics_surveys", done="closed"), code=303)


# -- members answer ---------------------------------------------------------------------------


def _answer_page(survey: SurveyView, form: Form, status: int = 200) -> Any:
    who = caller()
    answer = gk_instance().analytics.surveys.answer(survey.id, who.user_id) if who.user_id else None
    html = render_template(
        "guildkit/analytics/survey.html",
        survey=survey,
        answer=answer,
        answer_form=form,
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def answer_form(posted: bool = False) -> Form:
    """A survey's answer form: blank, or as this request posted it."""
    make = Form.posted if posted else Form
    return make(ANSWER_LABELS, limits={"comment": COMMENT_MAX}, scope="survey-")


def _signed_in() -> str:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, "Sign in to answer", "Answering a survey asks you to sign in first.")
    if not who.active:
        raise PageError(403, "Not allowed", "Only active members may answer surveys.")
    return who.user_id


@pages.get("/surveys/<guildkit_id:survey_id>")
@page
def survey(survey_id: int) -> Any:
    _signed_in()
    try:
        shown = gk_instance().analytics.surveys.get(survey_id)
    except UnknownSurvey:
        return error_page(404, "No such survey", "There is no survey with that number.")
    return _answer_page(shown, answer_form())


@pages.post("/surveys/<guildkit_id:survey_id>/respond")
@page
def respond_survey(survey_id: int) -> Any:
    user_id = _signed_in()
    csrf.check()
    surveys = gk_instance().analytics.surveys
    try:
        shown = surveys.get(survey_id)
    except UnknownSurvey:
        return error_page(404, "No such survey", "There is no survey with that number.")
    form = answer_form(posted=True)
    score, comment = form.whole_number("score", required=True, message="choose a score"), form.text("comment")
    try:
        # submit saves only when every field was read: the score is then a number.
        answered = form.submit(
            lambda: surveys.respond(user_id, survey_id, cast(int, score), comment),
            check=lambda: surveys.check_answer(score, comment),
        )
    except AlreadyAnswered:
        form.add(None, "You already answered this survey.")
        return _answer_page(shown, form, 409)
    except errors.InvalidTransition:
        form.add(None, "This survey is not open.")
        return _answer_page(shown, form, 409)
    if answered is None:
        return _answer_page(shown, form, 422)
    return redirect(url_for(".survey", survey_id=survey_id, done="answered"), code=303)
