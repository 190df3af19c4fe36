"""A Hypothesis state machine records random meetings, reversals, write-offs and a share-out
into a real store and checks, after every step:

- cash is conserved: each box equals the sum of the entries written for it, both as summed
  by SQL and as tracked step by step in this test from the records the store returned;
- no box is ever negative, no loan's principal outstanding is negative;
- a refused operation raises a VslaError and leaves every table exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import vsla
from tests.conftest import POSTGRES_URL, fresh_store, snapshot
from tests.strategies import constitutions, meetings

START = dt.date(2024, 1, 1)


class LedgerMachine(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.store = fresh_store(self.backend)
        self.day = START
        self.loan_fund = 0
        self.social_fund = 0
        self.closed = False
        self.recorded = 0

    def teardown(self) -> None:
        self.store.close()

    @initialize(constitution=constitutions(), size=st.integers(2, 6))
    def open_group(self, constitution: vsla.Constitution, size: int) -> None:
        self.constitution = constitution
        group = self.store.add_group(
            vsla.NewGroup(code="G1", name="Tổ thôn Kon Brông", established_on=START)
        )
        members = self.store.add_members(
            [
                vsla.NewMember(
                    group_id=group.id,
                    full_name=f"Y Thành {i}",
                    sex=vsla.Sex.FEMALE,
                    joined_on=START,
                )
                for i in range(size)
            ]
        )
        self.member_ids = [m.id for m in members]
        self.cycle = self.store.start_cycle(
            group.id, start=START, end=START + dt.timedelta(days=364), constitution=constitution
        )

    def _attempt(self, action: Any) -> Any:
        before = snapshot(self.store)
        try:
            done = action()
        except vsla.VslaError as error:
            event(f"refused: {type(error).__name__}")
            assert snapshot(self.store) == before, "a refused operation wrote something"
            return None
        event(f"done: {type(done).__name__}")
        return done

    def _count(self, entries: Any) -> None:
        for e in entries:
            self.loan_fund += e.loan_fund_delta
            self.social_fund += e.social_fund_delta

    @rule(data=st.data(), gap=st.integers(1, 21))
    def record_meeting(self, data: st.DataObject, gap: int) -> None:
        loan_ids = [loan.id for loan in self.store.loans(self.cycle.id)]
        kwargs = data.draw(meetings(self.member_ids, loan_ids, self.constitution))
        day = self.day + dt.timedelta(days=gap)
        record = self._attempt(
            lambda: self.store.record_meeting(self.cycle.id, vsla.MeetingInput(date=day, **kwargs))
        )
        if record is not None:
            self.day = day
            self.recorded += 1
            self._count(record.entries)

    @rule(data=st.data())
    def reverse_an_entry(self, data: st.DataObject) -> None:
        entries = self.store.entries(self.cycle.id)
        if not entries:
            return
        target = data.draw(st.sampled_from(entries))
        reversal = self._attempt(
            lambda: self.store.reverse_entry(target.id, on=self.day, reason="test")
        )
        if reversal is not None:
            # reverse_entry returns the target's reversing entry; a reversal also undoes what
            # came with the target (a loan's upfront interest, the other part of a
            # repayment), written as further entries: count every entry it wrote
            known = max(e.id for e in entries)
            self._count(e for e in self.store.entries(self.cycle.id) if e.id > known)

    @rule(data=st.data())
    def write_off_a_loan(self, data: st.DataObject) -> None:
        loans = self.store.loans(self.cycle.id)
        if not loans:
            return
        loan = data.draw(st.sampled_from(loans))
        entry = self._attempt(lambda: self.store.write_off(loan.id, on=self.day, reason="test"))
        if entry is not None:
            self._count([entry])

    @precondition(lambda self: self.recorded >= 4 and not self.closed)
    @rule()
    def share_out(self) -> None:
        before = self.store.balances(self.cycle.id)
        result = self._attempt(lambda: self.store.share_out(self.cycle.id, on=self.day))
        if result is None:
            return
        self.closed = True
        after = self.store.balances(self.cycle.id)
        assert result.total_payout + result.remainder == result.distributable
        assert self.store.share_out_result(self.cycle.id) == result
        moved = after.social_fund_cash - before.social_fund_cash
        assert after.loan_fund_cash == result.remainder - moved
        self.loan_fund, self.social_fund = after.loan_fund_cash, after.social_fund_cash
        with pytest.raises(vsla.CycleClosed):
            self.store.record_meeting(
                self.cycle.id, vsla.MeetingInput(date=self.day + dt.timedelta(days=7))
            )

    @invariant()
    def cash_is_conserved_and_never_negative(self) -> None:
        if not hasattr(self, "cycle"):
            return
        sql = self.store.balances(self.cycle.id)
        memory = vsla.balances_from_entries(
            self.store.entries(self.cycle.id), self.constitution.share_value
        )
        assert sql == memory
        assert (sql.loan_fund_cash, sql.social_fund_cash) == (self.loan_fund, self.social_fund)
        assert sql.loan_fund_cash >= 0
        assert sql.social_fund_cash >= 0
        assert sql.loans_outstanding >= 0
        members = self.store.member_balances(self.cycle.id)
        assert sum(m.savings for m in members) == sql.savings
        assert all(m.principal_outstanding >= 0 for m in members)
        assert sum(m.principal_outstanding for m in members) == sql.loans_outstanding

    @invariant()
    def the_loan_marks_are_the_ledgers(self) -> None:
        """After every step, each loan's stored arrears marks equal a recomputation from its
        entries (what the portfolio at risk of the reports is read from)."""
        assert self.store.verify_loan_marks() == []


LedgerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerSQLite = LedgerMachine.TestCase


class PostgresLedgerMachine(LedgerMachine):
    backend = "postgresql"


PostgresLedgerMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerPostgreSQL = pytest.mark.skipif(
    not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set"
)(pytest.mark.postgres(PostgresLedgerMachine.TestCase))
