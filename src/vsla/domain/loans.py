"""Loans: months, schedule, service charge, position, overdue and repayment split.

This is docs/loans.md as code. Everything here is pure: a loan is described by its
:class:`LoanTerms` and its history of :class:`LoanPayment` values (plus, optionally, the
principal written off), and every figure is recomputed from them for the date asked.

Conventions (see ``docs/loans.md`` for worked examples):

* Month ``k`` (``k >= 1``) of a loan runs from ``month_start(d0, k)`` to
  ``month_start(d0, k + 1)``, always counted from the disbursement date ``d0`` with month-end
  clipping (31 January -> 29 February 2024 -> 31 March -> 30 April).
* Interest is charged per month *begun*: on date ``d`` the months charged are those whose
  first day is strictly before ``d``.
* A payment dated ``d`` counts "at the close of ``d``": it lowers the declining charge of a
  month that begins that same day, and it counts as paid on time for anything payable on ``d``.
* Money is ``int``; rates are ``Decimal``; every rounding goes through
  :func:`vsla.domain.money.to_unit` with the loan's :class:`~vsla.domain.money.Rounding`.
"""

from __future__ import annotations

__all__ = [
    "Instalment",
    "LoanPayment",
    "LoanPosition",
    "LoanTerms",
    "due_date",
    "interest_charged",
    "month_start",
    "months_begun",
    "position",
    "schedule",
    "upfront_interest",
]

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import StrictInt, field_validator, model_validator

from vsla.domain.arguments import check_date, check_int, checked_call
from vsla.domain.base import Amount, Record, no_float
from vsla.domain.constitution import InterestMethod, PrincipalSchedule
from vsla.domain.limits import MAX_TOTAL, term_problem
from vsla.domain.money import Rounding, format_money, to_unit
from vsla.errors import InvalidInput

# --------------------------------------------------------------------------------------------
# Terms, payments and the calendar of a loan
# --------------------------------------------------------------------------------------------


class LoanTerms(Record):
    """What was agreed when the loan was disbursed. Frozen and validated.

    ``interest_rate`` is per month, as a fraction (``Decimal("0.02")`` is 2 %/month); a float
    is refused. Invalid values raise :class:`~vsla.errors.InvalidInput`.

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10))
    >>> t.method.value, t.principal_schedule.value, t.rounding.value
    ('declining', 'at_due_date', 'half_up')

    ```
    """

    principal: Amount
    interest_rate: Decimal
    term_months: StrictInt
    disbursed_on: dt.date
    method: InterestMethod = InterestMethod.DECLINING
    principal_schedule: PrincipalSchedule = PrincipalSchedule.AT_DUE_DATE
    rounding: Rounding = Rounding.HALF_UP

    @field_validator("interest_rate", mode="before")
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)

    @model_validator(mode="after")
    def _check(self) -> LoanTerms:
        problems: list[str] = []
        if self.principal <= 0:
            problems.append(f"principal must be > 0, got {self.principal}")
        if not self.interest_rate.is_finite() or self.interest_rate < 0:
            problems.append(f"interest_rate must be >= 0, got {self.interest_rate}")
        if self.term_months < 1:
            problems.append(f"term_months must be >= 1, got {self.term_months}")
        elif (problem := term_problem(self.term_months)) is not None:
            problems.append(f"term_months: {problem}")
        if isinstance(self.disbursed_on, dt.datetime):
            problems.append("disbursed_on must be a date, not a datetime")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True, slots=True)
