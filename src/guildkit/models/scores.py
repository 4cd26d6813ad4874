"""How many listed members hold each score: the histogram that makes a rank an index read.

A leaderboard lists members by their points for a period (all time, this week, this month),
kept on :class:`~guildkit.models.points.Balance`. "My rank" is one plus the number of listed
members with more points; counting them row by row grows with the rank (half a second at a
million members). ``guildkit_score_counts`` instead keeps, per point type, period and period
key, how many listed members hold each exact score (``width`` 1) and each block of 1,024 scores
(``width`` 1024, ``points`` the block's first score). A rank is then a sum over at most the
blocks above and the exact scores inside one block: a thousand index entries at most for scores
up to a million, whatever the number of members.

The database keeps it, in the same transaction as the change, through triggers (the SQL is in
:func:`score_counts_ddl`, shared by ``create_all`` and migration ``core_0005``):

* on ``guildkit_balances``: a row inserted, updated (its all-time balance or its week or month
  points or keys) or deleted moves its member from the old scores to the new ones, when the
  member is listed;
* on ``guildkit_members``: a member who becomes listed or unlisted (status ``active`` or not,
  ``leaderboard_opt_out``, ``excluded_roles`` zero or not) adds or removes every score they hold;
* on ``guildkit_role_grants`` and ``guildkit_roles`` (:func:`exclusion_ddl`): a live grant of a
  role flagged ``leaderboard_excluded`` counts in its member's ``excluded_roles``, so granting,
  revoking or deleting one, or flagging or unflagging the role, moves that count (and so, through
  the member trigger, the member's scores).

Listed means what :data:`guildkit.leaderboards.LISTED` means: active, not opted out and holding
no live grant of an excluded role. A week or month key of 0 means "no points in any such period
yet" and is never counted.

Migration ``core_0005`` installed the triggers without excluded roles (``exclusions=False``,
which reproduces them exactly); ``core_0006`` replaced them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base

#: The histogram's widths: exact scores, and blocks of this many scores.
BLOCK = 1024
PERIODS = ("all", "week", "month")


def listed_sql(row: str, *, exclusions: bool = True) -> str:
    """SQL: the member row ``row`` is listed (active, not opted out, no excluded role)."""
    excluded = f" AND {row}.excluded_roles = 0" if exclusions else ""
    return f"({row}.status = 'active' AND NOT {row}.leaderboard_opt_out{excluded})"


class ScoreCount(Base):
    """How many listed members hold ``points`` (or a score in the block starting there)."""

    __tablename__ = "guildkit_score_counts"

    point_type: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    #: ``all``, ``week`` or ``month``.
    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    #: 0 for ``all``; else the proleptic ordinal of the period's first local day.
    period_key: Mapped[int] = mapped_column(primary_key=True)
    #: 1 (exact scores) or :data:`BLOCK`.
    width: Mapped[int] = mapped_column(primary_key=True)
    points: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    members: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def block_of(points: int) -> int:
    """The first score of the block holding ``points`` (floor division, negatives too)."""
    return points - points % BLOCK


def block_sql(points: str, width: str | int, dialect: str) -> str:
    """SQL: the first score of ``points``' block of ``width`` scores."""
    # The remainder truncates toward zero; adding the width once more floors it for negative
    # scores. mod() on PostgreSQL: psycopg reads a bare % as a placeholder.
    if dialect == "postgresql":
        return f"{points} - mod(mod({points}, {width}) + {width}, {width})"
    return f"{points} - (({points} % {width}) + {width}) % {width}"


def _upsert(source: str, listed: str, dialect: str) -> str:
    """Add ``source``'s rows (point_type, period, period_key, points, delta) to the histogram,
    at both widths, when ``listed`` holds; rows whose deltas cancel out are left alone, and the
    rest are written in key order (so two writers take the rows' locks in the same order)."""
    return (
        "INSERT INTO guildkit_score_counts (point_type, period, period_key, width, points, members) "
        f"SELECT s.pt, s.period, s.pkey, w.column1, {block_sql('s.points', 'w.column1', dialect)}, SUM(s.delta) "
        f"FROM ({source}) AS s, (VALUES (1), ({BLOCK})) AS w "
        f"WHERE (s.period = 'all' OR s.pkey > 0) AND {listed} "
        "GROUP BY 1, 2, 3, 4, 5 HAVING SUM(s.delta) <> 0 ORDER BY 1, 2, 3, 4, 5 "
        "ON CONFLICT (point_type, period, period_key, width, points) "
        "DO UPDATE SET members = guildkit_score_counts.members + excluded.members"
    )


def _moves(row: str, delta: int) -> str:
    """A balance row's three scores as histogram rows with ``delta``."""
    return " UNION ALL ".join(
        f"SELECT {row}.point_type AS pt, '{period}' AS period, {key} AS pkey, {points} AS points, {delta} AS delta"
        for period, key, points in (
            ("all", "0", f"{row}.balance"),
            ("week", f"{row}.week_key", f"{row}.week_points"),
            ("month", f"{row}.month_key", f"{row}.month_points"),
        )
    )


