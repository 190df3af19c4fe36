"""The cycle simulator: plans one cycle's meetings, loans and repayments, so that every
meeting it plans is valid.

It books the amount of every entry the store will write (Σ amount per kind) and reads the
boxes' cash with the library's one formula, :func:`vsla.domain.ledger.balances_from_totals`;
a leaving member's payout is :func:`vsla.domain.shareout.exit_settlement`'s, as the store's.
"""

from __future__ import annotations

__all__ = ["Behaviour", "CycleSimulator", "PlannedLoan"]

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum

from dateutil.relativedelta import relativedelta

from vsla.demo.data import LOAN_PURPOSES
from vsla.demo.plans import Draft, MemberPlan, chance, weighted
from vsla.domain.allocation import allocate_payment
from vsla.domain.constitution import Constitution
from vsla.domain.entities import Attendance, ExitReason
from vsla.domain.ledger import Balances, EntryKind, balances_from_totals
from vsla.domain.loanbook import LoanPosition
from vsla.domain.loanbook import position as loan_position
from vsla.domain.loans import LoanPayment, LoanTerms, due_date
from vsla.domain.shareout import exit_settlement


class Behaviour(Enum):
    """How a borrower repays."""

    ON_TIME = "on time"  # interest at each month end, principal at the due date
    EARLY = "early"  # all of it before the due date
    LATE = "late"  # interest on time, principal a few meetings after the due date
    DEFAULT = "default"  # pays months after the due date (or at the share-out), or never


@dataclass(slots=True)
class PlannedLoan:
    key: int
    member: int
    terms: LoanTerms
    behaviour: Behaviour
    pay_at: tuple[int, ...]  # meeting index of the last meeting before each month end
    early_at: int | None
    late_at: int | None
    payments: list[LoanPayment] = field(default_factory=list)
    settled: bool = False
    to_write_off: bool = False

    def position(self, on: dt.date) -> LoanPosition:
        return loan_position(self.terms, self.payments, on)


