"""Every public function, driven by Hypothesis with values it cannot accept: it raises from
guildkit's error tree (never ``TypeError``, a driver's ``DataError`` or ``UnicodeEncodeError``)
and writes nothing, on SQLite and PostgreSQL.

Two sweeps: the core API with one bad argument among good ones (so each check is reached), and
every method of every service features offer (``gk.mentorship``, ``gk.events`` …) with nothing
but bad arguments.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guildkit import GuildKit, GuildKitError

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)

#: Text that no field may hold: NUL, lone surrogates, other control characters.
BAD_TEXT = st.one_of(
    st.text(min_size=0, max_size=8).map(lambda t: t + "\x00"),
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=4),
    st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=8), min_size=1, max_size=4),
)
#: Values of the wrong kind for anything: objects, containers, non-finite and huge numbers,
#: naive or absurd moments, bytes.
JUNK = st.one_of(
    BAD_TEXT,
    st.builds(object),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2, min_size=1),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 2**64, -(2**70)]),
    st.sampled_from([datetime(2026, 1, 1), datetime(9999, 12, 31, tzinfo=UTC), b"bytes", frozenset({1})]),
)
BAD_USER = st.one_of(BAD_TEXT, st.builds(object), st.lists(st.text(max_size=2), max_size=2), st.just(""), st.just(1.5))
BAD_LIMIT = st.one_of(st.sampled_from([0, -1, 10**6, True, "10", 2.5]), st.builds(object))
BAD_WORDS = st.one_of(BAD_TEXT, st.builds(object))
BAD_MOMENT = st.sampled_from([datetime(2026, 1, 1), datetime(9999, 12, 31, tzinfo=UTC), "2026-01-01", 0])
BAD_PAYLOAD = st.one_of(
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.just("x"), st.one_of(BAD_TEXT, st.builds(object), st.just(float("nan")), st.just(2**70))),
).filter(lambda p: not isinstance(p, dict) or p)


def row_counts(gk: GuildKit) -> dict[str, int]:
    engine = gk.store.engine
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}


@pytest.fixture
def seeded(gk: GuildKit) -> GuildKit:
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    gk.award("ann", points=5, point_type="reputation", reason="setup")
    gk.award("ann", badge="answerer", reason="setup")
    return gk


def refuses(gk: GuildKit, call: Callable[[], object], before: dict[str, int]) -> None:
    try:
        call()
    except GuildKitError:
        pass
    else:
        raise AssertionError("accepted a bad argument")
    gk.session.rollback()
    assert row_counts(gk) == before


# The core API: (name, call taking the bad value). Each puts the bad value in one place.
CORE: list[tuple[str, st.SearchStrategy[Any], Callable[[GuildKit, Any], object]]] = [
    ("record.type", JUNK, lambda gk, v: gk.record(v, key="k", actor="ann")),
    ("record.key", JUNK, lambda gk, v: gk.record("visit", key=v, actor="ann")),
    ("record.actor", BAD_USER, lambda gk, v: gk.record("visit", key="k", actor=v)),
    ("record.target", BAD_USER, lambda gk, v: gk.record("visit", key="k", actor="ann", target=v)),
    ("record.subject", BAD_WORDS, lambda gk, v: gk.record("visit", key="k", actor="ann", subject=v)),
    ("record.payload", BAD_PAYLOAD, lambda gk, v: gk.record("visit", key="k", actor="ann", payload=v)),
    ("record.occurred_at", BAD_MOMENT, lambda gk, v: gk.record("visit", key="k", actor="ann", occurred_at=v)),
    ("record_many", BAD_USER, lambda gk, v: gk.record_many([{"type": "visit", "key": "k", "actor": v}])),
    ("retract.key", JUNK, lambda gk, v: gk.retract(v)),
    ("retract.reason", BAD_WORDS, lambda gk, v: gk.retract("k", reason=v)),
    ("retract.occurred_at", BAD_MOMENT, lambda gk, v: gk.retract("k", occurred_at=v)),
    ("award.user", BAD_USER, lambda gk, v: gk.award(v, points=1, point_type="reputation", reason="x")),
    ("award.points", JUNK, lambda gk, v: gk.award("ann", points=v, point_type="reputation", reason="x")),
    ("award.point_type", JUNK, lambda gk, v: gk.award("ann", points=1, point_type=v, reason="x")),
    ("award.badge", JUNK, lambda gk, v: gk.award("ann", badge=v, reason="x")),
    ("award.level", JUNK, lambda gk, v: gk.award("bob", badge="answerer", level=v, reason="x")),
    ("award.role", JUNK, lambda gk, v: gk.award("ann", role=v, reason="x")),
    ("award.reason", BAD_WORDS, lambda gk, v: gk.award("ann", points=1, point_type="reputation", reason=v)),
    ("award.by", BAD_USER, lambda gk, v: gk.award("ann", points=1, point_type="reputation", reason="x", by=v)),
    ("revoke.level", JUNK, lambda gk, v: gk.revoke("ann", badge="answerer", level=v, reason="x")),
    ("revoke.badge", JUNK, lambda gk, v: gk.revoke("ann", badge=v, reason="x")),
    ("set_status.status", JUNK, lambda gk, v: gk.set_status("ann", v, reason="x")),
    ("set_status.reason", BAD_WORDS, lambda gk, v: gk.set_status("ann", "suspended", reason=v)),
    ("join.user", BAD_USER, lambda gk, v: gk.join(v)),
    ("join.name", BAD_WORDS, lambda gk, v: gk.join("cat", name=v)),
    ("join.occurred_at", BAD_MOMENT, lambda gk, v: gk.join("cat", occurred_at=v)),
    ("member", BAD_USER, lambda gk, v: gk.member(v)),
    ("balance.user", BAD_USER, lambda gk, v: gk.balance(v, "reputation")),
    ("balance.point_type", JUNK, lambda gk, v: gk.balance("ann", v)),
    ("balances", BAD_USER, lambda gk, v: gk.balances(v)),
    ("ledger.limit", BAD_LIMIT, lambda gk, v: gk.ledger("ann", limit=v)),
    ("ledger.before", st.one_of(BAD_TEXT, st.builds(object), st.just(1.5)), lambda gk, v: gk.ledger("ann", before=v)),
    ("ledger.point_type", JUNK, lambda gk, v: gk.ledger("ann", point_type=v)),
    ("badges", BAD_USER, lambda gk, v: gk.badges(v)),
    ("roles", BAD_USER, lambda gk, v: gk.roles(v)),
    ("has_permission", JUNK, lambda gk, v: gk.has_permission("ann", v)),
    ("progress", BAD_USER, lambda gk, v: gk.progress(v)),
    ("user_info", BAD_USER, lambda gk, v: gk.user_info(v)),
    ("leaderboard.point_type", JUNK, lambda gk, v: gk.leaderboard(v)),
    ("leaderboard.period", JUNK, lambda gk, v: gk.leaderboard("reputation", period=v)),
    ("leaderboard.limit", BAD_LIMIT, lambda gk, v: gk.leaderboard("reputation", limit=v)),
    ("leaderboard.around", BAD_USER, lambda gk, v: gk.leaderboard("reputation", around=v)),
    ("leaderboard.after", JUNK, lambda gk, v: gk.leaderboard("reputation", after=v)),
    ("notifications.user", BAD_USER, lambda gk, v: gk.notifications(v)),
    ("notifications.limit", BAD_LIMIT, lambda gk, v: gk.notifications("ann", limit=v)),
    ("notifications.unread", JUNK, lambda gk, v: gk.notifications("ann", unread=v)),
    ("unread_count", BAD_USER, lambda gk, v: gk.unread_count(v)),
    ("mark_read.up_to", JUNK, lambda gk, v: gk.mark_read("ann", up_to=v)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "values", "call"), CORE, ids=[c[0] for c in CORE])
def test_the_core_api_refuses_bad_arguments(
    seeded: GuildKit, name: str, values: st.SearchStrategy[Any], call: Callable[[GuildKit, Any], object]
) -> None:
    before = row_counts(seeded)

    @FUZZ
    @given(values)
    def check(value: Any) -> None:
        refuses(seeded, lambda: call(seeded, value), before)

    check()


def service_methods(gk: GuildKit) -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for service_name in sorted(gk.services()):
        service = getattr(gk, service_name)
        if inspect.isroutine(service):
            found.append((service_name, service))
            continue
        for name, method in inspect.getmembers(service, inspect.ismethod):
            if not name.startswith("_"):
                found.append((f"{service_name}.{name}", method))
    return found


def required(method: Callable[..., Any]) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(method).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.default is p.empty
    ]


def fuzz_with_junk(gk: GuildKit, method: Callable[..., Any], before: dict[str, int]) -> None:
    params = required(method)

    @FUZZ
    @given(st.tuples(*[JUNK for _ in params]))
    def check(values: tuple[Any, ...]) -> None:
        kwargs = {p.name: v for p, v in zip(params, values, strict=True) if p.kind is not p.POSITIONAL_ONLY}
        args = [v for p, v in zip(params, values, strict=True) if p.kind is p.POSITIONAL_ONLY]
        refuses(gk, lambda: method(*args, **kwargs), before)

    check()


def test_every_service_method_refuses_bad_arguments(seeded: GuildKit) -> None:
    before = row_counts(seeded)
    methods = [(name, m) for name, m in service_methods(seeded) if required(m)]
    assert len(methods) > 80  # every feature's service is reached
    failed = []
    for name, method in methods:
        try:
            fuzz_with_junk(seeded, method, before)
        except Exception as exc:  # collect every method's failure, then report them together
            seeded.session.rollback()
            failed.append(f"gk.{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    assert not failed, "\n".join(failed)