def _member_listed(row: str, exclusions: bool) -> str:
    listed = listed_sql("m", exclusions=exclusions)
    return f"EXISTS (SELECT 1 FROM guildkit_members m WHERE m.id = {row}.member_id AND {listed})"


def balance_statements(event: str, dialect: str, exclusions: bool = True) -> str:
    """What one balance row's ``event`` (INSERT, UPDATE, DELETE) does to the histogram."""
    parts = {"INSERT": [("NEW", 1)], "UPDATE": [("OLD", -1), ("NEW", 1)], "DELETE": [("OLD", -1)]}[event]
    source = " UNION ALL ".join(_moves(row, delta) for row, delta in parts)
    return _upsert(source, _member_listed(parts[-1][0], exclusions), dialect)


def member_statement(dialect: str, exclusions: bool = True) -> str:
    """A member who became listed (+1) or unlisted (-1): every score they hold moves."""
    sign = f"CASE WHEN {listed_sql('NEW', exclusions=exclusions)} THEN 1 ELSE -1 END"
    source = " UNION ALL ".join(
        f"SELECT b.point_type AS pt, '{period}' AS period, {key} AS pkey, {points} AS points, {sign} AS delta "
        f"FROM guildkit_balances b WHERE b.member_id = NEW.id"
        for period, key, points in (
            ("all", "0", "b.balance"),
            ("week", "b.week_key", "b.week_points"),
            ("month", "b.month_key", "b.month_points"),
        )
    )
    return _upsert(source, "true", dialect)


def listedness_changed(exclusions: bool = True) -> str:
    return f"{listed_sql('OLD', exclusions=exclusions)} IS DISTINCT FROM {listed_sql('NEW', exclusions=exclusions)}"


_BALANCE_COLUMNS = "balance, week_key, week_points, month_key, month_points"
TRIGGERS = ("guildkit_scores_insert", "guildkit_scores_update", "guildkit_scores_delete", "guildkit_scores_member")
#: The triggers keeping ``guildkit_members.excluded_roles``, and their tables.
EXCLUSION_TRIGGERS = {
    "guildkit_exclusions_insert": "guildkit_role_grants",
    "guildkit_exclusions_update": "guildkit_role_grants",
    "guildkit_exclusions_delete": "guildkit_role_grants",
    "guildkit_exclusions_role": "guildkit_roles",
}


def score_counts_ddl(dialect: str, *, exclusions: bool = True) -> list[str]:
    """SQL that installs the histogram's triggers for ``dialect`` (idempotent); ``exclusions``:
    with the excluded roles (``core_0006``), else as ``core_0005`` installed them."""
    return histogram_ddl(dialect, exclusions) + (exclusion_ddl(dialect) if exclusions else [])


def histogram_ddl(dialect: str, exclusions: bool = True) -> list[str]:
    """The triggers on ``guildkit_balances`` and ``guildkit_members``."""
    events = {
        "guildkit_scores_insert": ("INSERT", "INSERT"),
        "guildkit_scores_update": ("UPDATE", f"UPDATE OF {_BALANCE_COLUMNS}"),
        "guildkit_scores_delete": ("DELETE", "DELETE"),
    }
    member_columns = "status, leaderboard_opt_out" + (", excluded_roles" if exclusions else "")
    changed = listedness_changed(exclusions)
    if dialect == "sqlite":
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {when} ON guildkit_balances "
            f"BEGIN {balance_statements(event, dialect, exclusions)}; END"
            for name, (event, when) in events.items()
        ]
        statements.append(
            "CREATE TRIGGER IF NOT EXISTS guildkit_scores_member "
            f"AFTER UPDATE OF {member_columns} ON guildkit_members "
            f"WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN {member_statement(dialect, exclusions)}; END"
        )
        return statements
    if dialect == "postgresql":
        statements = []
        for name, (event, when) in events.items():
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{balance_statements(event, dialect, exclusions)}; RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON guildkit_balances",
                f"CREATE TRIGGER {name} AFTER {when} ON guildkit_balances FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        statements += [
            "CREATE OR REPLACE FUNCTION guildkit_scores_member() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{member_statement(dialect, exclusions)}; RETURN NULL; END $$",
            "DROP TRIGGER IF EXISTS guildkit_scores_member ON guildkit_members",
            f"CREATE TRIGGER guildkit_scores_member AFTER UPDATE OF {member_columns} ON guildkit_members "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION guildkit_scores_member()",
        ]
        return statements
    return []


def _count_grant(row: str, sign: str) -> str:
    """Add (``+``) or take (``-``) ``row``'s grant to its member's ``excluded_roles``, when it is
    live and of an excluded role (else the UPDATE matches nothing and locks nothing)."""
    return (
        f"UPDATE guildkit_members SET excluded_roles = excluded_roles {sign} 1 "
        f"WHERE id = {row}.member_id AND {row}.revoked_at IS NULL AND EXISTS "
        f"(SELECT 1 FROM guildkit_roles r WHERE r.slug = {row}.role_slug AND r.leaderboard_excluded)"
    )