class LoanPayment:
    """One repayment of a loan as recorded: its date and how it was split.

    ``principal`` and ``interest`` are the two parts (whole units, >= 0). The interest paid at
    disbursement under the ``upfront`` method is a payment on the disbursement day with
    ``principal=0``. A principal write-off is not a payment: pass it to :func:`position`.

    ```pycon
    >>> LoanPayment(on=dt.date(2024, 2, 10), principal=0, interest=20_000)
    LoanPayment(on=datetime.date(2024, 2, 10), principal=0, interest=20000)

    ```
    """

    on: dt.date
    principal: int
    interest: int

    def __post_init__(self) -> None:
        check_date("payment date", self.on)
        for name in ("principal", "interest"):
            amount = check_int(f"payment {name}", getattr(self, name))
            if amount < 0:
                raise InvalidInput(f"payment {name} must be >= 0, got {amount}")
            if amount > MAX_TOTAL:
                raise InvalidInput(
                    f"payment {name} of {format_money(amount)} is above the ceiling of a "
                    f"total, {format_money(MAX_TOTAL)} (vsla.MAX_TOTAL)"
                )

    @property
    def total(self) -> int:
        """Principal plus interest.

        ```pycon
        >>> LoanPayment(dt.date(2024, 2, 10), 100_000, 20_000).total
        120000

        ```
        """
        return self.principal + self.interest


def month_start(disbursed_on: dt.date, k: int) -> dt.date:
    """The first day of month ``k`` (``k >= 1``) of a loan disbursed on ``disbursed_on``.

    Month ``k`` ends where month ``k + 1`` starts. Always counted from the disbursement date,
    so month ends are clipped but never drift.

    ```pycon
    >>> [month_start(dt.date(2024, 1, 31), k).isoformat() for k in (1, 2, 3, 4)]
    ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']

    ```
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"a loan's months are numbered from 1, got {k!r}")
    return _add_months(disbursed_on, k - 1)


@lru_cache(maxsize=1 << 16)
def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clipped to the month's end (cached: the loan
    functions ask for the same month boundaries thousands of times)."""
    return day + relativedelta(months=months)


@checked_call
def due_date(terms: LoanTerms) -> dt.date:
    """The end of the last month of the term: when the principal is due.

    ```pycon
    >>> due_date(LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...                    disbursed_on=dt.date(2024, 1, 31)))
    datetime.date(2024, 4, 30)

    ```
    """
    return month_start(terms.disbursed_on, terms.term_months + 1)


def months_begun(disbursed_on: dt.date, on: dt.date) -> int:
    """How many months of the loan began strictly before ``on`` (the months charged on ``on``).

    0 on the disbursement day; 1 on any day up to and including the first anniversary (month 2
    begins on that day, so it has not begun *before* it); 2 from the day after.

    ```pycon
    >>> d0 = dt.date(2024, 1, 10)
    >>> [months_begun(d0, d) for d in (d0, dt.date(2024, 1, 15), dt.date(2024, 2, 10),
    ...                                  dt.date(2024, 2, 11))]
    [0, 1, 1, 2]

    ```
    """
    if on <= disbursed_on:
        return 0
    # the offset (in months) that lands in on's calendar month, then step back while needed
    offset = (on.year - disbursed_on.year) * 12 + (on.month - disbursed_on.month)
    while _add_months(disbursed_on, offset) >= on:
        offset -= 1
    return offset + 1


def _charge(terms: LoanTerms, base: int, months: int = 1) -> int:
    """rate x base x months, rounded once with the loan's rounding."""
    return _rounded_charge(terms.interest_rate, base, months, terms.rounding)


@lru_cache(maxsize=1 << 16)
def _rounded_charge(rate: Decimal, base: int, months: int, rounding: Rounding) -> int:
    return to_unit(Fraction(rate) * base * months, rounding)


@checked_call
def upfront_interest(terms: LoanTerms) -> int:
    """The interest paid at disbursement under the ``upfront`` method (0 for other methods).

    rate x principal x term months, rounded once.

    ```pycon
    >>> upfront_interest(LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"),
    ...     term_months=3, disbursed_on=dt.date(2024, 1, 10), method=InterestMethod.UPFRONT))
    60000

    ```
    """
    return _upfront(terms)


def _upfront(terms: LoanTerms) -> int:
    if terms.method is not InterestMethod.UPFRONT:
        return 0
    return _charge(terms, terms.principal, terms.term_months)


