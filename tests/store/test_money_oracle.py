"""The programme's money, worked out from the raw tables a second way, on a generated
programme with corrections, on SQLite and PostgreSQL.

``test_programme_money.py`` checks the figures on a hand-built programme; the Hypothesis
tests there hold the SQL path and the reference path equal. Both paths share the library's
definitions (the kinds' signs, the running cycle, the loan arithmetic), so here the figures
are worked out again with none of them: from the rows of ``groups``, ``cycles``, ``loans``
and ``entries`` as SQL returns them, the box signs written out from docs/meetings.md, the
running cycle and the sums from docs/indicators.md, and each loan's arrears by the oracle of
``tests/unit/test_arrears_oracle.py`` (written from docs/loans.md). The programme is the
demo's (:func:`vsla.demo.generate`, four groups), then corrected the way a treasurer would at
each group's last meeting: repayments, disbursements and share purchases reversed (some
refused by the rules, which is fine), loans written off; the groups shared out then start
their next cycle. Its seed gives both sexes, several ethnicities and GAL pilots beside other
groups, so every breakdown has more than one line to get wrong.

The figures are checked by district, group, sex, ethnicity and GAL status on the programme
report (sums, and each ratio's numerator and denominator), and on each group's own lines by
sex and ethnicity (``group_indicators``, read by other queries than the programme's).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

import vsla
from tests.conftest import BACKENDS, fresh_store
from tests.unit.test_arrears_oracle import Move, oracle
from vsla.demo import generate
from vsla.domain.ledger import EntryKind
from vsla.errors import VslaError
from vsla.reports import programme_indicators
from vsla.store import tables as t

# how each kind moves the boxes (docs/meetings.md), written out again; kinds not named
# leave the box alone
LOAN_FUND = {"opening_loan_fund": 1, "share_purchase": 1, "fine": 1, "other_income": 1,
             "expense": -1, "loan_disbursement": -1, "principal_repayment": 1,
             "interest_payment": 1, "share_out_payout": -1, "exit_payout": -1,
             "transfer_to_social_fund": -1}  # fmt: skip
SOCIAL_FUND = {"opening_social_fund": 1, "social_contribution": 1, "social_grant": -1,
               "transfer_to_social_fund": 1}  # fmt: skip
FIGURES = ("members_saving", "savings", "share_out_payouts", "loan_fund_cash",
           "social_fund_cash", "interest_earned", "fines_earned", "net_income",
           "loans_active", "loans_outstanding", "at_risk_1", "at_risk_30")  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def corrected(request: pytest.FixtureRequest) -> Iterator[tuple[vsla.Store, dt.date, int]]:
    """The store, the last day of its data, and how many corrections it took."""
    store = fresh_store(request.param)
    summary = generate(store, groups=4, seed=5, weekly=True)
    rnd = random.Random(3)
    with store.connection() as conn:
        m = t.meetings.c
        last = dict(conn.execute(select(m.cycle_id, func.max(m.date)).group_by(m.cycle_id)).all())
        shared_out = t.cycles.c.shared_out_on
        open_cycles = set(conn.execute(select(t.cycles.c.id).where(shared_out.is_(None))).scalars())
        e = t.entries.c
        reversible = ["interest_payment", "principal_repayment", "loan_disbursement"]
        candidates = list(
            conn.execute(
                select(e.id, e.cycle_id)
                .where(e.loan_id.is_not(None), e.reverses_id.is_(None), e.kind.in_(reversible))
                .order_by(e.id)
            )
        )
        loans = list(conn.execute(select(t.loans.c.id, t.loans.c.cycle_id).order_by(t.loans.c.id)))
        purchases = list(
            conn.execute(
                select(e.id, e.cycle_id)
                .where(e.kind == "share_purchase", e.reverses_id.is_(None))
                .order_by(e.id)
            )
        )
    done = 0
    # share purchases and loan entries entered twice, reversed at the cycle's last meeting
    # (the purchases first: once repayments are reversed the loan fund may be too low)
    chosen = rnd.sample(candidates, min(150, len(candidates)))
    for entry_id, cycle_id in rnd.sample(purchases, min(60, len(purchases))) + chosen:
        if cycle_id in open_cycles:
            try:
                store.reverse_entry(entry_id, on=last[cycle_id], reason="entered twice")
                done += 1
            except VslaError:  # a box would go below zero, the loan has later moves, ...
                pass
    for loan_id, cycle_id in rnd.sample(loans, min(40, len(loans))):
        if cycle_id in open_cycles:
            try:
                store.write_off(loan_id, on=last[cycle_id], reason="member moved away")
                done += 1
            except VslaError:  # nothing owed
                pass
    _late_joiners(store, summary.as_of, open_cycles)
    done += _second_cycles(store, summary.as_of, rnd)
    yield store, summary.as_of, done
    store.close()


def _late_joiners(store: vsla.Store, last: dt.date, open_cycles: set[int]) -> None:
    """Two members join each group whose cycle is still open, halfway through it, and buy
    nothing (so they are expected at meetings they have no attendance at: absent); one of
    them leaves again on ``last``. The dropout rate then has a late joiner who left."""
    for group in store.groups():
        cycle = store.cycles(group.id)[-1]
        if cycle.id not in open_cycles:
            continue
        joined = cycle.start_date + (last - cycle.start_date) / 2
        _stays, leaves = store.add_members(
            [
                vsla.NewMember(group_id=group.id, full_name=name, sex=sex,
                               ethnicity="Xơ Đăng", joined_on=joined)
                for name, sex in (("Y Hnă", "F"), ("A Tuấn", "M"))
            ]
        )  # fmt: skip
        store.settle_member_exit(leaves.id, on=last, reason=vsla.ExitReason.MOVED)


def _second_cycles(store: vsla.Store, last: dt.date, rnd: random.Random) -> int:
    """Each group shared out starts its next cycle a week later and meets weekly up to
    ``last``: present members buy one share at the first meeting and two at each other one;
    someone borrows at the second. At ``last`` a few of the first meeting's purchases are
    reversed (entered twice), so they stop counting at the meeting they were made, and in
    the first such group an officer leaves. The reports then read a running cycle that is
    not a group's first, and the readiness its previous cycle. Returns the reversals
    made."""
    reversed_, left = 0, False
    for group in store.groups():
        cycles = store.cycles(group.id)
        previous = cycles[-1]
        if previous.shared_out_on is None:
            continue
        start = previous.shared_out_on + dt.timedelta(days=7)
        if start > last:
            continue
        members = [m.id for m in store.members(group.id) if m.left_on is None]
        officers = {m: roles for m, roles in previous.officers.items() if m in members}
        cycle = store.start_next_cycle(
            previous.id, start=start, end=start + dt.timedelta(days=364), officers=officers
        )
        day, first, number = start, [], 0
        while day <= last:
            present = [m for m in members if rnd.randrange(10) > 0]
            loans = []
            if number == 1:
                loans = [vsla.LoanRequest(member_id=present[0], principal=50_000, term_months=1)]
            record = store.record_meeting(
                cycle.id,
                vsla.MeetingInput(
                    date=day,
                    attendance={m: "present" if m in present else "absent" for m in members},
                    share_purchases=dict.fromkeys(present, 1 if number == 0 else 2),
                    loans=loans,
                ),
            )
            if number == 0:
                first = [e.id for e in record.entries if e.kind is EntryKind.SHARE_PURCHASE]
            day += dt.timedelta(days=7)
            number += 1
        for entry_id in rnd.sample(first, min(3, len(first))):
            store.reverse_entry(entry_id, on=day - dt.timedelta(days=7), reason="entered twice")
            reversed_ += 1
        if not left:  # an officer of the first such group leaves at its last meeting
            borrowers = {loan.member_id for loan in store.loans(cycle.id)}
            leaving = min(m for m in officers if m not in borrowers)
            store.settle_member_exit(leaving, on=day - dt.timedelta(days=7))
            left = True
    return reversed_


# the tables the oracles read, by the names they use
TABLES = {"programmes": t.programmes, "groups": t.groups, "members": t.members,
          "cycles": t.cycles, "officers": t.officers, "meetings": t.meetings,
          "attendance": t.attendance, "loans": t.loans, "entries": t.entries,
          "referrals": t.referrals, "supports": t.livelihood_supports,
          "sessions": t.gal_sessions}  # fmt: skip


def raw_rows(store: vsla.Store) -> dict[str, list[Any]]:
    """Every row of :data:`TABLES` as SQL returns it, and each loan entry as a move."""
    with store.connection() as conn:
        original = t.entries.alias("original")
        e, o = t.entries.c, original.c
        return {
            **{name: list(conn.execute(select(table))) for name, table in TABLES.items()},
            # a loan entry: when recorded, when effective (a reversal: its entry's date)
            "moves": list(
                conn.execute(
                    select(e.loan_id, e.date, func.coalesce(o.date, e.date), e.kind, e.amount)
                    .select_from(t.entries.outerjoin(original, e.reverses_id == o.id))
                    .where(e.loan_id.is_not(None))
                )
            ),
        }


def active(member: Any, day: dt.date) -> bool:
    """A member is active from the day they join until the day before they leave."""
    return bool(member.joined_on <= day and (member.left_on is None or member.left_on > day))


def reached(rows: dict[str, list[Any]], on: dt.date) -> tuple[set[int], set[int], set[int]]:
    """The members referred, linked (a referral accessed) and supported on or before
    ``on``."""
    referred = {r.member_id for r in rows["referrals"] if r.referred_on <= on}
    linked = {
        r.member_id
        for r in rows["referrals"]
        if r.outcome == "accessed" and r.outcome_on is not None and r.outcome_on <= on
    }
    supported = {s.member_id for s in rows["supports"] if s.received_on <= on}
    return referred, linked, supported


def loan_moves(rows: dict[str, list[Any]]) -> dict[int, list[Move]]:
    """Each loan's moves as the arrears oracle reads them, from :func:`raw_rows`."""
    moves: dict[int, list[Move]] = defaultdict(list)
    for loan_id, recorded, effective, kind, amount in rows["moves"]:
        moves[loan_id].append((recorded, effective, EntryKind(kind), int(amount)))
    return moves


