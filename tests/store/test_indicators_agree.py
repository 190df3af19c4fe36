"""The SQL path and the reference path agree exactly, on random programmes, on SQLite and
PostgreSQL.

Hypothesis builds a random programme through the Store API (groups in and out of the
programme, members who join late or leave, cycles with random constitutions and officers,
meetings with and without attendance, loans repaid in part or not at all, write-offs,
reversed repayments, member exits, share-outs and next cycles, referrals, livelihood
supports and GAL sessions), then asks both paths for every report on random dates and
requires equal facts and equal reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import vsla
from tests.conftest import BACKENDS, fresh_store
from tests.strategies import constitutions
from vsla.domain.indicators import MembersPolicy
from vsla.reports import indicators as sql
from vsla.reports import reference as ref
from vsla.reports.indicators import Scope, SqlFacts
from vsla.reports.reference import MemoryFacts

T = TypeVar("T")

BASE = dt.date(2024, 1, 1)
DISTRICTS = ("Đắk Glei", "Kon Plông", "Sa Thầy")
ETHNICITIES = ("Xơ Đăng", "Ba Na", "")


def _day(draw: Any, low: dt.date, high: dt.date) -> dt.date:
    result: dt.date = draw(st.dates(min_value=low, max_value=max(low, high)))
    return result


def _try(action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Random operations are sometimes invalid on purpose; a refusal writes nothing."""
    try:
        return action(*args, **kwargs)
    except vsla.VslaError:
        return None


def _meeting(draw: Any, store: vsla.Store, cycle: vsla.Cycle, day: dt.date) -> vsla.MeetingInput:
    rules = cycle.constitution
    active = [m.id for m in store.members(cycle.group_id, active_on=day)]
    some = st.lists(st.sampled_from(active), unique=True) if active else st.just([])
    attendance: dict[int, vsla.Attendance] = {}
    if draw(st.integers(0, 5)):  # one meeting in six has no attendance taken
        for member_id in active:
            if draw(st.integers(0, 7)):  # now and then a member has no row: absent
                attendance[member_id] = draw(st.sampled_from(list(vsla.Attendance)))
    low, high = max(rules.min_shares_per_meeting, 0), rules.max_shares_per_meeting
    shares = {m: draw(st.integers(max(low, 1), high)) for m in draw(some)}
    unit = rules.social_fund_contribution
    contributions = dict.fromkeys(draw(some), unit) if unit else {}
    repayments = []
    for loan in store.loans(cycle.id):
        if not draw(st.integers(0, 2)):
            pos = store.loan_position(loan.id, day)
            if pos.settlement_amount > 0:
                amount = draw(
                    st.one_of(
                        st.just(pos.settlement_amount),
                        st.integers(1, pos.settlement_amount),
                    )
                )
                repayments.append(vsla.Repayment(loan_id=loan.id, amount=amount))
    loans = [
        vsla.LoanRequest(
            member_id=m,
            principal=draw(st.integers(1, 4)) * rules.share_value,
            term_months=draw(st.integers(1, rules.max_term_months)),
        )
        for m in draw(
            st.lists(st.sampled_from(active), unique=True, max_size=2) if active else st.just([])
        )
    ]
    fines = [
        vsla.FinePaid(member_id=m, fine="absence")
        for m in draw(
            st.lists(st.sampled_from(active), unique=True, max_size=1) if active else st.just([])
        )
    ]
    income = [vsla.Income(amount=draw(st.integers(1, 9)) * 1_000)] if draw(st.booleans()) else []
    expenses = (
        [vsla.Expense(amount=draw(st.integers(1, 9)) * 1_000)]
        if not draw(st.integers(0, 5))
        else []
    )
    return vsla.MeetingInput(
        date=day,
        attendance=attendance,
        social_fund_contributions=contributions,
        share_purchases=shares,
        fines=fines,
        other_income=income,
        expenses=expenses,
        repayments=repayments,
        loans=loans,
    )


def _run_cycle(draw: Any, store: vsla.Store, cycle: vsla.Cycle, n_meetings: int) -> dt.date:
    """Record random meetings and in-between operations; returns the last date used."""
    day = cycle.start_date
    for i in range(n_meetings):
        if i:
            day = day + dt.timedelta(days=draw(st.integers(7, 45)))
        if day > cycle.end_date:
            break
        meeting = _meeting(draw, store, cycle, day)
        if _try(store.record_meeting, cycle.id, meeting) is None:
            # try again without the parts most often refused
            plain = meeting.model_copy(update={"loans": [], "expenses": [], "repayments": []})
            _try(store.record_meeting, cycle.id, plain)
        if not draw(st.integers(0, 5)):
            later = day + dt.timedelta(days=draw(st.integers(0, 6)))
            operation = draw(st.sampled_from(["write_off", "reverse", "exit"]))
            if operation == "write_off":
                loans = store.loans(cycle.id)
                if loans:
                    loan = draw(st.sampled_from(loans))
                    _try(store.write_off, loan.id, on=later, reason="lost")
            elif operation == "reverse":
                entries = store.entries(cycle.id)
                reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
                payments = [
                    e
                    for e in entries
                    if e.kind
                    in (vsla.EntryKind.PRINCIPAL_REPAYMENT, vsla.EntryKind.INTEREST_PAYMENT)
                    and e.reverses_id is None
                    and e.id not in reversed_ids
                ]
                if payments:
                    entry = draw(st.sampled_from(payments))
                    _try(store.reverse_entry, entry.id, on=later, reason="mistake")
            else:
                active = store.members(cycle.group_id, active_on=later)
                if active:
                    who = draw(st.sampled_from(active))
                    _try(store.settle_member_exit, who.id, on=later)
            day = max(day, later)
    return day