#: Grant statements per trigger: (event, its WHEN condition, the statements).
_GRANT_EVENTS = {
    "guildkit_exclusions_insert": ("INSERT", "NEW.revoked_at IS NULL", [_count_grant("NEW", "+")]),
    "guildkit_exclusions_update": (
        "UPDATE OF revoked_at, role_slug, member_id",
        "(OLD.revoked_at IS NULL) <> (NEW.revoked_at IS NULL) "
        "OR OLD.role_slug <> NEW.role_slug OR OLD.member_id <> NEW.member_id",
        [_count_grant("OLD", "-"), _count_grant("NEW", "+")],
    ),
    "guildkit_exclusions_delete": ("DELETE", "OLD.revoked_at IS NULL", [_count_grant("OLD", "-")]),
}
_ROLE_FLAGGED = (
    "UPDATE guildkit_members SET excluded_roles = excluded_roles + CASE WHEN NEW.leaderboard_excluded "
    "THEN 1 ELSE -1 END WHERE id IN (SELECT g.member_id FROM guildkit_role_grants g "
    "WHERE g.role_slug = NEW.slug AND g.revoked_at IS NULL)"
)
_ROLE_CHANGED = "OLD.leaderboard_excluded <> NEW.leaderboard_excluded"


def exclusion_ddl(dialect: str) -> list[str]:
    """The triggers on ``guildkit_role_grants`` and ``guildkit_roles`` keeping ``excluded_roles``.

    On PostgreSQL a grant's trigger reads the role's flag as committed when it runs, so a flag
    change first takes a SHARE lock on the grants: it waits for the transactions writing grants
    (whose triggers read the old flag) and then counts their grants itself, while new grant
    writes wait for it to commit and then read the new flag. A member's count is one row, so two
    grants of one member serialize on it. SQLite has one writer at a time.
    """
    if dialect == "sqlite":
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON guildkit_role_grants "
            f"WHEN {when} BEGIN {'; '.join(body)}; END"
            for name, (event, when, body) in _GRANT_EVENTS.items()
        ]
        statements.append(
            "CREATE TRIGGER IF NOT EXISTS guildkit_exclusions_role AFTER UPDATE OF leaderboard_excluded "
            f"ON guildkit_roles WHEN {_ROLE_CHANGED} BEGIN {_ROLE_FLAGGED}; END"
        )
        return statements
    if dialect == "postgresql":
        statements = []
        for name, (event, when, body) in _GRANT_EVENTS.items():
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{'; '.join(body)}; RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON guildkit_role_grants",
                f"CREATE TRIGGER {name} AFTER {event} ON guildkit_role_grants "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()",
            ]
        statements += [
            "CREATE OR REPLACE FUNCTION guildkit_exclusions_role() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"LOCK TABLE guildkit_role_grants IN SHARE MODE; {_ROLE_FLAGGED}; RETURN NULL; END $$",
            "DROP TRIGGER IF EXISTS guildkit_exclusions_role ON guildkit_roles",
            "CREATE TRIGGER guildkit_exclusions_role AFTER UPDATE OF leaderboard_excluded ON guildkit_roles "
            f"FOR EACH ROW WHEN ({_ROLE_CHANGED}) EXECUTE FUNCTION guildkit_exclusions_role()",
        ]
        return statements
    return []


def drop_score_counts_ddl(dialect: str) -> list[str]:
    """SQL removing what :func:`score_counts_ddl` installed (either version)."""
    tables = dict.fromkeys(TRIGGERS, "guildkit_balances")
    tables["guildkit_scores_member"] = "guildkit_members"
    tables |= EXCLUSION_TRIGGERS
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in tables]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in tables.items()] + [
            f"DROP FUNCTION IF EXISTS {name}()" for name in tables
        ]
    return []


def install(target: sa.Table, connection: sa.Connection, **kw: object) -> None:
    """Install the histogram's triggers once ``guildkit_balances`` exists (and so the members it
    references); trigger bodies are only resolved when they run, so the histogram table may come later."""
    for statement in histogram_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def install_exclusions(target: sa.Table, connection: sa.Connection, **kw: object) -> None:
    """Install the excluded roles' triggers once ``guildkit_role_grants`` exists (and so the
    members and roles it references)."""
    for statement in exclusion_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def count_excluded_roles(conn: sa.Connection) -> int:
    """Set every member's ``excluded_roles`` from the grants and flags as they are (the triggers
    move the scores of those who change); returns how many members changed."""
    live = (
        "FROM guildkit_role_grants g JOIN guildkit_roles r ON r.slug = g.role_slug "
        "WHERE g.revoked_at IS NULL AND r.leaderboard_excluded"
    )
    count = f"(SELECT COUNT(*) {live} AND g.member_id = guildkit_members.id)"
    # Only members counted now or holding such a grant can change: one scan, few subqueries.
    changed = conn.exec_driver_sql(
        f"UPDATE guildkit_members SET excluded_roles = {count} "
        f"WHERE (excluded_roles <> 0 OR id IN (SELECT g.member_id {live})) AND excluded_roles <> {count}"
    ).rowcount
    return int(changed)
