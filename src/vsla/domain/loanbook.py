"""Where a loan stands on a date: its book, the interest charged, its dues and position.

The other half of docs/loans.md as code (:mod:`vsla.domain.loans` holds the loan as
agreed: terms, payments, months, charges and schedule). A :class:`LoanBook` is a loan's
validated history as of a date; :func:`interest_charged` and :func:`position` are the
public calls, whose arguments are checked; :func:`dues_of` and :func:`position_of` the
library's own, from a book it built.
"""

from __future__ import annotations

__all__ = [
    "LoanBook",
    "LoanDues",
    "LoanPosition",
    "dues_of",
    "interest_charged",
    "position",
    "position_of",
]

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal  # noqa: F401  (the name the doctests use)
from typing import Any

from vsla.domain.arguments import check_date, check_int, checked_call
from vsla.domain.constitution import InterestMethod
from vsla.domain.loans import (
    LoanPayment,
    LoanTerms,
    _add_months,
    _charge,
    _principal_parts,
    _upfront,
    months_begun,
)
from vsla.domain.money import format_money
from vsla.errors import InvalidInput


class LoanBook:
    """A loan's validated history as of ``on``: balances, charges and obligations (the
    library's own callers build one and ask it, or :func:`position_of` it, directly; users
    call :func:`position`, whose arguments are checked first)."""

    __slots__ = (
        "_charges",
        "_cumulative",
        "_dates",
        "_obligations",
        "begun",
        "closed_on",
        "interest_paid",
        "interest_written_off",
        "money_paid",
        "on",
        "principal_repaid",
        "terms",
        "written_off",
    )

    def __init__(
        self,
        terms: LoanTerms,
        payments: Iterable[LoanPayment],
        on: dt.date,
        written_off: int,
        written_off_on: dt.date | None,
        interest_written_off: int = 0,
    ) -> None:
        d0 = terms.disbursed_on
        check_date("on", on)
        if on < d0:
            raise InvalidInput(f"the loan was disbursed on {d0}; there is no position on {on}")
        history: list[tuple[dt.date, int, int]] = []
        for p in payments:
            if not isinstance(p, LoanPayment):
                raise InvalidInput(f"a payment must be a LoanPayment, got {p!r}")
            if p.on < d0:
                raise InvalidInput(f"a payment on {p.on} predates the disbursement on {d0}")
            if p.on <= on:
                history.append((p.on, p.principal, p.interest))
        history.sort(key=_first)
        check_int("written_off", written_off)
        if written_off < 0:
            raise InvalidInput(f"written_off must be >= 0, got {written_off}")
        when = on if written_off_on is None else check_date("written_off_on", written_off_on)
        if when < d0:
            raise InvalidInput(f"a write-off on {when} predates the disbursement on {d0}")
        check_int("interest_written_off", interest_written_off)
        if interest_written_off < 0:
            raise InvalidInput(f"interest_written_off must be >= 0, got {interest_written_off}")
        self._setup(terms, history, on, written_off, when, interest_written_off)

    @classmethod
    def of_history(
        cls,
        terms: LoanTerms,
        history: list[tuple[dt.date, int, int]],
        on: dt.date,
        written_off: int,
        written_off_on: dt.date | None,
        interest_written_off: int,
    ) -> LoanBook:
        """A book from a history the library built itself from ledger moves: ``(day,
        principal, interest)`` sums, one a day, in date order, each day on or before ``on``
        and the amounts whole numbers (what :meth:`LoanState._book` makes). Only the rules
        of the loan itself are checked (nothing before the disbursement, nothing negative,
        no more repaid than lent), not the types of values it made."""
        d0 = terms.disbursed_on
        if on < d0:
            raise InvalidInput(f"the loan was disbursed on {d0}; there is no position on {on}")
        if history and history[0][0] < d0:
            raise InvalidInput(f"a payment on {history[0][0]} predates the disbursement on {d0}")
        for day, principal, interest in history:
            if principal < 0 or interest < 0:
                raise InvalidInput(
                    f"a payment on {day} must be >= 0, got principal {principal} and interest "
                    f"{interest}"
                )
        when = on if written_off_on is None else written_off_on
        if when < d0:
            raise InvalidInput(f"a write-off on {when} predates the disbursement on {d0}")
        if written_off < 0 or interest_written_off < 0:
            raise InvalidInput(
                f"a write-off must be >= 0, got principal {written_off} and interest "
                f"{interest_written_off}"
            )
        book = cls.__new__(cls)
        book._setup(terms, history, on, written_off, when, interest_written_off)
        return book

    def _setup(
        self,
        terms: LoanTerms,
        history: list[tuple[dt.date, int, int]],
        on: dt.date,
        written_off: int,
        when: dt.date,
        interest_written_off: int,
    ) -> None:
        """The book of ``history`` (``(day, principal, interest)`` in date order, up to
        ``on``), the write-off dated ``when``; its inputs already checked."""
        self.terms = terms
        self.on = on
        self.begun = months_begun(terms.disbursed_on, on)  # the months charged on ``on``
        self.written_off = written_off if when <= on else 0
        self.interest_written_off = interest_written_off if when <= on else 0
        principal_repaid = interest_paid = 0
        for _day, principal, interest in history:
            principal_repaid += principal
            interest_paid += interest
        self.principal_repaid = principal_repaid
        self.interest_paid = interest_paid
        self.money_paid = principal_repaid + interest_paid
        if principal_repaid + self.written_off > terms.principal:
            raise InvalidInput(
                f"principal repaid ({format_money(principal_repaid)}) plus written off "
                f"({format_money(self.written_off)}) exceeds the principal "
                f"({format_money(terms.principal)})"
            )
        # principal reductions (repayments and the write-off) by date, cumulated
        reductions = [(day, principal) for day, principal, _ in history if principal]
        if self.written_off:
            reductions.append((when, self.written_off))
            reductions.sort(key=_first)
        self._dates: list[dt.date] = []
        self._cumulative: list[int] = []
        self._charges: dict[int, int] = {}  # month k -> its charge, worked out once
        self._obligations: tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]] | None = None
        total = 0
        self.closed_on: dt.date | None = None
        for day, amount in reductions:
            total += amount
            if self._dates and self._dates[-1] == day:
                self._cumulative[-1] = total
            else:
                self._dates.append(day)
                self._cumulative.append(total)
            if total == terms.principal and self.closed_on is None:
                self.closed_on = day

    def outstanding(self, day: dt.date) -> int:
        """Principal outstanding at the close of ``day`` (only events up to ``on`` count)."""
        i = bisect_right(self._dates, day)
        return self.terms.principal - (self._cumulative[i - 1] if i else 0)

    @property
    def is_written_off(self) -> bool:
        """A loan with a write-off (of principal, interest or both) whose principal is
        cleared: nothing more is owed."""
        return (self.written_off > 0 or self.interest_written_off > 0) and (
            self.closed_on is not None
        )

    @property
    def flat_whole_term(self) -> bool:
        """Flat: principal fully repaid after the disbursement day, so the whole term is owed."""
        return (
            self.terms.method is InterestMethod.FLAT
            and self.closed_on is not None
            and self.closed_on > self.terms.disbursed_on
            and self.written_off == 0
        )

    def month_charge(self, k: int) -> int:
        """Month k's service charge on the actual history (a projection if k has not begun)."""
        charge = self._charges.get(k)
        if charge is None:
            charge = self._charges[k] = self._month_charge(k)
        return charge

    def _month_charge(self, k: int) -> int:
        terms = self.terms
        balance = self.outstanding(_add_months(terms.disbursed_on, k - 1))  # month k's start
        if balance > 0:
            if terms.method is InterestMethod.DECLINING:
                return _charge(terms, balance)
            if terms.method is InterestMethod.FLAT or k > terms.term_months:
                return _charge(terms, terms.principal)
            return 0  # upfront, within the term: paid at disbursement
        if self.flat_whole_term and k <= terms.term_months:
            return _charge(terms, terms.principal)
        return 0

    def months_charged(self) -> int:
        begun = self.begun
        if self.flat_whole_term:
            return max(begun, self.terms.term_months)
        return begun

    def interest_charged(self) -> int:
        months = range(1, self.months_charged() + 1)
        return _upfront(self.terms) + sum(self.month_charge(k) for k in months)

    def obligations(self) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]]:
        """What the loan's schedule makes payable, and when, on the actual history:
        ``(interest, principal)``, each a list of ``(payable on, amount)``.

        Interest: the upfront interest at disbursement, then month k's charge at the end of
        month k (for every month of the term and every month begun after it). Principal: at
        the due date, or per instalment, the written-off part removed from the latest
        instalments first. Worked out once per position (the lists are shared: read them).
        """
        if self._obligations is None:
            self._obligations = self._schedule()
        return self._obligations

    def _schedule(self) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]]:
        terms = self.terms
        d0 = terms.disbursed_on
        last = max(terms.term_months, self.begun)
        # month k is payable at its end, the start of month k + 1: d0 plus k months
        interest = [(d0, _upfront(terms))]
        interest += [(_add_months(d0, k), self.month_charge(k)) for k in range(1, last + 1)]
        return interest, self._principal_obligations()

    def _principal_obligations(self) -> list[tuple[dt.date, int]]:
        """The principal part of :meth:`obligations`: at the due date, or per instalment,
        the written-off part removed from the latest instalments first."""
        terms = self.terms
        parts = _principal_parts(terms)
        forgiven = self.written_off
        for i in reversed(range(len(parts))):
            cut = min(parts[i], forgiven)
            parts[i] -= cut
            forgiven -= cut
        d0 = terms.disbursed_on
        return [(_add_months(d0, k), p) for k, p in enumerate(parts, start=1)]

    def payable(self) -> int:
        """What the schedule made payable on or before ``on`` and is still unpaid: arrears
        plus anything falling due that day (interest and principal apart, as the ledger
        splits them). 0 for a written-off loan."""
        if self.is_written_off:
            return 0
        interest, principal = self.obligations()
        owed_interest = sum(a for day, a in interest if day <= self.on) - self.interest_paid
        owed_principal = sum(a for day, a in principal if day <= self.on) - self.principal_repaid
        return max(0, owed_interest) + max(0, owed_principal)

    def earliest_unpaid(self) -> dt.date:
        """The payable date of the earliest obligation not met by what was paid for it.

        The ledger splits every repayment into an interest part and a principal part, and
        arrears follow that split: interest paid meets the interest obligations (upfront
        interest at disbursement, then month k's charge at the end of month k) in date order,
        and principal repaid meets the principal obligations (at the due date, or per
        instalment) in date order. Money paid ahead for one kind never covers the other kind.
        The earlier of the two first unmet obligations is the answer.
        """
        terms = self.terms
        d0 = terms.disbursed_on
        last = max(terms.term_months, self.begun)
        if self._obligations is not None:  # the whole schedule is worked out already
            interest, principal = self._obligations
            unmet_interest = _first_unmet(interest, self.interest_paid)
            unmet_principal = _first_unmet(principal, self.principal_repaid)
        else:
            # walk the schedule only as far as the answer needs: principal first (no
            # charges to work out), then interest month by month, stopping at the first
            # unmet charge or at the first unmet principal, whichever comes first
            unmet_principal = _first_unmet(self._principal_obligations(), self.principal_repaid)
            unmet_interest = None
            paid, owed = self.interest_paid, _upfront(terms)
            if owed > paid:
                unmet_interest = d0
            else:
                for k in range(1, last + 1):
                    day = _add_months(d0, k)
                    if unmet_principal is not None and day >= unmet_principal:
                        break  # nothing payable from here on comes before it
                    charge = self.month_charge(k)
                    owed += charge
                    if charge > 0 and owed > paid:
                        unmet_interest = day
                        break
        unmet = [day for day in (unmet_interest, unmet_principal) if day is not None]
        if unmet:
            return min(unmet)
        # only reached when every listed obligation is met: the end of the last month listed
        return _add_months(d0, last)