class CycleSimulator:
    """Plans the meetings of one cycle, booking every entry so as to know both boxes."""

    def __init__(
        self,
        rng: random.Random,
        members: list[MemberPlan],
        rules: Constitution,
        dates: list[dt.date],
        last: int,
        completes: bool,
        officers: set[int],
        write_off: bool,
        exits_wanted: int,
    ) -> None:
        self.rng = rng
        self.members = members
        self.rules = rules
        self.dates = dates
        self.last = last  # index of the last meeting recorded
        self.completes = completes  # the cycle is shared out at meeting ``last``
        self.officers = officers
        self.totals: dict[EntryKind, int] = defaultdict(int)  # Σ amount per kind, as booked
        self.shares = [0] * len(members)
        self.fines_due: dict[int, int] = {}
        self.missed = [0] * len(members)
        self.loans: dict[int, PlannedLoan] = {}
        self.write_off_wanted = write_off
        self.write_off_key: int | None = None
        self.demand = rng.randint(150, 300)  # chance of asking for a loan, per mille
        exit_slots = list(range(6, max(7, min(last, 20))))
        self.exit_at = set(rng.sample(exit_slots, min(exits_wanted, len(exit_slots))))
        self.exits: dict[int, list[tuple[int, ExitReason]]] = {}
        for m in members:
            low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
            m.preferred_shares = (
                rng.randint(max(low, 1), high) + rng.randint(max(low, 1), high)
            ) // 2

    def book(self, kind: EntryKind, amount: int) -> None:
        """Count an entry of ``kind`` that recording the planned meetings will write."""
        self.totals[kind] += amount

    @property
    def balances(self) -> Balances:
        """Both boxes after everything booked so far, by the store's formula."""
        return balances_from_totals(self.totals, sum(self.shares), self.rules.share_value)

    @property
    def cash(self) -> int:
        """The loan fund's cash, after everything booked so far."""
        return self.balances.loan_fund_cash

    @property
    def social(self) -> int:
        """The social fund's cash, after everything booked so far."""
        return self.balances.social_fund_cash

    def exit_payout(self, member: int) -> int:
        """What a member without a loan is paid on leaving (the demo's constitutions keep
        the default exit policy: savings back, in the cash step)."""
        return exit_settlement(
            self.shares[member], self.rules.share_value, 0, cash_step=self.rules.cash_step
        ).gross

    def active(self, member: int, on: dt.date) -> bool:
        left = self.members[member].left_on
        return left is None or on < left

    def run(self) -> list[Draft]:
        drafts = []
        for i in range(self.last + 1):
            drafts.append(self.meeting(i))
            if i in self.exit_at and not (self.completes and i == self.last):
                self.leave(i)
        return drafts

    def meeting(self, i: int) -> Draft:
        rng, rules, on = self.rng, self.rules, self.dates[i]
        draft = Draft(date=on)
        present: list[int] = []
        for m, member in enumerate(self.members):
            if not self.active(m, on):
                continue
            roll = rng.randrange(1000)
            if roll < member.reliability:
                status = Attendance.PRESENT
            elif roll < member.reliability + (1000 - member.reliability) * 2 // 5:
                status = Attendance.REPRESENTED
            else:
                status = Attendance.ABSENT
            draft.attendance[m] = status
            if status is Attendance.ABSENT:
                self.missed[m] += 1
                if chance(rng, 700):
                    self.fines_due[m] = self.fines_due.get(m, 0) + 1
                continue
            present.append(m)
            unit = rules.social_fund_contribution
            if unit:
                times = 1 + (min(self.missed[m], 2) if chance(rng, 500) else 0)
                draft.contributions[m] = unit * times
                self.book(EntryKind.SOCIAL_CONTRIBUTION, unit * times)
            self.missed[m] = 0
            low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
            n = min(high, max(low, member.preferred_shares + rng.choice((-1, 0, 0, 0, 1))))
            if n:
                draft.shares[m] = n
                self.shares[m] += n
                self.book(EntryKind.SHARE_PURCHASE, n * rules.share_value)
            for _ in range(self.fines_due.pop(m, 0)):
                draft.fines.append((m, "absence"))
                self.book(EntryKind.FINE, rules.fines["absence"])
            if status is Attendance.PRESENT and chance(rng, 40):
                draft.fines.append((m, "late"))
                self.book(EntryKind.FINE, rules.fines["late"])
        self.repay(i, draft)
        if self.social and chance(rng, 50) and present:
            amount = min(rng.choice((100_000, 200_000, 300_000, 500_000)), self.social)
            amount -= amount % 10_000
            if amount >= 50_000:
                reason = rng.choice(("ốm đau", "tang lễ", "thiên tai", "sinh con"))
                draft.grants.append((rng.choice(present), amount, reason))
                self.book(EntryKind.SOCIAL_GRANT, amount)
        if i % 6 == 5 and chance(rng, 600):
            amount = rng.randrange(20_000, 65_000, 5_000)
            if amount <= self.cash:
                draft.expenses.append((amount, "văn phòng phẩm"))
                self.book(EntryKind.EXPENSE, amount)
        self.lend(i, draft, present)
        return draft

    def repay(self, i: int, draft: Draft) -> None:
        on = self.dates[i]
        final = self.completes and i == self.last
        for loan in self.loans.values():
            if loan.settled or loan.to_write_off:
                continue
            b = loan.behaviour
            if final or i in (loan.early_at, loan.late_at):
                in_full = True  # settles (at the latest at the share-out meeting)
            elif i == loan.pay_at[-1] and b in (Behaviour.ON_TIME, Behaviour.EARLY):
                in_full = True  # on the due date
            elif i in loan.pay_at:  # the last meeting before a month end: that month's charge
                if b is Behaviour.DEFAULT:
                    pays = i == loan.pay_at[0] and chance(self.rng, 500)
                else:
                    pays = b is not Behaviour.LATE or chance(self.rng, 800)
                if not pays:
                    continue
                in_full = False
            else:
                continue
            pos = loan.position(on)
            amount = pos.settlement_amount if in_full else pos.interest_due
            if amount <= 0:
                continue
            split = allocate_payment(pos, amount, self.rules.payment_order)
            loan.payments.append(
                LoanPayment(on=on, principal=split.principal, interest=split.interest)
            )
            draft.repayments.append((loan.key, amount))
            self.book(EntryKind.INTEREST_PAYMENT, split.interest)
            self.book(EntryKind.PRINCIPAL_REPAYMENT, split.principal)
            loan.settled = amount == pos.settlement_amount

    def lend(self, i: int, draft: Draft, present: list[int]) -> None:
        rng, rules, on = self.rng, self.rules, self.dates[i]
        if i == 0 or (self.completes and i == self.last):
            return
        busy = {
            loan.member for loan in self.loans.values() if not loan.settled or loan.to_write_off
        }
        force = self.write_off_wanted and self.write_off_key is None and i >= 4
        for m in present:
            if m in busy or self.cash < 50_000:
                continue
            if not (force or chance(rng, self.demand)):
                continue
            savings = self.shares[m] * rules.share_value
            wanted = max(100_000, savings * rng.randint(8, 30) // 10)  # 0.8 to 3 × savings
            limit = int(rules.max_loan_multiple * savings)
            principal = min(wanted, limit, self.cash)
            principal -= principal % (50_000 if principal >= 500_000 else 10_000)
            if principal < 50_000:
                continue
            term = self.term(i)
            if term == 0:
                return  # too close to the end of the cycle to lend
            terms = LoanTerms(
                principal=principal,
                interest_rate=rules.interest_rate,
                term_months=term,
                disbursed_on=on,
                method=rules.interest_method,
                principal_schedule=rules.principal_schedule,
                rounding=rules.rounding,
            )
            key = len(self.loans)
            loan = self.plan_loan(key, m, terms, i)
            if force:
                force = False
                loan.behaviour = Behaviour.DEFAULT
                loan.to_write_off = True
                self.write_off_key = key
            self.loans[key] = loan
            purpose = weighted(rng, LOAN_PURPOSES)
            draft.loans.append((key, m, principal, term, purpose))
            self.book(EntryKind.LOAN_DISBURSEMENT, principal)

    def term(self, i: int) -> int:
        """The longest term (1 to 3 months, drawn) whose due date is within the cycle."""
        on, end = self.dates[i], self.dates[-1]
        feasible = [
            n
            for n in range(1, self.rules.max_term_months + 1)
            if on + relativedelta(months=n) <= end
        ]
        if not feasible:
            return 0
        wanted = weighted(self.rng, ((1, 20), (2, 35), (3, 45)))
        return min(wanted, feasible[-1])

    def plan_loan(self, key: int, member: int, terms: LoanTerms, i: int) -> PlannedLoan:
        rng = self.rng
        ends = [
            terms.disbursed_on + relativedelta(months=k) for k in range(1, terms.term_months + 1)
        ]
        pay_at = tuple(max(j for j, d in enumerate(self.dates) if d <= end) for end in ends)
        behaviour = weighted(
            rng,
            (
                (Behaviour.ON_TIME, 72),
                (Behaviour.EARLY, 15),
                (Behaviour.LATE, 10),
                (Behaviour.DEFAULT, 3),
            ),
        )
        early_at = late_at = None
        if behaviour is Behaviour.EARLY:
            early_at = rng.randrange(i + 1, pay_at[-1])
        elif behaviour is Behaviour.LATE:
            late_at = min(pay_at[-1] + rng.randint(1, 3), len(self.dates) - 1)
        elif behaviour is Behaviour.DEFAULT:  # pays at last, months late (or at share-out)
            late_at = min(pay_at[-1] + rng.randint(4, 10), len(self.dates) - 1)
        assert due_date(terms) <= self.dates[-1]
        return PlannedLoan(key, member, terms, behaviour, pay_at, early_at, late_at)

    def leave(self, i: int) -> None:
        on = self.dates[i]
        busy = {
            loan.member for loan in self.loans.values() if not loan.settled or loan.to_write_off
        }
        candidates = [
            m
            for m in range(len(self.members))
            if self.active(m, on)
            and m not in self.officers
            and m not in busy
            and self.exit_payout(m) <= self.cash
        ]
        if not candidates:
            return
        m = self.rng.choice(candidates)
        reason = weighted(
            self.rng,
            ((ExitReason.MOVED, 45), (ExitReason.VOLUNTARY, 40), (ExitReason.OTHER, 15)),
        )
        self.book(EntryKind.EXIT_PAYOUT, self.exit_payout(m))
        self.shares[m] = 0
        self.fines_due.pop(m, None)
        self.members[m].left_on = on
        self.exits.setdefault(i, []).append((m, reason))
