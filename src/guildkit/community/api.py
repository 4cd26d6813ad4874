"""The JSON API: members, points, badges, leaderboards, roles, activities and notifications.

Each view is declared with :func:`~.endpoint.endpoint`, which checks the caller, validates the
request, shapes the response and feeds the OpenAPI document. Who may do what:

=========================  =================================================================
anyone                     members, balances, badges (catalog, holders, a member's awards),
                           leaderboards, roles
the member themself        their ledger, progress and notifications (``/me``), their privacy
                           settings and data export (``/me/privacy``, ``/me/export``; also
                           while suspended or banned)
``members.read_private``   anyone's ledger and progress (moderators)
``roles.manage``           grant and revoke roles (admins)
``activities.write``       report and retract activities, and ask where one stands (API tokens)
=========================  =================================================================
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request

from guildkit import leaderboards, queries
from guildkit.activity import Accepted
from guildkit.community.accepted import RESPOND_ASYNC, preferences, status_out
from guildkit.community.schemas import ActivityStatusSchema, MemberExportSchema, PrivacySettingsSchema
from guildkit.errors import AsyncUnavailable, UnknownActivity, UnknownPointType, UnknownRole
from guildkit.extension import GuildKit
from guildkit.models import BadgeAward, Member, RoleGrant
from guildkit.notes import text_of
from guildkit.results import stored_result
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import Also, Reply, endpoint, gk_instance, permission, person, self_or
from guildkit.web.errors import ApiError
from guildkit.web.pagination import Page, decode_cursor, decode_cursor_as, page_of
from guildkit.web.present import (
    award_out,
    badge_out,
    board_out,
    find_member,
    ledger_out,
    member_detail_out,
    members_out,
    visible_badge,
)
from guildkit.web.schemas import (
    ActivityIn,
    ActivityResultSchema,
    AwardSchema,
    BadgeSchema,
    BatchIn,
    BatchResultSchema,
    GrantBody,
    GrantSchema,
    HolderSchema,
    LeaderboardQuery,
    LeaderboardSchema,
    LedgerEntrySchema,
    LedgerQuery,
    ManualAwardIn,
    ManualRevokeIn,
    MemberDetailSchema,
    MemberQuery,
    MemberSchema,
    MeSchema,
    NotificationSchema,
    PageQuery,
    ProgressSchema,
    ReasonBody,
    RecentAwardSchema,
    RoleSchema,
    StatusBody,
)

api = Routes("api")


def awards_listing(gk: GuildKit, query: dict[str, Any], **filters: Any) -> Page[tuple[Member, BadgeAward]]:
    """One page of live awards, newest first, filtered by badge and/or member."""
    after = decode_cursor(query["cursor"], 2)
    rows = queries.awards_page(gk.session, query["limit"], tuple(after) if after else None, **filters)
    return page_of(rows, query["limit"], lambda pair: [pair[1].awarded_at.isoformat(), pair[1].id])


# -- members -------------------------------------------------------------------------------


@api.get("/members")
@endpoint(summary="List members", query=MemberQuery, response=MemberSchema, paginated=True, tags=("members",))
def list_members(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    gk = gk_instance()
    after = decode_cursor(query["cursor"], 2)
    rows = queries.members_page(
        gk.session, q=query["q"], status=query["status"], limit=query["limit"], after=tuple(after) if after else None
    )
    page = page_of(rows, query["limit"], lambda m: [m.joined_at.isoformat(), m.id])
    return Page(members_out(gk, page.items), page.next_cursor)


@api.get("/members/<user_id>")
@endpoint(
    summary="A member, with balances, levels and roles (and, to the member or staff, what expires when)",
    response=MemberDetailSchema,
    tags=("members",),
    errors=(404,),
)
def get_member(caller: Caller, user_id: str) -> dict[str, Any]:
    gk = gk_instance()
    private = caller.active and (caller.is_self(user_id) or caller.can("members.read_private"))
    return member_detail_out(gk, find_member(gk, user_id), private=private)


@api.put("/members/<user_id>/status")
@endpoint(
    summary="Set a member's status (suspend, ban, reinstate), with a reason",
    body=StatusBody,
    response=MemberDetailSchema,
    allow=permission("members.manage"),
    tags=("members",),
    errors=(401, 403, 404, 422),
)
def set_member_status(caller: Caller, body: dict[str, Any], user_id: str) -> dict[str, Any]:
    gk = gk_instance()
    if caller.is_self(user_id):
        raise ApiError(403, "staff cannot change their own status", code="forbidden")
    find_member(gk, user_id)
    gk.set_status(user_id, body["status"], reason=body["reason"], by=caller.user_id)
    gk.session.expire_all()
    return member_detail_out(gk, find_member(gk, user_id))


@api.get("/members/<user_id>/ledger")
@endpoint(
    summary="A member's points history, each row with its reason",
    query=LedgerQuery,
    response=LedgerEntrySchema,
    paginated=True,
    allow=self_or("members.read_private"),
    tags=("points",),
    errors=(401, 403, 404),
)
def member_ledger(caller: Caller, query: dict[str, Any], user_id: str) -> Page[dict[str, Any]]:
    gk = gk_instance()
    member = find_member(gk, user_id)
    before = decode_cursor_as(query["cursor"], 2, queries.ledger_before)
    rows = queries.ledger_page(gk.session, member.id, query["point_type"], query["limit"], before)
    page = page_of(rows, query["limit"], lambda pair: queries.ledger_cursor(pair[0]))
    return Page(
        ledger_out(gk, member, page.items),
        page.next_cursor,
    )


@api.get("/members/<user_id>/badges")
@endpoint(
    summary="A member's badge awards, most recent first",
    query=PageQuery,
    response=AwardSchema,
    paginated=True,
    tags=("badges",),
    errors=(404,),
)
def member_badges(caller: Caller, query: dict[str, Any], user_id: str) -> Page[dict[str, Any]]:
    gk = gk_instance()
    member = find_member(gk, user_id)
    page = awards_listing(gk, query, member_id=member.id)
    return Page([out for _, award in page.items if (out := award_out(gk, award))], page.next_cursor)


@api.get("/members/<user_id>/progress")
@endpoint(
    summary="A member's progress toward the next level of each badge",
    response=ProgressSchema,
    many=True,
    allow=self_or("members.read_private"),
    tags=("badges",),
    errors=(401, 403, 404),
)
def member_progress(caller: Caller, user_id: str) -> list[Any]:
    gk = gk_instance()
    find_member(gk, user_id)
    return gk.progress(user_id)


# -- badges --------------------------------------------------------------------------------


@api.get("/badges")
@endpoint(summary="The badge catalog, with rarity", response=BadgeSchema, many=True, tags=("badges",))
def list_badges(caller: Caller) -> list[dict[str, Any]]:
    gk = gk_instance()
    holders = queries.badge_holder_counts(gk.session)
    members = queries.member_count(gk.session)
    badges = [s for s, b in gk.registry.badges.items() if not b.secret or holders.get(s)]
    return [badge_out(gk, slug, holders, members) for slug in sorted(badges)]


@api.get("/badges/<slug>")
@endpoint(summary="A badge: criteria, levels and rarity", response=BadgeSchema, tags=("badges",), errors=(404,))
def get_badge(caller: Caller, slug: str) -> dict[str, Any]:
    gk = gk_instance()
    visible_badge(gk, slug)
    return badge_out(gk, slug, queries.badge_holder_counts(gk.session), queries.member_count(gk.session))


@api.get("/badges/<slug>/holders")
@endpoint(
    summary="Members holding a badge, most recent first",
    query=PageQuery,
    response=HolderSchema,
    paginated=True,
    tags=("badges",),
    errors=(404,),
)
def badge_holders(caller: Caller, query: dict[str, Any], slug: str) -> Page[dict[str, Any]]:
    gk = gk_instance()
    visible_badge(gk, slug)
    page = awards_listing(gk, query, badge=slug)
    return Page(
        [
            {"user_id": m["user_id"], "name": m["name"], "level": a.level, "awarded_at": a.awarded_at}
            for (_m, a), m in zip(page.items, members_out(gk, (m for m, _a in page.items)), strict=True)
        ],
        page.next_cursor,
    )


@api.get("/awards")
@endpoint(
    summary="Recent badge awards across the community",
    query=PageQuery,
    response=RecentAwardSchema,
    paginated=True,
    tags=("badges",),
)
def recent_awards(caller: Caller, query: dict[str, Any]) -> Page[dict[str, Any]]:
    gk = gk_instance()
    page = awards_listing(gk, query)
    return Page(
        [
            {**out, "member": m}
            for (_m, a), m in zip(page.items, members_out(gk, (m for m, _a in page.items)), strict=True)
            if (out := award_out(gk, a))
        ],
        page.next_cursor,
    )


@api.post("/awards")
@endpoint(
    summary="Award points, a badge and/or a role by hand, with a reason",
    body=ManualAwardIn,
    response=ActivityResultSchema,
    status=201,
    allow=permission("awards.manage"),
    tags=("badges",),
    errors=(401, 403, 404, 409, 422),
)
def manual_award(caller: Caller, body: dict[str, Any]) -> Any:
    gk = gk_instance()
    return gk.award(body.pop("user_id"), by=caller.user_id, **body)


@api.post("/awards/revoke")
@endpoint(
    summary="Take a badge (one level or all) and/or a role away by hand, with a reason",
    body=ManualRevokeIn,
    response=ActivityResultSchema,
    allow=permission("awards.manage"),
    tags=("badges",),
    errors=(401, 403, 404, 409, 422),
)
def manual_revoke(caller: Caller, body: dict[str, Any]) -> Any:
    gk = gk_instance()
    user_id = body.pop("user_id")
    find_member(gk, user_id)
    return gk.revoke(user_id, by=caller.user_id, **body)


# -- leaderboards --------------------------------------------------------------------------


@api.get("/leaderboards/<point_type>")
@endpoint(
    summary="Top members by points (all time, this week, this month), the caller's rank, each row's change",
    query=LeaderboardQuery,
    response=LeaderboardSchema,
    tags=("points",),
    errors=(404,),
)
def leaderboard(caller: Caller, query: dict[str, Any], point_type: str) -> dict[str, Any]:
    gk = gk_instance()
    if point_type not in gk.registry.point_types:
        raise UnknownPointType(point_type)
    board = leaderboards.Board.of(point_type, query["period"], gk.clock(), gk.state.zone)
    after = decode_cursor(query["cursor"], 2)
    rows = leaderboards.standings(gk.store.read_session, board, query["limit"], tuple(after) if after else None)
    page = page_of(rows, query["limit"], lambda s: [s.points, s.member_id])
    me = None
    if caller.member is not None:
        me = leaderboards.standing_of(gk.store.read_session, board, caller.member)
    items, mine, previous_at = board_out(gk, board, page.items, me)
    return {
        "point_type": point_type,
        "period": query["period"],
        "since": board.since,
        "previous_at": previous_at,
        "items": items,
        "next_cursor": page.next_cursor,
        "me": mine,
    }


# -- roles ---------------------------------------------------------------------------------


@api.get("/roles")
@endpoint(summary="Roles and their permissions", response=RoleSchema, many=True, tags=("roles",))
def list_roles(caller: Caller) -> list[dict[str, Any]]:
    return [
        {"slug": r.slug, "name": r.name, "description": r.description, "permissions": list(r.permissions)}
        for r in sorted(gk_instance().registry.roles.values(), key=lambda r: r.slug)
    ]


@api.get("/members/<user_id>/roles")
@endpoint(summary="A member's live role grants", response=GrantSchema, many=True, tags=("roles",), errors=(404,))
def member_roles(caller: Caller, user_id: str) -> list[RoleGrant]:
    gk = gk_instance()
    member = find_member(gk, user_id)
    return list(
        gk.session.scalars(
            sa.select(RoleGrant)
            .where(RoleGrant.member_id == member.id, RoleGrant.revoked_at.is_(None))
            .order_by(RoleGrant.role_slug)
        )
    )


@api.post("/members/<user_id>/roles")
@endpoint(
    summary="Grant a role (recorded with its reason)",
    body=GrantBody,
    response=ActivityResultSchema,
    status=201,
    allow=permission("roles.manage"),
    tags=("roles",),
    errors=(401, 403, 404, 422),
)
def grant_role(caller: Caller, body: dict[str, Any], user_id: str) -> Any:
    gk = gk_instance()
    if body["role"] not in gk.registry.roles:
        raise UnknownRole(body["role"])
    find_member(gk, user_id)
    return gk.award(user_id, role=body["role"], reason=body["reason"], by=caller.user_id)


@api.delete("/members/<user_id>/roles/<role>")
@endpoint(
    summary="Revoke a role (recorded with its reason)",
    body=ReasonBody,
    response=ActivityResultSchema,
    allow=permission("roles.manage"),
    tags=("roles",),
    errors=(401, 403, 404, 422),
)
def revoke_role(caller: Caller, body: dict[str, Any], user_id: str, role: str) -> Any:
    gk = gk_instance()
    find_member(gk, user_id)
    if role not in gk.roles(user_id):
        raise ApiError(404, f"{user_id!r} does not hold role {role!r}", code="not_found")
    return gk.revoke(user_id, role=role, reason=body["reason"], by=caller.user_id)


# -- activities ----------------------------------------------------------------------------


def _key(activity: dict[str, Any], header: str | None) -> str:
    key = activity.get("key") or header
    if not key:
        raise ApiError(
            422,
            "give the activity a key, or send an Idempotency-Key header",
            code="validation_error",
            errors={"key": ["required without an Idempotency-Key header"]},
        )
    if activity.get("key") and header and activity["key"] != header:
        raise ApiError(
            422,
            "the body's key and the Idempotency-Key header differ",
            code="validation_error",
            errors={"key": ["differs from the Idempotency-Key header"]},
        )
    return str(key)


@api.post("/activities")
@endpoint(
    summary="Report an activity (exactly once per key); with Prefer: respond-async, store it and answer 202",
    body=ActivityIn,
    response=ActivityResultSchema,
    status=201,
    allow=permission("activities.write"),
    tags=("activities",),
    errors=(401, 403, 409, 422),
    headers=("Idempotency-Key", "Prefer"),
    also=(
        Also(
            202,
            ActivityStatusSchema,
            "Accepted (Prefer: respond-async): stored, to be recorded soon; ask the status URL",
            headers=("Location", "Preference-Applied"),
        ),
    ),
)
def record_activity(caller: Caller, body: dict[str, Any]) -> Any:
    gk = gk_instance()
    key = _key(body, request.headers.get("Idempotency-Key"))
    if RESPOND_ASYNC in preferences():
        try:
            accepted = gk.record(body["type"], wait=False, **_args(body, key))
        except AsyncUnavailable:
            # A preference the server cannot honour is ignored (RFC 7240): recorded at once,
            # answered 201 without Preference-Applied.
            pass
        else:
            out = status_out(accepted)
            headers = {"Location": out["status_url"], "Preference-Applied": RESPOND_ASYNC}
            return Reply(202, out, headers)
    return gk.record(body["type"], **_args(body, key))


@api.get("/activities/<guildkit_activity_key:key>")
@endpoint(
    summary="Where an activity stands: pending (accepted, not recorded yet), recorded or failed",
    response=ActivityStatusSchema,
    allow=permission("activities.write"),
    tags=("activities",),
    # 405: the keys "batch" and ".../retract" are other endpoints' URLs (blueprint.ActivityKeyConverter).
    errors=(401, 403, 404, 405),
)
def activity_status(caller: Caller, key: str) -> dict[str, Any]:
    gk = gk_instance()
    # The inbox first, then the activities: the drain records an activity and removes its inbox
    # row in one transaction, so a key moving between the two is seen in one or the other.
    found: Accepted | None = gk.pm.hook.guildkit_lookup_accepted(gk=gk, key=key)
    if found is None:
        with gk.store.engine.connect() as conn:
            result = stored_result(conn, key)
        if result is None:
            raise UnknownActivity(key)
        found = Accepted(key, "recorded", result=result)
    return status_out(found)


def _args(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: body.get(name) for name in ("actor", "target", "subject", "payload", "occurred_at")} | {"key": key}


@api.post("/activities/batch")
@endpoint(
    summary="Report up to 1,000 activities in one transaction",
    body=BatchIn,
    response=BatchResultSchema,
    status=201,
    allow=permission("activities.write"),
    tags=("activities",),
    errors=(401, 403, 409, 422),
)
def record_batch(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    gk = gk_instance()
    items = []
    for index, activity in enumerate(body["activities"]):
        if not activity.get("key"):
            raise ApiError(
                422,
                f"activities[{index}] needs a key",
                code="validation_error",
                errors={f"activities.{index}.key": ["required"]},
            )
        items.append({"type": activity["type"], **_args(activity, activity["key"])})
    return {"results": gk.record_many(items)}


@api.post("/activities/<guildkit_path:key>/retract")
@endpoint(
    summary="Retract an activity: reverse what it earned",
    body=ReasonBody,
    response=ActivityResultSchema,
    allow=permission("activities.write"),
    tags=("activities",),
    errors=(401, 403, 404, 422),
)
def retract_activity(caller: Caller, body: dict[str, Any], key: str) -> Any:
    return gk_instance().retract(key, reason=body["reason"])


# -- the caller ----------------------------------------------------------------------------


@api.get("/me")
@endpoint(summary="Who am I: my membership, permissions and unread notifications", response=MeSchema, tags=("me",))
def me(caller: Caller) -> dict[str, Any]:
    gk = gk_instance()
    member = caller.member
    return {
        "user_id": caller.user_id,
        "member": member_detail_out(gk, member, private=True) if member else None,
        "permissions": sorted(caller.permissions),
        "unread_notifications": (
            queries.unread_count(gk.session, member.id, hidden=gk.calls.hidden_notification_kinds(member.id))
            if member
            else 0
        ),
    }


@api.get("/me/notifications")
@endpoint(
    summary="My notifications, newest first",
    query=PageQuery,
    response=NotificationSchema,
    paginated=True,
    allow=person,
    tags=("me",),
    errors=(401, 403),
)
def my_notifications(caller: Caller, query: dict[str, Any]) -> Page[Any]:
    gk = gk_instance()
    if caller.member is None:
        return Page([], None)
    before = decode_cursor(query["cursor"], 1)
    hidden = gk.calls.hidden_notification_kinds(caller.member.id)
    rows = queries.notifications_page(
        gk.session, caller.member.id, query["limit"], before[0] if before else None, hidden=hidden
    )
    page = page_of(rows, query["limit"], lambda n: [n.id])
    # Said again in the caller's language (notes.text_of), as the page says it; the rows stay as stored.
    return Page([{**_columns(n), "text": text_of(n)} for n in page.items], page.next_cursor)


def _columns(note: Any) -> dict[str, Any]:
    return {name: getattr(note, name) for name in ("id", "kind", "data", "created_at", "read_at")}


@api.post("/me/notifications/read")
@endpoint(summary="Mark all my notifications read", allow=person, tags=("me",), errors=(401, 403))
def read_notifications(caller: Caller) -> None:
    gk = gk_instance()
    if caller.member is not None:
        queries.mark_read(gk.session, caller.member.id, gk.clock())


# -- the caller's data rights --------------------------------------------------------------


def signed_in(caller: Caller, path: dict[str, Any]) -> bool:
    """a signed-in person"""
    # Whatever their status: a suspended or banned member keeps their data rights.
    return caller.is_person


@api.get("/me/privacy")
@endpoint(
    summary="My privacy settings",
    response=PrivacySettingsSchema,
    allow=signed_in,
    tags=("me",),
    errors=(401, 403),
)
def my_privacy(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    return {"leaderboard_opt_out": gk_instance().privacy.leaderboard_opt_out(caller.user_id)}


@api.put("/me/privacy")
@endpoint(
    summary="Change my privacy settings (leave the leaderboards, or come back)",
    body=PrivacySettingsSchema,
    response=PrivacySettingsSchema,
    allow=signed_in,
    tags=("me",),
    errors=(401, 403, 422),
)
def set_my_privacy(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    assert caller.user_id is not None
    opted_out = gk_instance().privacy.set_leaderboard_opt_out(caller.user_id, body["leaderboard_opt_out"])
    return {"leaderboard_opt_out": opted_out}


@api.get("/me/export")
@endpoint(
    summary="Everything the community holds about me, as JSON (my data export)",
    response=MemberExportSchema,
    allow=signed_in,
    tags=("me",),
    errors=(401, 403, 404),
)
def my_export(caller: Caller) -> dict[str, Any]:
    assert caller.user_id is not None
    if caller.member is None:
        raise ApiError(404, "the community holds no data about you", code="not_found")
    document: dict[str, Any] = gk_instance().privacy.export(caller.user_id)
    return document
