"""Analytics pages, on the same ``pages`` blueprint as the community pages (``docs/analytics.md``).

=================================  ==============================================================
``/analytics``                     the dashboard: headline numbers, growth and activity charts
``/analytics/members``             growth, active members, engagement, contributors, volume by type
``/analytics/retention``           cohort heat-map, churned and at-risk members, first response
``/analytics/engagement``          Orbit-style engagement levels
``/analytics/recognition``         points, badge awards and rarity, mentorship, events, moderation
=================================  ==============================================================

The analytics pages need ``analytics.view`` (``admin`` has it). Each takes ``start``, ``end`` and
``bucket`` from a GET form, and each chart sits beside a table of its numbers and a link to the
same numbers as CSV. The survey pages are in :mod:`.survey_pages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import marshmallow
from flask import render_template, request, url_for
from markupsafe import Markup

from guildkit import errors
from guildkit.analytics import VIEW
from guildkit.analytics.periods import BUCKETS, Range
from guildkit.analytics.present import bucket_name, bucket_title, period_name, period_names, readable
from guildkit.analytics.schemas import RangeQuery
from guildkit.i18n import format_date, format_number
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import charts
from guildkit.web.endpoint import gk_instance
from guildkit.web.pages import PageError, caller, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")


def viewer() -> None:
    """Only those who may see the analytics get past (401, 403 otherwise)."""
    who = caller()
    if not who.is_person:
        raise PageError(401, _("Sign in to see the analytics"), _("The community analytics ask you to sign in first."))
    if not (who.active and who.can(VIEW)):
        raise PageError(403, _("Not allowed"), _("Only community managers may see the community analytics."))


def _range() -> tuple[Range, dict[str, str], dict[str, str]]:
    """The range the form asks for, the form's values, and an error per field (then the default range)."""
    values = {name: request.args.get(name, "") for name in ("start", "end", "bucket")}
    analytics = gk_instance().analytics
    form_errors: dict[str, str] = {}
    try:
        query = RangeQuery().load({k: v for k, v in values.items() if v})
        rng = analytics.range(query["start"], query["end"], query["bucket"])
    except marshmallow.ValidationError as exc:
        refused = exc.messages if isinstance(exc.messages, dict) else {}
        form_errors = {name: _refusal(name) for name in refused}
        rng = analytics.range()
    except errors.ValidationError as exc:
        form_errors = {exc.field or "start": exc.message}
        rng = analytics.range()
    if not form_errors:
        values = {"start": rng.start.isoformat(), "end": rng.end.isoformat(), "bucket": rng.bucket}
    return rng, values, form_errors


def _refusal(field: str) -> str:
    """What is wrong with a range field the schema could not read (only the bucket is not a date)."""
    if field == "bucket":
        return str(_("Must be one of: %(buckets)s.", buckets=", ".join(bucket_name(b) for b in BUCKETS)))
    return str(_("Not a valid date."))


def _csv(name: str, rng: Range) -> str:
    mount = (request.blueprint or "guildkit").split(".")[0]
    return url_for(f"{mount}.api.analytics_csv", name=name, start=rng.start, end=rng.end, bucket=rng.bucket)


def _render(template: str, rng: Range, values: dict[str, str], form_errors: dict[str, str], **context: Any) -> Any:
    html = render_template(
        f"guildkit/analytics/{template}",
        rng=rng,
        bucket=bucket_name(rng.bucket),
        values=values,
        errors=form_errors,
        buckets=[(b, bucket_name(b)) for b in BUCKETS],
        csv=lambda name: _csv(name, rng),
        readable=readable,
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
    labels = period_names(rng.periods)
    return charts.line_chart(chart_id, title, desc, labels, series, y_label=y_label, x_label=bucket_title(rng.bucket))


def _dates(rng: Range) -> dict[str, str]:
    """The range's first and last days, for the sentences that name them."""
    return {"start": format_date(rng.start), "end": format_date(rng.end)}


@pages.get("/analytics")
@page
def analytics_dashboard() -> Any:
    viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    growth = analytics.growth(rng)
    activity = analytics.activity(rng)
    actives = analytics.actives(rng)
    churn = analytics.churn(rng)
    surveys = analytics.surveys.history()
    dates = _dates(rng)
    # "Each day / week / month": a sentence per bucket, as the noun's gender changes the words around it.
    growth_desc = {
        "day": _("Total members at the end of each day, and new members in it, from %(start)s to %(end)s.", **dates),
        "week": _("Total members at the end of each week, and new members in it, from %(start)s to %(end)s.", **dates),
        "month": _(
            "Total members at the end of each month, and new members in it, from %(start)s to %(end)s.", **dates
        ),
    }
    activity_desc = {
        "day": _("Members active in each day, and those who posted content, from %(start)s to %(end)s.", **dates),
        "week": _("Members active in each week, and those who posted content, from %(start)s to %(end)s.", **dates),
        "month": _("Members active in each month, and those who posted content, from %(start)s to %(end)s.", **dates),
    }
    growth_chart = _by_period(
        rng,
        "gk-chart-growth",
        _("Members"),
        growth_desc[rng.bucket],
        [
            (_("Total members"), [r.total_members for r in growth.rows]),
            (_("New members"), [r.new_members for r in growth.rows]),
        ],
        y_label=_("Members"),
    )
    activity_chart = _by_period(
        rng,
        "gk-chart-activity",
        _("Active and contributing members"),
        activity_desc[rng.bucket],
        [
            (_("Active members"), [r.active_members for r in activity.rows]),
            (_("Contributing members"), [r.contributing_members for r in activity.rows]),
        ],
        y_label=_("Members"),
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
    viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    growth = analytics.growth(rng)
    activity = analytics.activity(rng)
    actives = analytics.actives(rng)
    totals = {t: sum(r.by_type.get(t, 0) for r in activity.rows) for t in activity.types}
    by_type = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    bucket, dates = bucket_name(rng.bucket), _dates(rng)
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
            _("New members"),
            _("New members per %(bucket)s from %(start)s to %(end)s.", bucket=bucket, **dates),
            [(_("New members"), [r.new_members for r in growth.rows])],
            y_label=_("New members"),
        ),
        engagement_chart=_by_period(
            rng,
            "gk-chart-engagement",
            _("Engagement rate"),
            _("Active members as a percentage of all members, per %(bucket)s.", bucket=bucket),
            [
                (
                    _("Engagement rate (%(percent)s)", percent="%"),
                    [None if r.engagement_rate is None else r.engagement_rate * 100 for r in activity.rows],
                ),
                (
                    _("Contributing (%(percent)s)", percent="%"),
                    [None if r.contributing_rate is None else r.contributing_rate * 100 for r in activity.rows],
                ),
            ],
            y_label=_("%(percent)s of members", percent="%"),
        ),
        daily_chart=charts.line_chart(
            "gk-chart-daily",
            _("Daily active members"),
            _("Members active each day in the 30 days up to %(day)s.", day=format_date(actives.as_of)),
            [format_date(d) for d, _n in actives.daily],
            [(_("Daily active members"), [n for _d, n in actives.daily])],
            y_label=_("Members"),
            x_label=bucket_title("day"),
        ),
        types_chart=charts.bar_chart(
            "gk-chart-types",
            _("Activity by type"),
            _("How many activities of each type were recorded from %(start)s to %(end)s.", **dates),
            [t for t, _n in by_type],
            [n for _t, n in by_type],
            value_label=_("Activities"),
        ),
        by_type=by_type,
    )