# --------------------------------------------------------------------------------------------
# The planned schedule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instalment:
    """What is payable at the end of month ``number`` if the loan follows its schedule.

    ```pycon
    >>> Instalment(number=1, due_on=dt.date(2024, 2, 10), principal=333_333, interest=20_000)
    Instalment(number=1, due_on=datetime.date(2024, 2, 10), principal=333333, interest=20000)

    ```
    """

    number: int
    due_on: dt.date
    principal: int
    interest: int

    @property
    def total(self) -> int:
        """Principal plus interest of the instalment.

        ```pycon
        >>> Instalment(1, dt.date(2024, 2, 10), 333_333, 20_000).total
        353333

        ```
        """
        return self.principal + self.interest


def _principal_parts(terms: LoanTerms) -> list[int]:
    """Scheduled principal of months 1..term (the last one takes the difference)."""
    n = terms.term_months
    if terms.principal_schedule is PrincipalSchedule.INSTALMENTS:
        part = terms.principal // n
        return [part] * (n - 1) + [terms.principal - part * (n - 1)]
    return [0] * (n - 1) + [terms.principal]


@checked_call
def schedule(terms: LoanTerms) -> tuple[Instalment, ...]:
    """The planned instalments, one per month of the term, each payable at the month's end.

    Interest: ``declining`` = rate x the scheduled principal outstanding as month k begins
    (an instalment paid at the end of month k lowers month k+1's charge); ``flat`` = rate x
    principal every month; ``upfront`` = 0 (see :func:`upfront_interest`).

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10),
    ...               principal_schedule=PrincipalSchedule.INSTALMENTS)
    >>> [(i.principal, i.interest) for i in schedule(t)]
    [(333333, 20000), (333333, 13333), (333334, 6667)]

    ```
    """
    outstanding = terms.principal
    rows: list[Instalment] = []
    for k, part in enumerate(_principal_parts(terms), start=1):
        if terms.method is InterestMethod.DECLINING:
            interest = _charge(terms, outstanding)
        elif terms.method is InterestMethod.FLAT:
            interest = _charge(terms, terms.principal)
        else:
            interest = 0
        rows.append(Instalment(k, month_start(terms.disbursed_on, k + 1), part, interest))
        outstanding -= part
    return tuple(rows)


# --------------------------------------------------------------------------------------------
# The actual history of a loan, as of a date
# --------------------------------------------------------------------------------------------


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
        parts = _principal_parts(terms)
        forgiven = self.written_off
        for i in reversed(range(len(parts))):
            cut = min(parts[i], forgiven)
            parts[i] -= cut
            forgiven -= cut
        principal = [(_add_months(d0, k), p) for k, p in enumerate(parts, start=1)]
        return interest, principal

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
        last = max(terms.term_months, self.begun)
        interest, principal = self.obligations()
        unmet = [
            day
            for day in (
                _first_unmet(interest, self.interest_paid),
                _first_unmet(principal, self.principal_repaid),
            )
            if day is not None
        ]
        if unmet:
            return min(unmet)
        # only reached when every listed obligation is met: the end of the last month listed
        return _add_months(terms.disbursed_on, last)


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
    outstanding, charged = dues.principal_outstanding, dues.interest_charged
    interest_due, amount_due = dues.interest_due, dues.amount_due
    settlement = dues.settlement_amount
    settled = settlement == 0
    unpaid = None if settled else book.earliest_unpaid()
    days = (on - unpaid).days if unpaid is not None and unpaid < on else 0
    return LoanPosition(
        on=on,
        principal=terms.principal,
        principal_repaid=book.principal_repaid,
        principal_written_off=book.written_off,
        principal_outstanding=outstanding,
        interest_charged=charged,
        interest_paid=book.interest_paid,
        interest_due=interest_due,
        amount_due=amount_due,
        due_on=_add_months(terms.disbursed_on, terms.term_months),
        is_overdue=days > 0,
        days_overdue=days,
        next_payment_on=unpaid,
        settled=settled,
        settlement_amount=settlement,
        interest_written_off=book.interest_written_off,
        payable_now=0 if settled else book.payable(),
    )