def _first(item: tuple[dt.date, Any, Any] | tuple[dt.date, int]) -> dt.date:
    return item[0]


def _first_unmet(obligations: list[tuple[dt.date, int]], paid: int) -> dt.date | None:
    """The date of the first obligation that ``paid`` does not cover (``obligations`` in
    date order, as :meth:`LoanBook.obligations` lists them)."""
    owed = 0
    for day, amount in obligations:
        owed += amount
        if amount > 0 and owed > paid:
            return day
    return None


@checked_call
def interest_charged(
    terms: LoanTerms,
    payments: Iterable[LoanPayment],
    on: dt.date,
    written_off: int = 0,
    *,
    written_off_on: dt.date | None = None,
) -> int:
    """Total interest charged on ``on`` for the months begun before it, on the actual history.

    Payments dated after ``on`` are ignored. ``declining``: month k costs rate x the principal
    outstanding at the close of the day month k begins. ``flat``: rate x principal per month
    begun, and the whole term once the principal is fully repaid (after the disbursement
    day). ``upfront``: the upfront interest, plus rate x principal per month begun beyond the
    term. Once the principal is cleared no further month is charged. ``written_off_on`` dates
    the write-off (default: ``on``).

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10))
    >>> paid = [LoanPayment(dt.date(2024, 1, 30), 1_000_000, 20_000)]
    >>> interest_charged(t, paid, dt.date(2024, 6, 1))
    20000

    ```
    """
    return LoanBook(terms, payments, on, written_off, written_off_on).interest_charged()


