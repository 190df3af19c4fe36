"""The minutes of a meeting (biên bản họp): who came, what each member did, both boxes
before and after, and the loans made, with their due dates.

Pure: built from the cycle's entries, the members and the meeting's attendance.
:meth:`vsla.Store.minutes` loads those and calls :func:`build_minutes`.

The boxes *before* count every entry dated before the meeting, the boxes *after* every
entry dated on or before it (:func:`~vsla.domain.ledger.balances_from_entries`, the same
formula as :meth:`vsla.Store.balances`), so ``after - before`` is exactly the meeting's
own entries, corrections recorded at it included.
"""

from __future__ import annotations

__all__ = ["LoanMade", "MemberActivity", "Minutes", "build_minutes"]

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vsla.domain.entities import Attendance, Cycle, Member
from vsla.domain.ledger import (
    Balances,
    EntryKind,
    EntryOrigin,
    LedgerEntry,
    balances_from_entries,
)
from vsla.domain.loans import LoanTerms, due_date, upfront_interest
from vsla.domain.tabular import Tabular


@dataclass(frozen=True, slots=True)
class MemberActivity:
    """One member at one meeting: attendance and the sums of their entries recorded there
    (a reversal recorded at the meeting counts negative)."""

    member: Member
    attendance: Attendance | None
    shares_bought: int
    share_money: int
    social_fund: int
    fines: int
    interest_paid: int
    principal_repaid: int
    loan_disbursed: int
    grant: int
    written_off: int
    payout: int
    corrections: int = 0


@dataclass(frozen=True, slots=True)
class LoanMade:
    """A loan disbursed at the meeting."""

    member: Member
    terms: LoanTerms

    @property
    def due_on(self) -> dt.date:
        return due_date(self.terms)

    @property
    def upfront_interest(self) -> int:
        return upfront_interest(self.terms)


@dataclass(frozen=True)
class Minutes(Tabular):
    """The minutes of one meeting. ``group_entries`` are the entries of no member (other
    income, expenses, the opening carry, a share-out remainder moved to the social fund)."""

    group_code: str
    group_name: str
    cycle: Cycle
    meeting_number: int
    date: dt.date
    activity: tuple[MemberActivity, ...]
    group_entries: tuple[LedgerEntry, ...]
    loans: tuple[LoanMade, ...]
    before: Balances
    after: Balances

    @property
    def present(self) -> int:
        return sum(1 for a in self.activity if a.attendance is Attendance.PRESENT)

    @property
    def represented(self) -> int:
        return sum(1 for a in self.activity if a.attendance is Attendance.REPRESENTED)

    @property
    def absent(self) -> int:
        return sum(1 for a in self.activity if a.attendance is Attendance.ABSENT)

    def totals(self) -> dict[str, int]:
        """Σ of each money column over the members."""
        names = (
            "shares_bought",
            "share_money",
            "social_fund",
            "fines",
            "interest_paid",
            "principal_repaid",
            "loan_disbursed",
            "grant",
            "written_off",
            "payout",
        )
        return {n: sum(getattr(a, n) for a in self.activity) for n in names}

    def rows(self) -> list[dict[str, Any]]:
        """One row per member: number, name, attendance and each sum."""
        return [
            {
                "number": a.member.number,
                "name": a.member.full_name,
                "attendance": None if a.attendance is None else a.attendance.value,
                "shares_bought": a.shares_bought,
                "share_money": a.share_money,
                "social_fund": a.social_fund,
                "fines": a.fines,
                "interest_paid": a.interest_paid,
                "principal_repaid": a.principal_repaid,
                "loan_disbursed": a.loan_disbursed,
                "grant": a.grant,
                "written_off": a.written_off,
                "payout": a.payout,
                "corrections": a.corrections,
            }
            for a in self.activity
        ]


def build_minutes(
    cycle: Cycle,
    meeting: tuple[int, int, dt.date],
    members: Mapping[int, Member],
    attendance: Mapping[int, Attendance],
    entries: Iterable[LedgerEntry],
    loan_terms: Mapping[int, LoanTerms],
    *,
    group_code: str = "",
    group_name: str = "",
) -> Minutes:
    """The minutes of ``meeting`` (``(id, number, date)``).

    Args:
        cycle: the meeting's cycle.
        members: the group's members by id.
        attendance: the meeting's attendance by member id.
        entries: every entry of the cycle (for the boxes before and after).
        loan_terms: the terms of the cycle's loans by loan id.

    A member gets a row when their attendance was recorded or they have an entry at the
    meeting; rows are in member-number order.
    """
    meeting_id, number, day = meeting
    entries = list(entries)
    value = cycle.constitution.share_value
    here = [e for e in entries if e.meeting_id == meeting_id]
    ids = set(attendance) | {e.member_id for e in here if e.member_id is not None}
    activity: list[MemberActivity] = []
    for member in sorted((members[i] for i in ids), key=lambda m: m.number):
        own = [e for e in here if e.member_id == member.id]

        def total(*kinds: EntryKind, of: list[LedgerEntry] = own) -> int:
            return sum(e.amount for e in of if e.kind in kinds)

        activity.append(
            MemberActivity(
                member=member,
                attendance=attendance.get(member.id),
                shares_bought=sum(e.shares for e in own if e.kind is EntryKind.SHARE_PURCHASE),
                share_money=total(EntryKind.SHARE_PURCHASE),
                social_fund=total(EntryKind.SOCIAL_CONTRIBUTION),
                fines=total(EntryKind.FINE),
                interest_paid=total(EntryKind.INTEREST_PAYMENT),
                principal_repaid=total(EntryKind.PRINCIPAL_REPAYMENT),
                loan_disbursed=total(EntryKind.LOAN_DISBURSEMENT),
                grant=total(EntryKind.SOCIAL_GRANT),
                written_off=total(EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF),
                payout=total(EntryKind.SHARE_OUT_PAYOUT, EntryKind.EXIT_PAYOUT),
                corrections=sum(1 for e in own if e.origin is EntryOrigin.REVERSAL),
            )
        )
    loans = tuple(
        LoanMade(members[e.member_id], loan_terms[e.loan_id])
        for e in here
        if e.kind is EntryKind.LOAN_DISBURSEMENT
        and e.origin is EntryOrigin.MEETING
        and e.member_id is not None
        and e.loan_id is not None
    )
    return Minutes(
        group_code=group_code,
        group_name=group_name,
        cycle=cycle,
        meeting_number=number,
        date=day,
        activity=tuple(activity),
        group_entries=tuple(e for e in here if e.member_id is None),
        loans=loans,
        before=balances_from_entries([e for e in entries if e.date < day], value),
        after=balances_from_entries([e for e in entries if e.date <= day], value),
    )
