"""Loans as agreed: terms, payments, months, service charge and schedule.

This is docs/loans.md as code, with :mod:`vsla.domain.loanbook` (where a loan stands on a
date: interest charged, position, overdue). Everything here is pure: a loan is described by
its :class:`LoanTerms` and its history of :class:`LoanPayment` values (plus, optionally, the
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
    "LoanTerms",
    "due_date",
    "month_start",
    "months_begun",
    "schedule",
    "upfront_interest",
]

import datetime as dt
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
    ``principal=0``. A principal write-off is not a payment: pass it to
    :func:`vsla.domain.loanbook.position`.

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