@dataclass(frozen=True)
class LoanPosition:
    """Where a loan stands at the close of ``on``.

    ``amount_due = principal_outstanding + interest_due``: everything owed, as if the loan
    were repaid today. ``payable_now`` is what the *schedule* has made payable by ``on``
    and is still unpaid (arrears plus what falls due that day): what the borrower should
    pay at a meeting on ``on``, 0 for a loan not yet due. ``settlement_amount`` is what
    clears the loan today and the largest repayment accepted: it equals ``amount_due`` except
    for a ``flat`` loan repaid before the end of its term, where full repayment makes the rest
    of the term's interest owed. A written-off loan owes nothing more. ``next_payment_on`` is
    the date of the earliest amount still unpaid (in the past when overdue), ``None`` when
    settled.

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10))
    >>> p = position(t, [], dt.date(2024, 2, 15))
    >>> p.interest_due, p.amount_due, p.is_overdue, p.days_overdue
    (40000, 1040000, True, 5)
    >>> p.payable_now    # month 1's 20,000 was payable on 10 Feb; month 2's is not yet
    20000
    >>> position(t, [], dt.date(2024, 1, 20)).payable_now    # nothing payable before 10 Feb
    0

    ```
    """

    on: dt.date
    principal: int
    principal_repaid: int
    principal_written_off: int
    principal_outstanding: int
    interest_charged: int
    interest_paid: int
    interest_due: int
    amount_due: int
    due_on: dt.date
    is_overdue: bool
    days_overdue: int
    next_payment_on: dt.date | None
    settled: bool
    settlement_amount: int
    interest_written_off: int = 0
    payable_now: int = 0


