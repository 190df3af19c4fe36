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
each group's last meeting: repayments and disbursements reversed (some refused by the
rules, which is fine), loans written off.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
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
    summary = generate(store, groups=4, seed=3, weekly=True)
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
    done = 0
    for entry_id, cycle_id in rnd.sample(candidates, min(150, len(candidates))):
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
    yield store, summary.as_of, done
    store.close()


def _rows(store: vsla.Store) -> dict[str, list[Any]]:
    with store.connection() as conn:
        original = t.entries.alias("original")
        e, o = t.entries.c, original.c
        return {
            "groups": list(conn.execute(select(t.groups))),
            "cycles": list(conn.execute(select(t.cycles))),
            "loans": list(conn.execute(select(t.loans))),
            "entries": list(conn.execute(select(t.entries))),
            # a loan entry: when recorded, when effective (a reversal: its entry's date)
            "moves": list(
                conn.execute(
                    select(e.loan_id, e.date, func.coalesce(o.date, e.date), e.kind, e.amount)
                    .select_from(t.entries.outerjoin(original, e.reverses_id == o.id))
                    .where(e.loan_id.is_not(None))
                )
            ),
        }


def _expected(rows: dict[str, list[Any]], on: dt.date) -> dict[str, dict[str, int]]:
    """Each district's figures on ``on``, from the rows alone."""
    moves: dict[int, list[Move]] = defaultdict(list)
    for loan_id, recorded, effective, kind, amount in rows["moves"]:
        moves[loan_id].append((recorded, effective, EntryKind(kind), int(amount)))
    entries = defaultdict(list)
    for entry in rows["entries"]:
        if entry.date <= on:
            entries[entry.cycle_id].append(entry)
    out: dict[str, dict[str, int]] = {}
    for group in rows["groups"]:
        if group.established_on > on:
            continue
        figures = out.setdefault(group.district, dict.fromkeys(FIGURES, 0))
        cycles = [c for c in rows["cycles"] if c.group_id == group.id and c.start_date <= on]
        for c in cycles:  # payouts of every cycle shared out by then
            if c.shared_out_on is not None and c.shared_out_on <= on:
                figures["share_out_payouts"] += sum(
                    x.amount for x in entries[c.id] if x.kind == "share_out_payout"
                )
        if not cycles:
            continue
        running = max(cycles, key=lambda c: c.start_date)
        mine = entries[running.id]
        shares: dict[int, int] = defaultdict(int)
        for x in mine:
            if x.member_id is not None:
                shares[x.member_id] += x.shares
        paid: dict[str, int] = defaultdict(int)
        for x in mine:
            paid[x.kind] += x.amount
        figures["members_saving"] += sum(1 for n in shares.values() if n > 0)
        figures["savings"] += sum(shares.values()) * running.share_value
        figures["loan_fund_cash"] += sum(LOAN_FUND.get(k, 0) * a for k, a in paid.items())
        figures["social_fund_cash"] += sum(SOCIAL_FUND.get(k, 0) * a for k, a in paid.items())
        figures["interest_earned"] += paid["interest_payment"]
        figures["fines_earned"] += paid["fine"]
        figures["net_income"] += (
            paid["interest_payment"] + paid["fine"] + paid["other_income"]
            - paid["expense"] - paid["write_off"]
        )  # fmt: skip
        for loan in rows["loans"]:
            if loan.cycle_id != running.id:
                continue
            assert loan.disbursed_on == min(m[1] for m in moves[loan.id])
            risk = oracle(
                loan.principal,
                Decimal(loan.interest_rate),
                loan.term_months,
                loan.method,
                loan.principal_schedule,
                moves[loan.id],
                on,
                disbursed_on=loan.disbursed_on,
            )
            if risk is not None:
                days, owed = risk
                figures["loans_active"] += 1
                figures["loans_outstanding"] += owed
                figures["at_risk_1"] += owed if days > 1 else 0
                figures["at_risk_30"] += owed if days > 30 else 0
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
    expected = _expected(_rows(store), on)
    report = programme_indicators(store, 1, on, breakdowns=["district"])
    got = {line.label: {k: getattr(line, k) for k in FIGURES} for line in report.by_district}
    assert got == expected
    assert {k: getattr(report, k) for k in FIGURES} == {
        k: sum(d[k] for d in expected.values()) for k in FIGURES
    }
