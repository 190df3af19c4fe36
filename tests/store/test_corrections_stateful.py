"""A Hypothesis state machine that tries every correction, in any order, on a real store.

It interleaves meetings (mostly valid, now and then invalid on purpose), loans repaid in
full, reversals of *any* entry, write-offs, member exits, share-outs, next cycles, nested
``store.transaction()`` blocks that raise, and export → import into a fresh database. After
every step, for every cycle of the group:

- the balances summed by SQL equal the balances of the entries held in memory;
- neither box is below zero on any date that has entries (the balance history);
- no member holds a negative number of shares;
- every live loan's principal repaid + written off is at most its principal, and the
  cycle's loans outstanding equal the sum of the live loans' principal outstanding (≥ 0),
  today and on a past date;
- a refused call raised a VslaError and left every table identical;
- an exported and re-imported copy gives the same balances, entries and group indicators.

The number of examples is set for CI at the bottom (docs/reliability.md gives it).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import vsla
from tests.conftest import POSTGRES_URL, fresh_store, snapshot
from tests.strategies import constitutions, meetings
from vsla.io import export_programme, import_file
from vsla.reports import group_indicators

START = dt.date(2024, 1, 1)


class CorrectionsMachine(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.store = fresh_store(self.backend)
        self.day = START
        self.recorded = 0
        self.exited: set[int] = set()
        self.cycles: list[vsla.Cycle] = []

    def teardown(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ set-up and helpers

    @initialize(constitution=constitutions(), size=st.integers(2, 5))
    def open_group(self, constitution: vsla.Constitution, size: int) -> None:
        self.constitution = constitution
        self.group = self.store.add_group(
            vsla.NewGroup(code="G1", name="Tổ thôn Kon Brông", established_on=START)
        )
        members = self.store.add_members(
            [
                vsla.NewMember(
                    group_id=self.group.id,
                    full_name=f"Y Thành {i}",
                    sex=vsla.Sex.FEMALE if i % 2 else vsla.Sex.MALE,
                    joined_on=START,
                )
                for i in range(size)
            ]
        )
        self.member_ids = [m.id for m in members]
        self.cycles.append(
            self.store.start_cycle(
                self.group.id,
                start=START,
                end=START + dt.timedelta(days=364),
                constitution=constitution,
            )
        )

    @property
    def cycle(self) -> vsla.Cycle:
        return self.cycles[-1]

    @property
    def open(self) -> bool:
        return self.store.cycle(self.cycle.id).shared_out_on is None

    def active(self) -> list[int]:
        return [m for m in self.member_ids if m not in self.exited]

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

    def _meeting(self, day: dt.date, **kwargs: Any) -> vsla.MeetingRecord | None:
        record = self._attempt(
            lambda: self.store.record_meeting(self.cycle.id, vsla.MeetingInput(date=day, **kwargs))
        )
        if record is not None:
            self.day = day
            self.recorded += 1
        return record  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ rules

    @precondition(lambda self: self.open)
    @rule(data=st.data(), gap=st.integers(1, 21))
    def record_meeting(self, data: st.DataObject, gap: int) -> None:
        members = self.active()
        if not members:
            return
        loan_ids = [loan.id for loan in self.store.loans(self.cycle.id, include_cancelled=False)]
        kwargs = data.draw(meetings(members, loan_ids, self.constitution))
        self._meeting(self.day + dt.timedelta(days=gap), **kwargs)

    @precondition(lambda self: self.open)
    @rule(data=st.data(), gap=st.integers(1, 45))
    def repay_a_loan_in_full(self, data: st.DataObject, gap: int) -> None:
        day = self.day + dt.timedelta(days=gap)
        owing = [
            (loan, pos)
            for loan in self.store.loans(self.cycle.id, include_cancelled=False)
            if loan.member_id not in self.exited
            and not (pos := self.store.loan_position(loan.id, day)).settled
        ]
        if not owing:
            return
        loan, pos = data.draw(st.sampled_from(owing))
        self._meeting(
            day, repayments=[vsla.Repayment(loan_id=loan.id, amount=pos.settlement_amount)]
        )

    @precondition(lambda self: self.open)
    @rule(data=st.data(), later=st.integers(0, 3))
    def reverse_any_entry(self, data: st.DataObject, later: int) -> None:
        entries = self.store.entries(self.cycle.id)
        if not entries:
            return
        target = data.draw(st.sampled_from(entries))
        on = self.day + dt.timedelta(days=later)
        if self._attempt(lambda: self.store.reverse_entry(target.id, on=on, reason="typo")):
            self.day = on

    @precondition(lambda self: self.open)
    @rule(data=st.data(), later=st.integers(0, 40))
    def write_off_a_loan(self, data: st.DataObject, later: int) -> None:
        loans = self.store.loans(self.cycle.id, include_cancelled=False)
        if not loans:
            return
        loan = data.draw(st.sampled_from(loans))
        on = self.day + dt.timedelta(days=later)
        if self._attempt(lambda: self.store.write_off(loan.id, on=on, reason="moved away")):
            self.day = on

    @precondition(lambda self: self.open)
    @rule(data=st.data(), later=st.integers(0, 10))
    def a_member_leaves(self, data: st.DataObject, later: int) -> None:
        members = self.active()
        if len(members) < 2:
            return
        member_id = data.draw(st.sampled_from(members))
        on = self.day + dt.timedelta(days=later)
        if self._attempt(lambda: self.store.settle_member_exit(member_id, on=on)) is not None:
            self.exited.add(member_id)
            self.day = on

    @precondition(lambda self: self.recorded >= 2 and self.open)
    @rule(settle_first=st.booleans(), gap=st.integers(1, 14))
    def share_out(self, settle_first: bool, gap: int) -> None:
        if settle_first:  # a meeting that repays every loan in full, so the share-out can go on
            day = self.day + dt.timedelta(days=gap)
            owing = [
                (loan, self.store.loan_position(loan.id, day))
                for loan in self.store.loans(self.cycle.id, include_cancelled=False)
                if loan.member_id not in self.exited
            ]
            repayments = [
                vsla.Repayment(loan_id=loan.id, amount=pos.settlement_amount)
                for loan, pos in owing
                if not pos.settled
            ]
            if repayments:
                self._meeting(day, repayments=repayments)
        before = self.store.balances(self.cycle.id)
        result = self._attempt(lambda: self.store.share_out(self.cycle.id, on=self.day))
        if result is None:
            return
        after = self.store.balances(self.cycle.id)
        assert result.total_payout + result.remainder == result.distributable
        assert self.store.share_out_result(self.cycle.id) == result
        moved = after.social_fund_cash - before.social_fund_cash
        assert after.loan_fund_cash == result.remainder - moved
        entries = self.store.entries(self.cycle.id)
        if entries:  # a cycle may be shared out with nothing recorded but attendance
            with pytest.raises(vsla.CycleClosed):  # nothing of a shared-out cycle reverses
                self.store.reverse_entry(entries[0].id, on=self.day, reason="too late")

    @precondition(lambda self: not self.open and len(self.cycles) < 3)
    @rule(gap=st.integers(0, 14))
    def next_cycle(self, gap: int) -> None:
        start = self.day + dt.timedelta(days=gap)
        nxt = self._attempt(
            lambda: self.store.start_next_cycle(
                self.cycle.id, start=start, end=start + dt.timedelta(days=364)
            )
        )
        assert nxt is not None, "the cycle after a share-out must start"
        previous = self.store.balances(self.cycle.id)
        opening = self.store.balances(nxt.id)
        assert (opening.loan_fund_cash, opening.social_fund_cash) == (
            previous.loan_fund_cash,
            previous.social_fund_cash,
        )
        self.cycles.append(nxt)
        self.day = start
        self.recorded = 0

    @precondition(lambda self: self.open)
    @rule(data=st.data(), gap=st.integers(1, 14))
    def a_nested_block_that_raises(self, data: st.DataObject, gap: int) -> None:
        members = self.active()
        if not members:
            return
        kwargs = data.draw(meetings(members, [], self.constitution))
        before = snapshot(self.store)
        day = self.day + dt.timedelta(days=gap)
        with self.store.transaction():
            try:
                with self.store.transaction():
                    self.store.record_meeting(self.cycle.id, vsla.MeetingInput(date=day, **kwargs))
                    raise RuntimeError("the clerk cancels")
            except (RuntimeError, vsla.VslaError):
                pass
        assert snapshot(self.store) == before, "a failed inner block left rows behind"

    @rule()
    def export_and_restore(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "programme.json"
            export_programme(self.store, path)
            copy = fresh_store("sqlite")
            try:
                import_file(copy, "programme", path)
                group = copy.group(self.group.code)
                cycles = copy.cycles(group.id)
                assert len(cycles) == len(self.cycles)
                for mine, theirs in zip(self.cycles, cycles, strict=True):
                    assert copy.balances(theirs.id) == self.store.balances(mine.id)
                    assert [
                        (e.date, e.kind, e.origin, e.amount) for e in copy.entries(theirs.id)
                    ] == [(e.date, e.kind, e.origin, e.amount) for e in self.store.entries(mine.id)]
                ours = group_indicators(self.store, self.group.id, self.day)
                assert group_indicators(copy, group.id, self.day) == ours
            finally:
                copy.close()

    # ------------------------------------------------------------------ invariants

    @invariant()
    def the_books_hold(self) -> None:
        if not self.cycles:
            return
        for cycle in self.cycles:
            self._check_cycle(cycle)
        # the arrears marks the reports read the portfolio at risk from equal a recomputation
        # from the ledger after every step (meetings, late meetings, reversals, write-offs)
        assert self.store.verify_loan_marks() == []

    def _check_cycle(self, cycle: vsla.Cycle) -> None:
        entries = self.store.entries(cycle.id)
        sql = self.store.balances(cycle.id)
        assert sql == vsla.balances_from_entries(entries, cycle.constitution.share_value)
        for day, b in self.store.balance_history(cycle.id):
            assert b.loan_fund_cash >= 0, f"the loan fund is below zero on {day}"
            assert b.social_fund_cash >= 0, f"the social fund is below zero on {day}"
            assert b.loans_outstanding >= 0
        assert all(m.shares >= 0 for m in self.store.member_balances(cycle.id))
        dates = sorted({e.date for e in entries})
        for on in {dates[len(dates) // 2], dates[-1]} if dates else set():
            total = 0
            for loan in self.store.loans(cycle.id):
                if loan.terms.disbursed_on > on:
                    continue
                try:
                    pos = self.store.loan_position(loan.id, on)
                except vsla.NotFound:  # cancelled by then
                    continue
                assert pos.principal_repaid + pos.principal_written_off <= pos.principal
                assert pos.principal_outstanding >= 0
                total += pos.principal_outstanding
            assert total == self.store.balances(cycle.id, on).loans_outstanding, on


CorrectionsMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCorrectionsSQLite = pytest.mark.slow(CorrectionsMachine.TestCase)


class PostgresCorrectionsMachine(CorrectionsMachine):
    backend = "postgresql"


PostgresCorrectionsMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCorrectionsPostgreSQL = pytest.mark.skipif(
    not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set"
)(pytest.mark.slow(pytest.mark.postgres(PostgresCorrectionsMachine.TestCase)))