@checked_call
def position(
    terms: LoanTerms,
    payments: Iterable[LoanPayment],
    on: dt.date,
    written_off: int = 0,
    *,
    written_off_on: dt.date | None = None,
    interest_written_off: int = 0,
) -> LoanPosition:
    """The position of a loan at the close of ``on``, from its terms and payment history.

    Overdue: obligations are month k's interest at the end of month k (upfront interest at
    disbursement) and principal at the due date or at each month end under instalments;
    interest paid on or before ``on`` meets the interest obligations in date order and
    principal repaid meets the principal obligations in date order (the ledger's own split
    of each repayment). If the earliest one not fully met is payable before ``on``, the loan
    is overdue by the days since. A settled or written-off loan is never overdue.
    ``written_off`` (principal) and ``interest_written_off`` date from ``written_off_on``.

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10))
    >>> paid = [LoanPayment(dt.date(2024, 2, 10), 0, 20_000)]
    >>> p = position(t, paid, dt.date(2024, 2, 15))
    >>> p.interest_due, p.is_overdue, p.next_payment_on
    (20000, False, datetime.date(2024, 3, 10))

    ```
    """
    return position_of(
        LoanBook(terms, payments, on, written_off, written_off_on, interest_written_off)
    )


@dataclass(frozen=True, slots=True)
class LoanDues:
    """What a loan owes at the close of ``on``: the part of its :class:`LoanPosition` that
    splits a repayment (:func:`dues_of`), without the schedule's arrears."""

    on: dt.date
    principal_outstanding: int
    interest_charged: int
    interest_due: int
    amount_due: int
    settlement_amount: int


def dues_of(book: LoanBook) -> LoanDues:
    """The :class:`LoanDues` of a :class:`LoanBook`: what :func:`position_of` gives for
    them, for a caller that needs no more (a repayment's split)."""
    terms, on = book.terms, book.on
    charged = book.interest_charged()
    outstanding = book.outstanding(on)
    interest_due = 0 if book.is_written_off else max(0, charged - book.interest_paid)
    amount_due = outstanding + interest_due
    extra = 0
    if terms.method is InterestMethod.FLAT and outstanding > 0 and book.written_off == 0:
        begun = book.begun
        if begun >= 1:
            extra = _charge(terms, terms.principal) * max(0, terms.term_months - begun)
    return LoanDues(on, outstanding, charged, interest_due, amount_due, amount_due + extra)


def position_of(book: LoanBook) -> LoanPosition:
    """The :class:`LoanPosition` of a :class:`LoanBook` (what :func:`position` returns),
    for the library's own callers (:class:`~vsla.domain.loanstate.LoanState`), whose
    arguments are built from typed values and skip the checks of a public call. The loan's
    own rules (a payment before the disbursement, more repaid than lent) are checked when
    the book is built."""
    terms, on = book.terms, book.on
    dues = dues_of(book)
    settled = dues.settlement_amount == 0
    unpaid = None if settled else book.earliest_unpaid()
    days = (on - unpaid).days if unpaid is not None and unpaid < on else 0
    return LoanPosition(
        on=on,
        principal=terms.principal,
        principal_repaid=book.principal_repaid,
        principal_written_off=book.written_off,
        principal_outstanding=dues.principal_outstanding,
        interest_charged=dues.interest_charged,
        interest_paid=book.interest_paid,
        interest_due=dues.interest_due,
        amount_due=dues.amount_due,
        due_on=_add_months(terms.disbursed_on, terms.term_months),
        is_overdue=days > 0,
        days_overdue=days,
        next_payment_on=unpaid,
        settled=settled,
        settlement_amount=dues.settlement_amount,
        interest_written_off=book.interest_written_off,
        payable_now=0 if settled else book.payable(),
    )