def loan_risk(loan: Any, moves: list[Move], on: dt.date) -> tuple[int, int] | None:
    """(days overdue, principal outstanding) of a row of ``loans`` on ``on``, by the
    arrears oracle; ``None`` when it owes no principal."""
    return oracle(
        loan.principal,
        Decimal(loan.interest_rate),
        loan.term_months,
        loan.method,
        loan.principal_schedule,
        moves,
        on,
        disbursed_on=loan.disbursed_on,
    )


# the figures that belong to a group, not to its members: None on the lines by sex and
# ethnicity (docs/indicators.md, "The programme's money")
GROUP_FIGURES = ("loan_fund_cash", "social_fund_cash", "interest_earned", "fines_earned",
                 "net_income")  # fmt: skip
SPLITS_GROUPS = {"district": True, "group": True, "gal_status": True, "sex": False,
                 "ethnicity": False, "group_sex": False, "group_ethnicity": False}  # fmt: skip


def line_key(dimension: str, group: Any, member: Any, on: dt.date) -> str:
    if dimension == "district":
        return str(group.district)
    if dimension == "group":
        return str(group.code)
    if dimension.startswith("group_"):  # a group's own line by sex or ethnicity
        return f"{group.code} {line_key(dimension.removeprefix('group_'), group, member, on)}"
    if dimension == "gal_status":
        pilot = group.gal_pilot_since is not None and group.gal_pilot_since <= on
        return "pilot" if pilot else "other"
    return str(member.sex if dimension == "sex" else member.ethnicity)


