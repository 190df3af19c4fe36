"""A member's passbook (sổ thành viên): their record of a cycle, one line per meeting.

Pure: built from the member's ledger entries, the cycle's meetings and the member's
attendance, with no database. :meth:`vsla.Store.passbook` loads those and calls
:func:`build_passbook`.

Each line holds what the member did at one meeting (shares bought, social fund paid, fines,
loan disbursed, repayment split into interest and principal, anything written off) and where
they stand after it (cumulative shares and savings, loan balance). An entry is shown on the
line of the meeting that *recorded* it. A correction is a reversing entry recorded at a
later meeting: the original stays on its own line and the reversal appears, negative, on the
line of the meeting that recorded it (``corrections`` counts them), so the cumulative figures
after each line are exactly what :meth:`vsla.Store.member_balances` gives on that date.

The cycle ends for the member with a settlement line: the share-out payout, or the exit
payout if they left mid-cycle, with what was netted against it for a loan still owed.
"""

from __future__ import annotations

__all__ = ["Passbook", "PassbookLine", "PassbookSettlement", "build_passbook"]

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vsla.domain.entities import Attendance, Cycle, Member
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.tabular import Tabular

_NETTED = (EntryOrigin.NETTED_AT_EXIT, EntryOrigin.NETTED_AT_SHARE_OUT)
_PAYOUT = (EntryKind.SHARE_OUT_PAYOUT, EntryKind.EXIT_PAYOUT)


@dataclass(frozen=True, slots=True)
class PassbookLine:
    """One meeting of a member's passbook: what they did there and where they stand after.

    Flows (``shares_bought`` … ``written_off``) are the sums of the member's entries recorded
    at the meeting, reversals included (negative); ``shares``, ``savings`` and
    ``loan_balance`` are cumulative, after the meeting. ``attendance`` is ``None`` when the
    meeting recorded none for the member (a meeting holding only a correction).
    """

    meeting_number: int
    date: dt.date
    attendance: Attendance | None
    shares_bought: int
    shares: int
    savings: int
    social_fund: int
    fines: int
    loan_disbursed: int
    interest_paid: int
    principal_repaid: int
    written_off: int
    loan_balance: int
    corrections: int = 0


@dataclass(frozen=True, slots=True)
class PassbookSettlement:
    """How the member's cycle ended: share-out or exit, on ``date``.

    ``payout`` is what their shares were worth (the exit's gross); ``netted`` is the loan
    principal and interest taken from it; ``cash_paid = payout - netted`` is the cash they
    were handed; ``shares`` and ``savings`` are what they held just before.
    """

    exit: bool
    date: dt.date
    shares: int
    savings: int
    payout: int
    netted: int

    @property
    def cash_paid(self) -> int:
        return self.payout - self.netted

    @property
    def profit(self) -> int:
        return self.payout - self.savings


@dataclass(frozen=True)
class Passbook(Tabular):
    """A member's passbook for one cycle: lines in meeting order, then the settlement."""

    member: Member
    cycle: Cycle
    group_code: str
    group_name: str
    lines: tuple[PassbookLine, ...]
    settlement: PassbookSettlement | None

    def totals(self) -> dict[str, int]:
        """Σ of each flow column over the lines."""
        names = (
            "shares_bought",
            "social_fund",
            "fines",
            "loan_disbursed",
            "interest_paid",
            "principal_repaid",
            "written_off",
        )
        return {n: sum(getattr(line, n) for line in self.lines) for n in names}

    def rows(self) -> list[dict[str, Any]]:
        """One row per meeting (money in whole đồng); the settlement is not a row."""
        return [
            {
                "meeting": line.meeting_number,
                "date": line.date,
                "attendance": None if line.attendance is None else line.attendance.value,
                "shares_bought": line.shares_bought,
                "shares": line.shares,
                "savings": line.savings,
                "social_fund": line.social_fund,
                "fines": line.fines,
                "loan_disbursed": line.loan_disbursed,
                "interest_paid": line.interest_paid,
                "principal_repaid": line.principal_repaid,
                "written_off": line.written_off,
                "loan_balance": line.loan_balance,
                "corrections": line.corrections,
            }
            for line in self.lines
        ]