def build_random_programme(draw: Any, store: vsla.Store) -> vsla.Programme:
    programme = store.add_programme(
        vsla.NewProgramme(
            name="Kon Tum – ngẫu nhiên",
            period_start=BASE,
            period_end=_day(draw, dt.date(2024, 6, 30), dt.date(2025, 3, 31)),
        )
    )
    for g in range(draw(st.integers(1, 4))):
        established = _day(draw, BASE, BASE + dt.timedelta(days=60))
        pilot = draw(
            st.one_of(st.none(), st.just(established), st.dates(BASE, dt.date(2024, 9, 30)))
        )
        group = store.add_group(
            vsla.NewGroup(
                code=f"KT-{g:02d}",
                name=f"Tổ {g}",
                programme_id=programme.id if draw(st.integers(0, 5)) else None,
                district=draw(st.sampled_from(DISTRICTS)),
                established_on=established,
                status=draw(
                    st.sampled_from(
                        [vsla.GroupStatus.ACTIVE] * 4
                        + [vsla.GroupStatus.DISSOLVED, vsla.GroupStatus.GRADUATED]
                    )
                ),
                gal_pilot_since=pilot,
            )
        )
        news = []
        for i in range(draw(st.integers(1, 6))):
            joined = draw(
                st.one_of(
                    st.just(established),
                    st.dates(established, established + dt.timedelta(days=120)),
                )
            )
            left = draw(
                st.one_of(st.none(), st.none(), st.dates(joined, joined + dt.timedelta(days=200)))
            )
            news.append(
                vsla.NewMember(
                    group_id=group.id,
                    full_name=f"Thành viên {g}-{i}",
                    sex=draw(st.sampled_from(list(vsla.Sex))),
                    ethnicity=draw(st.sampled_from(ETHNICITIES)),
                    joined_on=joined,
                    left_on=left,
                    exit_reason=vsla.ExitReason.MOVED if left else None,
                    gal_champion_since=draw(
                        st.one_of(st.none(), st.dates(joined, dt.date(2024, 12, 31)))
                    ),
                )
            )
        members = store.add_members(news)
        if not draw(st.integers(0, 5)):
            continue  # a group without a cycle
        rules = draw(constitutions())
        officers = {
            m.id: draw(st.sampled_from(list(vsla.OfficerRole)))
            for m in draw(st.lists(st.sampled_from(members), unique_by=lambda m: m.id, max_size=3))
        }
        cycle = store.start_cycle(
            group.id,
            start=established,
            end=established + dt.timedelta(days=draw(st.integers(120, 330))),
            constitution=rules,
            officers=officers,
        )
        last = _run_cycle(draw, store, cycle, draw(st.integers(0, 8)))
        if draw(st.integers(0, 2)) == 0:
            closing = last + dt.timedelta(days=draw(st.integers(0, 20)))
            if _try(store.share_out, cycle.id, on=closing) is not None and draw(st.booleans()):
                nxt = store.start_next_cycle(
                    cycle.id,
                    start=closing + dt.timedelta(days=draw(st.integers(0, 10))),
                    end=closing + dt.timedelta(days=200),
                )
                _run_cycle(draw, store, nxt, draw(st.integers(1, 4)))
        for m in (store.member(x.id) for x in members):  # fresh: exits set left_on
            # activity happens while the member is in the group: before the day they leave
            until = m.joined_on + dt.timedelta(days=300)
            if m.left_on is not None:
                if m.left_on <= m.joined_on:
                    continue
                until = min(until, m.left_on - dt.timedelta(days=1))
            if not draw(st.integers(0, 2)):
                referred = _day(draw, m.joined_on, until)
                outcome = draw(st.sampled_from(list(vsla.ReferralOutcome)))
                store.add_referral(
                    vsla.NewReferral(
                        member_id=m.id,
                        institution=draw(st.sampled_from(list(vsla.Institution))),
                        service="account",
                        referred_on=referred,
                        outcome=outcome,
                        outcome_on=None
                        if outcome is vsla.ReferralOutcome.PENDING
                        else _day(draw, referred, referred + dt.timedelta(days=90)),
                    )
                )
            for _ in range(draw(st.integers(0, 2))):
                store.add_livelihood_support(
                    vsla.NewLivelihoodSupport(
                        member_id=m.id,
                        kind=draw(st.sampled_from(list(vsla.SupportKind))),
                        received_on=_day(draw, m.joined_on, until),
                        value=draw(st.integers(0, 5)) * 100_000,
                    )
                )
        if pilot is not None:
            for _ in range(draw(st.integers(0, 3))):
                store.add_gal_session(
                    vsla.NewGalSession(
                        group_id=group.id,
                        held_on=_day(draw, pilot, pilot + dt.timedelta(days=200)),
                        tool=draw(st.sampled_from(list(vsla.GalTool))),
                        women=draw(st.integers(0, 20)),
                        men=draw(st.integers(0, 20)),
                        reached_by_peer_sharing=draw(st.integers(0, 50)),
                    )
                )
    return programme