def _expected(
    rows: dict[str, list[Any]], on: dt.date, dimension: str = "district"
) -> dict[str, dict[str, int | None]]:
    """Each line's figures on ``on``, from the rows alone: the money of ``FIGURES`` and the
    line's members active on ``on`` (the denominator of savings per member)."""
    moves = loan_moves(rows)
    entries = defaultdict(list)
    for entry in rows["entries"]:
        if entry.date <= on:
            entries[entry.cycle_id].append(entry)
    members = {m.id: m for m in rows["members"]}
    splits = SPLITS_GROUPS[dimension]
    out: dict[str, dict[str, int | None]] = {}

    def line(group: Any, member_id: int | None) -> dict[str, int | None]:
        key = line_key(dimension, group, members.get(member_id or 0), on)
        if key not in out:
            out[key] = dict.fromkeys((*FIGURES, "members"), 0)
            if not splits:
                out[key].update(dict.fromkeys(GROUP_FIGURES, None))
        return out[key]

    def add(figures: dict[str, int | None], name: str, amount: int) -> None:
        figures[name] = (figures[name] or 0) + amount

    for group in rows["groups"]:
        if group.established_on > on:
            continue
        for m in rows["members"]:
            if m.group_id == group.id and active(m, on):
                add(line(group, m.id), "members", 1)
        cycles = [c for c in rows["cycles"] if c.group_id == group.id and c.start_date <= on]
        if not cycles:
            continue
        running = max(cycles, key=lambda c: c.start_date)
        mine = entries[running.id]
        # the running cycle's payouts, once shared out by then, to whom they went (a cycle
        # shared out before leaves the figures when the next one starts, as its savings do)
        if running.shared_out_on is not None and running.shared_out_on <= on:
            for x in mine:
                if x.kind == "share_out_payout":
                    assert x.member_id is not None
                    add(line(group, x.member_id), "share_out_payouts", x.amount)
        shares: dict[int, int] = defaultdict(int)
        for x in mine:
            if x.member_id is not None:
                shares[x.member_id] += x.shares
        for member_id, n in shares.items():
            add(line(group, member_id), "members_saving", 1 if n > 0 else 0)
            add(line(group, member_id), "savings", n * running.share_value)
        if splits:
            paid: dict[str, int] = defaultdict(int)
            for x in mine:
                paid[x.kind] += x.amount
            figures = line(group, None)
            for name, signs in (("loan_fund_cash", LOAN_FUND), ("social_fund_cash", SOCIAL_FUND)):
                add(figures, name, sum(signs.get(k, 0) * a for k, a in paid.items()))
            add(figures, "interest_earned", paid["interest_payment"])
            add(figures, "fines_earned", paid["fine"])
            add(
                figures,
                "net_income",
                paid["interest_payment"] + paid["fine"] + paid["other_income"]
                - paid["expense"] - paid["write_off"],
            )  # fmt: skip
        for loan in rows["loans"]:
            if loan.cycle_id != running.id:
                continue
            assert loan.disbursed_on == min(m[1] for m in moves[loan.id])
            risk = loan_risk(loan, moves[loan.id], on)
            if risk is not None:
                days, owed = risk
                figures = line(group, loan.member_id)
                add(figures, "loans_active", 1)
                add(figures, "loans_outstanding", owed)
                add(figures, "at_risk_1", owed if days > 1 else 0)
                add(figures, "at_risk_30", owed if days > 30 else 0)
    return out


