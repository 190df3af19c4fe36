"""A loan's arrears as stretches of days: :class:`LoanMark` and :func:`loan_marks`.

How overdue a loan is on a date depends on its whole history (interest charged month by
month on the balance actually owed, payments split between interest and principal, write-offs,
reversals). It does not depend on the date itself beyond one subtraction: between two days on
which something is recorded for the loan, its principal outstanding stays the same, and so
does the payable date of the earliest obligation left unpaid. Obligations falling due later
(interest of the months after the term) are all payable after the last principal instalment,
which stays unpaid while principal is owed, so they never become the earliest one. Hence, for
any day ``on`` of a stretch::

    days overdue on ``on`` = max(0, on − unpaid_since)

and the portfolio at risk on any date is a sum over the one stretch of each loan that covers
the date. The store keeps these stretches in a table written with every loan move, so the
reports can answer "PAR30 on 30 June" with one aggregate query
(:mod:`vsla.reports.indicators`); :meth:`LoanState.risk` stays the rule, and tests hold the
two equal on every day.

```pycon
>>> from decimal import Decimal
>>> from vsla.domain.ledger import EntryKind
>>> from vsla.domain.loans import LoanTerms
>>> from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
>>> d0 = dt.date(2024, 1, 10)
>>> terms = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=2,
...                   disbursed_on=d0)
>>> paid = dt.date(2024, 2, 10)
>>> moves = (LoanMove(d0, d0, EntryKind.LOAN_DISBURSEMENT, 100_000),
...          LoanMove(paid, paid, EntryKind.INTEREST_PAYMENT, 2_000))
>>> loan = LoanState(id=7, member_id=1, terms=terms, purpose=LoanPurpose.OTHER, moves=moves)
>>> [(m.since.isoformat(), m.until and m.until.isoformat(), m.outstanding,
...   m.unpaid_since.isoformat()) for m in loan_marks(loan)]
[('2024-01-10', '2024-02-10', 100000, '2024-02-10'), ('2024-02-10', None, 100000, '2024-03-10')]
>>> loan_marks(loan)[1].days_overdue(dt.date(2024, 4, 9)), loan.risk(dt.date(2024, 4, 9))
(30, (30, 100000))

```
"""

from __future__ import annotations

__all__ = ["LoanMark", "loan_marks", "mark_covering", "risk_from_marks"]

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from vsla.domain.loanstate import LoanState


@dataclass(frozen=True, slots=True)
class LoanMark:
    """From ``since`` (a day a move of the loan was recorded) up to the day before ``until``
    (the next such day; ``None``: no later move yet), the loan owes ``outstanding`` principal
    and its earliest obligation left unpaid is payable on ``unpaid_since``. Days on which the
    loan owes no principal (before disbursement, repaid, written off, cancelled) have no mark."""

    loan_id: int
    since: dt.date
    until: dt.date | None
    outstanding: int
    unpaid_since: dt.date

    def covers(self, on: dt.date) -> bool:
        """Whether ``on`` falls in this stretch."""
        return self.since <= on and (self.until is None or on < self.until)

    def days_overdue(self, on: dt.date) -> int:
        """Days overdue at the close of ``on`` (a day this mark covers)."""
        return max(0, (on - self.unpaid_since).days)


def loan_marks(
    loan: LoanState, since: dt.date | None = None, earlier: Iterable[LoanMark] = ()
) -> list[LoanMark]:
    """The stretches of ``loan``'s history on which it owes principal, in date order; two
    neighbouring stretches with the same figures are one.

    With ``since``: only the days from ``since`` on are worked out, and ``earlier`` (the
    loan's marks as they were before moves recorded on ``since`` or later were added) gives
    the days before it, which such moves cannot change; the last of them now ends at
    ``since`` at the latest. This is what a write costs: one day's position per loan, not
    its whole history. The result equals ``loan_marks(loan)``."""
    days = sorted({m.recorded_on for m in loan.moves})
    marks: list[LoanMark] = []
    if since is not None:
        days = [day for day in days if day >= since]
        cut = days[0] if days else since  # the first day worked out again
        for mark in sorted(earlier, key=lambda m: m.since):
            if mark.since >= cut:
                continue
            if days and (mark.until is None or mark.until > cut):
                mark = replace(mark, until=cut)
            marks.append(mark)
    for i, day in enumerate(days):
        until = days[i + 1] if i + 1 < len(days) else None
        found = loan.arrears_on(day)
        if found is None:  # no principal owed that day
            continue
        outstanding, unpaid = found
        last = marks[-1] if marks else None
        if (
            last is not None
            and last.until == day
            and (last.outstanding, last.unpaid_since) == (outstanding, unpaid)
        ):
            marks[-1] = replace(last, until=until)
        else:
            marks.append(LoanMark(loan.id, day, until, outstanding, unpaid))
    return marks


def mark_covering(marks: Iterable[LoanMark], on: dt.date) -> LoanMark | None:
    """The mark of ``marks`` (one loan's) that covers ``on``, or ``None``."""
    return next((m for m in marks if m.covers(on)), None)


def risk_from_marks(marks: Sequence[LoanMark], on: dt.date) -> tuple[int, int] | None:
    """``(days_overdue, principal_outstanding)`` on ``on`` from one loan's marks: what
    :meth:`LoanState.risk` gives, read from the stored stretches."""
    mark = mark_covering(marks, on)
    if mark is None:
        return None
    return mark.days_overdue(on), mark.outstanding