def _check_agreement(store: vsla.Store, programme: vsla.Programme, days: list[dt.date]) -> None:
    pid = programme.id
    assert store.verify_loan_marks() == []
    for on in days:
        # the facts first (the clearer message), then every report
        scope = Scope(established_by=on)
        period = (programme.period_start, programme.period_end)
        memory = MemoryFacts(store)
        groups = memory.groups(scope)
        expected = (
            memory.group_facts(groups, on, scope),
            [memory.population(groups, on, scope, p, period) for p in MembersPolicy],
            memory.gal_activity(groups, on, scope),
            memory.money(groups, on, scope),
        )
        with store.engine.connect() as conn:
            facts = SqlFacts(conn)
            assert facts.groups(scope) == groups
            got = (
                facts.group_facts(groups, on, scope),
                [facts.population(groups, on, scope, p, period) for p in MembersPolicy],
                facts.gal_activity(groups, on, scope),
                facts.money(groups, on, scope),
            )
        assert got[0] == expected[0]
        assert got[1] == expected[1]
        assert got[2] == expected[2]
        # money: the SQL path reads the portfolio at risk from the stored loan marks, the
        # reference from each loan's whole history
        assert got[3] == expected[3]

        for par_days, represented in (((1, 30), True), ((0, 7, 31), False)):
            assert sql.group_indicators_all(
                store, on, par_days=par_days, represented_counts_as_present=represented
            ) == ref.group_indicators_all(
                store, on, par_days=par_days, represented_counts_as_present=represented
            )
        assert sql.group_indicators_all(store, on, programme_id=pid) == ref.group_indicators_all(
            store, on, programme_id=pid
        )
        for group in store.groups():
            assert sql.group_indicators(store, group.id, on) == ref.group_indicators(
                store, group.id, on
            )
        for policy in MembersPolicy:
            full = ref.programme_indicators(store, pid, on, members_policy=policy)
            assert sql.programme_indicators(store, pid, on, members_policy=policy) == full
            # the dashboard's path: summed per district by the database, same figures
            for wanted in (["district"], []):
                fast = sql.programme_indicators(
                    store, pid, on, members_policy=policy, breakdowns=wanted
                )
                assert fast == ref.programme_indicators(
                    store, pid, on, members_policy=policy, breakdowns=wanted
                )
                assert fast.by_district == (full.by_district if wanted else ())
                assert (fast.members, fast.groups_active) == (full.members, full.groups_active)
        for district in DISTRICTS[:2]:
            assert sql.programme_indicators(
                store, pid, on, district=district
            ) == ref.programme_indicators(store, pid, on, district=district)
        assert sql.gal_comparison(store, pid, on) == ref.gal_comparison(store, pid, on)
    assert sql.programme_time_series(store, pid) == ref.programme_time_series(store, pid)


def _label(store: vsla.Store, days: list[dt.date]) -> None:
    """Hypothesis statistics: which situations the random programmes reach."""
    for group in store.groups():
        for cycle in store.cycles(group.id):
            kinds = {e.kind for e in store.entries(cycle.id)}
            for kind in (
                vsla.EntryKind.WRITE_OFF,
                vsla.EntryKind.SHARE_OUT_PAYOUT,
                vsla.EntryKind.EXIT_PAYOUT,
            ):
                if kind in kinds:
                    event(f"entries: {kind.value}")
            if any(e.reverses_id is not None for e in store.entries(cycle.id)):
                event("entries: a reversal")
    for gi in sql.group_indicators_all(store, max(days)):
        if gi.par[30].numerator:
            event("PAR 30 > 0")
        if gi.par[1].numerator:
            event("PAR 1 > 0")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sql_path_equals_reference_path(backend: str) -> None:
    examples = 30 if backend == "sqlite" else 10

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        store = fresh_store(backend)
        try:
            programme = build_random_programme(data.draw, store)
            days = [_day(data.draw, dt.date(2023, 12, 1), dt.date(2025, 4, 30)) for _ in range(2)]
            meeting_days = sorted(
                {
                    r.date
                    for g in store.groups()
                    for c in store.cycles(g.id)
                    for r in store.meetings(c.id)
                }
            )
            if meeting_days:
                chosen = data.draw(st.sampled_from(meeting_days))
                days += [chosen, chosen + dt.timedelta(days=31)]
            _label(store, days)
            _check_agreement(store, programme, days)
        finally:
            store.close()

    check()