# each ratio of a line: (numerator, denominator) from its sums (docs/indicators.md)
RATIOS: dict[str, Callable[[Mapping[str, Any]], tuple[int, int]]] = {
    "savings_per_member": lambda f: (f["savings"], f["members"]),
    "par_1": lambda f: (f["at_risk_1"], f["loans_outstanding"]),
    "par_30": lambda f: (f["at_risk_30"], f["loans_outstanding"]),
    "loan_fund_utilization": lambda f: (
        f["loans_outstanding"], f["loans_outstanding"] + f["loan_fund_cash"]
    ),
    "return_on_savings": lambda f: (f["net_income"], f["savings"]),
}  # fmt: skip


def _line_figures(line: Any) -> dict[str, Any]:
    """A report line's sums, and each ratio as (numerator, denominator) or None."""
    got: dict[str, Any] = {k: getattr(line, k) for k in (*FIGURES, "members")}
    for name in RATIOS:
        ratio = getattr(line, name)
        got[name] = None if ratio is None else (ratio.numerator, ratio.denominator)
    return got


def _with_ratios(figures: dict[str, int | None]) -> dict[str, Any]:
    out: dict[str, Any] = dict(figures)
    for name, parts in RATIOS.items():
        group_figure = name in ("loan_fund_utilization", "return_on_savings")
        out[name] = None if group_figure and figures["net_income"] is None else parts(figures)
    return out