@pages.get("/analytics/retention")
@page
def analytics_retention() -> Any:
    viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    retention = analytics.retention(rng)
    churn = analytics.churn(rng)
    response = analytics.first_response(rng)
    weeks = len(retention.cohorts)
    heat = charts.heat_map(
        "gk-chart-retention",
        _("Cohort retention"),
        _("For members who joined in each week (rows), the share active in each later week (columns)."),
        [f"{period_name(c.period.label)} ({format_number(c.size)})" for c in retention.cohorts],
        [_("W%(number)s", number=n) for n in range(weeks)],
        [c.rates for c in retention.cohorts],
        x_label=_("Weeks after joining"),
        y_label=_("Joined in the week of (members)"),
    )
    response_chart = _by_period(
        rng,
        "gk-chart-response",
        _("Time to first response"),
        _(
            "Median hours from a newcomer's first post to the first reply, by when they joined (%(bucket)s).",
            bucket=bucket_name(rng.bucket),
        ),
        [(_("Median hours"), [r.median_hours for r in response.rows])],
        y_label=_("Hours"),
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
    viewer()
    rng, values, form_errors = _range()
    levels = gk_instance().analytics.levels(rng)
    chart = charts.bar_chart(
        "gk-chart-levels",
        _("Engagement levels"),
        _("Members in each Orbit-style level by weighted activity from %(start)s to %(end)s.", **_dates(rng)),
        [f"{lv.level}. {lv.name}" for lv in levels.levels],
        [lv.members for lv in levels.levels],
        value_label=_("Members"),
    )
    return _render("engagement.html", rng, values, form_errors, levels=levels, chart=chart)


@pages.get("/analytics/recognition")
@page
def analytics_recognition() -> Any:
    viewer()
    rng, values, form_errors = _range()
    analytics = gk_instance().analytics
    recognition = analytics.recognition(rng)
    programmes = analytics.programmes(rng)
    bucket, dates = bucket_name(rng.bucket), _dates(rng)
    points_chart = _by_period(
        rng,
        "gk-chart-points",
        _("Points issued"),
        _("Points issued per %(bucket)s, by point type, from %(start)s to %(end)s.", bucket=bucket, **dates),
        [(t, [p.get(t, (0, 0))[0] for p in recognition.points]) for t in recognition.point_types],
        y_label=_("Points"),
    )
    awards_chart = _by_period(
        rng,
        "gk-chart-awards",
        _("Badge awards"),
        _("Badge levels awarded per %(bucket)s.", bucket=bucket),
        [(_("Badge awards"), recognition.awards)],
        y_label=_("Awards"),
    )
    rarity_chart = charts.bar_chart(
        "gk-chart-rarity",
        _("Badge rarity"),
        _("The share of members holding each badge, rarest first."),
        [r.name for r in recognition.rarity],
        [r.share or 0.0 for r in recognition.rarity],
        value_label=_("Share of members"),
        percent=True,
    )
    programme_chart = _by_period(
        rng,
        "gk-chart-programmes",
        _("Mentorship, events and moderation"),
        _("Mentorships started, event attendances and reports per %(bucket)s.", bucket=bucket),
        [
            (label, [r[name] for r in programmes.rows])
            for name, label in (
                ("mentorships_started", _("Mentorships started")),
                ("event_attendances", _("Event attendances")),
                ("reports", _("Reports")),
            )
            # Each comes from its feature (guildkit_register_analytics_measures), if the host runs it.
            if any(m.name == name for m in programmes.columns)
        ],
        y_label=_("Count"),
    )
    return _render(
        "recognition.html",
        rng,
        values,
        form_errors,
        recognition=recognition,
        programmes=programmes,
        programme_columns={m.name: str(m.label) for m in programmes.columns},
        points_chart=points_chart,
        awards_chart=awards_chart,
        rarity_chart=rarity_chart,
        programme_chart=programme_chart,
    )