def build_passbook(
    member: Member,
    cycle: Cycle,
    meetings: Sequence[tuple[int, int, dt.date]],
    attendance: Mapping[int, Attendance],
    entries: Iterable[LedgerEntry],
    *,
    group_code: str = "",
    group_name: str = "",
) -> Passbook:
    """The member's passbook.

    Args:
        member: whose passbook it is.
        cycle: the cycle (its share value values the shares).
        meetings: the cycle's meetings as ``(meeting id, number, date)``.
        attendance: the member's attendance by meeting id.
        entries: the cycle's entries; those of other members are ignored.

    A meeting gets a line when the member's attendance was recorded there or they have an
    entry there. Shares, savings and loan balance after a line are sums over every entry
    recorded up to that meeting.

    ```pycon
    >>> from vsla.domain.constitution import Constitution
    >>> from vsla.domain.entities import Sex
    >>> day = dt.date(2024, 1, 8)
    >>> m = Member(id=1, group_id=1, number=3, full_name="Y Hương", sex=Sex.FEMALE,
    ...            joined_on=day)
    >>> rules = Constitution(share_value=10_000, interest_rate="0.02")
    >>> c = Cycle(id=1, group_id=1, number=1, start_date=day, end_date=dt.date(2024, 12, 30),
    ...           constitution=rules)
    >>> e = LedgerEntry(id=1, cycle_id=1, meeting_id=5, date=day,
    ...                 kind=EntryKind.SHARE_PURCHASE, amount=30_000, member_id=1, shares=3)
    >>> book = build_passbook(m, c, [(5, 1, day)], {5: Attendance.PRESENT}, [e])
    >>> line = book.lines[0]
    >>> line.shares_bought, line.shares, line.savings
    (3, 3, 30000)

    ```
    """
    mine = [e for e in entries if e.member_id == member.id]
    by_meeting: dict[int, list[LedgerEntry]] = {}
    for e in mine:
        by_meeting.setdefault(e.meeting_id, []).append(e)
    share_value = cycle.constitution.share_value
    shares = balance = 0
    lines: list[PassbookLine] = []
    settlement: PassbookSettlement | None = None
    for meeting_id, number, day in sorted(meetings, key=lambda m: m[2]):
        here = by_meeting.get(meeting_id, [])
        if meeting_id not in attendance and not here:
            continue

        def total(*kinds: EntryKind, lines_of: list[LedgerEntry] = here) -> int:
            return sum(e.amount for e in lines_of if e.kind in kinds)

        held_before = shares
        shares += sum(e.shares for e in here)
        balance += total(EntryKind.LOAN_DISBURSEMENT) - total(
            EntryKind.PRINCIPAL_REPAYMENT, EntryKind.WRITE_OFF
        )
        lines.append(
            PassbookLine(
                meeting_number=number,
                date=day,
                attendance=attendance.get(meeting_id),
                shares_bought=sum(e.shares for e in here if e.kind is EntryKind.SHARE_PURCHASE),
                shares=shares,
                savings=shares * share_value,
                social_fund=total(EntryKind.SOCIAL_CONTRIBUTION),
                fines=total(EntryKind.FINE),
                loan_disbursed=total(EntryKind.LOAN_DISBURSEMENT),
                interest_paid=total(EntryKind.INTEREST_PAYMENT),
                principal_repaid=total(EntryKind.PRINCIPAL_REPAYMENT),
                written_off=total(EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF),
                loan_balance=balance,
                corrections=sum(1 for e in here if e.origin is EntryOrigin.REVERSAL),
            )
        )
        payouts = [e for e in here if e.kind in _PAYOUT]
        if payouts:
            # an exit payout carries the leaving member's shares (negative): what they held
            held = held_before + sum(e.shares for e in here if e.kind is EntryKind.SHARE_PURCHASE)
            settlement = PassbookSettlement(
                exit=any(e.kind is EntryKind.EXIT_PAYOUT for e in payouts),
                date=day,
                shares=held,
                savings=held * share_value,
                payout=sum(e.amount for e in payouts),
                netted=sum(e.amount for e in here if e.origin in _NETTED),
            )
    return Passbook(
        member=member,
        cycle=cycle,
        group_code=group_code,
        group_name=group_name,
        lines=tuple(lines),
        settlement=settlement,
    )