def test_the_corrected_programme_took_corrections(
    corrected: tuple[vsla.Store, dt.date, int],
) -> None:
    store, _, done = corrected
    assert done >= 20  # otherwise the test below would check a programme without them
    assert store.verify_loan_marks() == []


@pytest.mark.parametrize("days_back", [400, 300, 200, 100, 45, 0])
def test_money_by_district_agrees_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], days_back: int
) -> None:
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    expected = _expected(raw_rows(store), on)
    report = programme_indicators(store, 1, on, breakdowns=["district"])
    got = {line.label: _line_figures(line) for line in report.by_district}
    assert got == {k: _with_ratios(v) for k, v in expected.items()}
    assert {k: getattr(report, k) for k in FIGURES} == {
        k: sum(d[k] or 0 for d in expected.values()) for k in FIGURES
    }


@pytest.mark.parametrize("dimension", ["group", "sex", "ethnicity", "gal_status"])
@pytest.mark.parametrize("days_back", [300, 45, 0])
def test_money_by_group_sex_ethnicity_and_gal_status_agrees_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], dimension: str, days_back: int
) -> None:
    """Savings, payouts and loans go to the line of the member who holds them (the
    borrower's, for a loan); the boxes, income and their ratios only to lines that split
    groups (GAL status), never to a sex or an ethnicity. A line with nothing in it may be
    shown (both sexes always are): all its figures are then zero."""
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    expected = _expected(raw_rows(store), on, dimension)
    assert len(expected) >= 2  # both sides of the breakdown have members here
    report = programme_indicators(store, 1, on, breakdowns=[dimension])
    lines = {"group": report.by_group, "sex": report.by_sex, "ethnicity": report.by_ethnicity,
             "gal_status": report.by_gal_status}[dimension]  # fmt: skip
    got = {line.key: _line_figures(line) for line in lines}
    empty: dict[str, int | None] = dict.fromkeys((*FIGURES, "members"), 0)
    if not SPLITS_GROUPS[dimension]:
        empty.update(dict.fromkeys(GROUP_FIGURES, None))
    assert got == {k: _with_ratios(expected.get(k, empty)) for k in got}
    assert set(expected) <= set(got)


@pytest.mark.parametrize("dimension", ["sex", "ethnicity"])
@pytest.mark.parametrize("days_back", [300, 0])
def test_each_groups_lines_by_sex_and_ethnicity_agree_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], dimension: str, days_back: int
) -> None:
    """``group_indicators``' own lines by sex and ethnicity: members, savings, loans
    outstanding and the portfolio at risk of each, as the programme's lines count them."""
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    expected = _expected(raw_rows(store), on, f"group_{dimension}")
    got: dict[str, dict[str, Any]] = {}
    for group in store.groups():
        if group.established_on > on:
            continue
        report = vsla.group_indicators(store, group.id, on)
        for line in report.by_sex if dimension == "sex" else report.by_ethnicity:
            got[f"{group.code} {line.key}"] = {
                "members": line.members,
                "savings": line.savings,
                "loans_outstanding": line.loans_outstanding,
                "par_1": (line.par[1].numerator, line.par[1].denominator),
                "par_30": (line.par[30].numerator, line.par[30].denominator),
            }
    want = {
        key: {
            "members": f["members"],
            "savings": f["savings"],
            "loans_outstanding": f["loans_outstanding"],
            "par_1": (f["at_risk_1"], f["loans_outstanding"]),
            "par_30": (f["at_risk_30"], f["loans_outstanding"]),
        }
        for key, f in expected.items()
    }
    empty = {"members": 0, "savings": 0, "loans_outstanding": 0, "par_1": (0, 0),
             "par_30": (0, 0)}  # fmt: skip
    assert got == {key: want.get(key, empty) for key in got}
    assert set(want) <= set(got)
    assert sum(f["at_risk_1"] or 0 for f in expected.values()) > 0  # some loans are late
